/**
 * What the sync engine needs from storage. The engine (src/sync) depends only on these
 * interfaces; src/store/prisma-*.ts implement them on PostgreSQL.
 */
import type { ExternalIssue, IssueKind, ProviderKind } from '../domain/items.js';

/** An issue as the engine writes it: the provider's item plus its identity. */
export interface IssueWrite extends ExternalIssue {
  /** `<provider>:<repositoryUrl>:<issueId>`, stored in `customFields.externalId`. */
  externalId: string;
}

/** A local issue with no externalId yet that shares a title with an incoming item. */
export interface TitleCandidate {
  id: string;
  title: string;
  createdAt: Date;
}

/** What the duplicate rules look up before a page is written (IssueStore.findMatchLookups). */
export interface MatchLookups {
  /** ExternalIds already stored in the project. */
  existing: ReadonlySet<string>;
  /** Unlinked local issues with a title among the incoming items'. */
  candidates: readonly TitleCandidate[];
}

export interface BatchCounts {
  created: number;
  updated: number;
  /** Already stored with the same or a newer `updatedAt`: nothing written. */
  skipped: number;
  failed: number;
}

export interface BatchResult extends BatchCounts {
  /** The items counted as `failed`: their data could not be stored. */
  failedExternalIds: string[];
}

export interface WriteScope {
  projectId: string;
  /** The repository connection the items came from; null for a one-off write without one. */
  repositoryId: string | null;
  /**
   * The commit may return before the WAL reaches the disk. Only for a sync: the checkpoint it commits
   * (synchronously) after its batches makes them durable with it, and a crash before that loses the
   * checkpoint too, so that page is fetched again. A live event has no such follow-up: it is durable
   * when its write returns, or GitHub would be told it was applied when it could still be lost.
   */
  deferFlush?: boolean;
}

export interface IssueStore {
  /**
   * What the duplicate rules need to know of these items, in one query: which of their externalIds
   * the project stores already, and the local issues with this repository URL, no externalId and not
   * unlinked by hand that carry one of their titles (those of stored items included: see the query).
   */
  findMatchLookups(
    projectId: string,
    repositoryUrl: string,
    items: readonly Pick<IssueWrite, 'externalId' | 'title'>[],
  ): Promise<MatchLookups>;
  /**
   * Writes one batch in as few statements as possible. `claims` maps an externalId to the local
   * issue it was matched to by title: that issue gets the externalId (only if it still has none;
   * otherwise the item is inserted as usual). Everything else is a bulk
   * `INSERT … ON CONFLICT (project, externalId) DO UPDATE … WHERE stored.updatedAt < new.updatedAt`.
   * A batch rejected for its data is retried item by item, so one bad item counts as `failed`
   * without losing the others; any other failure (connection lost, database down) is thrown.
   */
  writeBatch(
    scope: WriteScope,
    items: readonly IssueWrite[],
    claims: ReadonlyMap<string, string>,
  ): Promise<BatchResult>;
  /**
   * Closes the open items of one repository and kind (`<provider>:<repositoryUrl>:` externalIds) that
   * are not among `seenExternalIds`: a whole listing of a complete part no longer holds them. Their
   * `externalClosedAt` and `externalUpdatedAt` become `at`, `customFields.resolvedReason` says why;
   * nothing is deleted. Returns how many were closed. One query.
   */
  resolveMissing(input: {
    projectId: string;
    provider: ProviderKind;
    repositoryUrl: string;
    kind: IssueKind;
    seenExternalIds: readonly string[];
    at: Date;
    reason: string;
  }): Promise<number>;
}

export type SyncType = 'issues' | 'security' | 'all';
export type OperationStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type SyncTrigger =
  | 'manual'
  | 'slash_command'
  | 'install'
  | 'stale_webhook'
  | 'admin'
  | 'schedule'
  | 'cli'
  | 'webhook';
export type SyncStage = 'queued' | 'starting' | 'issues' | 'security' | 'catch_up' | 'finishing' | 'done';

export interface SyncProgress {
  stage: SyncStage;
  processed: number;
  /** Best known total (may be an estimate until the listing ends); null when unknown. */
  total: number | null;
  percent: number;
  /** The provider's remaining quota as last seen, so people see why a sync waits. */
  rateLimitRemaining?: number | null;
  rateLimitResetAt?: string | null;
}

export interface SyncResults extends BatchCounts {
  issues: number;
  securityAlerts: number;
  /** Parts that could not run, with the reason (e.g. Dependabot alerts disabled). */
  skippedParts: { part: 'issues' | 'security'; reason: string }[];
}

/** Saved after every page, so a killed sync resumes where it stopped. */
export interface SyncCheckpoint {
  /** The part being listed when the checkpoint was written. */
  part: 'issues' | 'security';
  /**
   * `list`: the part's main listing; `catch_up`: after a full listing, everything updated since it
   * began, so an item edited or created mid-sync is neither lost nor stale.
   */
  phase: 'list' | 'catch_up';
  /** Cursor of the last fully written page of that phase (null: start of the phase). */
  cursor: string | null;
  /** When the part's full listing began (ISO); the catch-up lists from there. */
  listStartedAt: string | null;
  /** Parts already finished. */
  done: ('issues' | 'security')[];
  results: SyncResults;
  processed: number;
  /** Highest `updatedAt` written so far, per part (ISO strings). */
  watermarks: { issues: string | null; security: string | null };
  /** Oldest `updatedAt` of an item that could not be stored, per part: the watermark stays below it. */
  failedFrom?: { issues: string | null; security: string | null };
  /**
   * The progress shown when the checkpoint was written (the hosts' totals, items per part, the
   * percent), so a resumed run goes on from there instead of from 0% (absent in older checkpoints).
   */
  progress?: {
    totals: { issues?: number; security?: number };
    processedByPart: { issues?: number; security?: number };
    percent: number;
  };
}

export interface OperationRecord {
  id: string;
  projectId: string;
  repositoryId: string | null;
  status: OperationStatus;
  syncType: SyncType;
  includeClosed: boolean;
  trigger: SyncTrigger;
  progress: SyncProgress;
  results: SyncResults;
  checkpoint: SyncCheckpoint | null;
  error: string | null;
  /** Who runs it: `cli:<host>:<pid>`, `serve:<host>:<pid>` or a queue's job id. */
  jobId: string | null;
  /** Where progress and the result are reported besides this row. */
  reply: OperationReply | null;
  /** Refreshed with every progress write; a stale one means its process died. */
  heartbeatAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
}

/**
 * Where a /sync command is answered: one comment (GitHub) or note (GitLab), edited with progress and
 * the result by the host's reply listener.
 */
export type OperationReply = GitHubCommentReply | GitLabNoteReply;

export interface GitLabNoteReply {
  kind: 'gitlab_note';
  /** The connection whose stored token edits the note. */
  repositoryId: string;
  /** GitLab's numeric project id. */
  projectId: number;
  issueIid: number;
  noteId: number;
  /** GitLab username of the person who asked, mentioned in the note. */
  username?: string;
}

export interface GitHubCommentReply {
  kind: 'github_comment';
  installationId: number;
  owner: string;
  repo: string;
  issueNumber: number;
  commentId: number;
  /** GitHub login of the person who asked, mentioned in the comment. */
  login?: string;
}

/** A second pending or running operation for one repository was refused. */
export class ActiveOperationError extends Error {
  constructor(readonly repositoryId: string | null) {
    super('A sync of this repository is already pending or running.');
    this.name = 'ActiveOperationError';
  }
}

export interface OperationStore {
  create(input: {
    projectId: string;
    repositoryId: string | null;
    syncType: SyncType;
    includeClosed: boolean;
    trigger: SyncTrigger;
    requestedBy?: string | null;
    jobId?: string | null;
    reply?: OperationReply | null;
  }): Promise<OperationRecord>;
  /**
   * The repository's pending or running operation, if any. At most one exists: creating a second
   * fails with `ActiveOperationError` (a unique index, so this holds across processes).
   */
  findActive(repositoryId: string): Promise<OperationRecord | null>;
  /** The repository's most recently created operation, whatever its status (null: never synced). */
  findLatest(repositoryId: string): Promise<OperationRecord | null>;
  /**
   * Fails an operation whose process is gone, keeping its checkpoint for the next run. True when it
   * was still pending or running (false: it had ended meanwhile, and nothing changed).
   */
  abandon(id: string, reason: string): Promise<boolean>;
  setReply(id: string, reply: OperationReply): Promise<void>;
  get(id: string): Promise<OperationRecord | null>;
  /** pending → running (also refreshes the heartbeat). */
  start(id: string): Promise<void>;
  /** Progress and running results; coalesced by the engine, so at most one write per few items. */
  saveProgress(id: string, progress: SyncProgress, results: SyncResults): Promise<void>;
  /** Progress, results and checkpoint in one write, after a page is stored. */
  saveCheckpoint(
    id: string,
    checkpoint: SyncCheckpoint,
    progress: SyncProgress,
    results: SyncResults,
  ): Promise<void>;
  finish(
    id: string,
    outcome: { status: 'completed' | 'failed' | 'cancelled'; results: SyncResults; error?: string | null },
  ): Promise<void>;
  /**
   * The repository's latest operation when it stopped part-way (cancelled or failed after at least
   * one page) with the same sync type and states, so a new run can continue from its checkpoint.
   */
  findResumable(
    repositoryId: string,
    input: { syncType: SyncType; includeClosed: boolean },
  ): Promise<OperationRecord | null>;
  /** True once someone asked to cancel this operation. */
  isCancelRequested(id: string): Promise<boolean>;
  /**
   * Records who runs the operation now (a queue job, a process) and refreshes its heartbeat. With
   * `expected`, only while the jobId is still that one, so two supervisors cannot both take it over.
   * False when nothing changed.
   */
  setJob(id: string, jobId: string, options?: { expected?: string | null }): Promise<boolean>;
  /**
   * The runner's heartbeat: refreshes `heartbeatAt` while the operation is active and still run by
   * `jobId`. False when it is not (it ended, or another runner took it over).
   */
  touch(id: string, jobId: string): Promise<boolean>;
  /**
   * Puts an active operation the engine stopped short of its end (its process stops, a transient
   * error) back in the queue: its status while it waits, the job that resumes it from the
   * checkpoint, and why it waits (null: no reason shown). False when it is no longer pending or
   * running, or someone asked to cancel it.
   */
  requeue(id: string, input: { status: 'pending' | 'running'; jobId: string; error?: string | null }): Promise<boolean>;
  /** Every pending or running operation, oldest first (the supervisor looks for ones whose process is gone). */
  listActive(): Promise<OperationRecord[]>;
}

export interface RepositoryRecord {
  id: string;
  projectId: string;
  provider: ProviderKind;
  /** `owner/name`, `group/sub/name` or `workspace/repo`. */
  fullPath: string;
  url: string;
  apiUrl: string | null;
  /** Decrypted by the caller; the store only keeps ciphertext. */
  encryptedToken: string | null;
  installationId: string | null;
  active: boolean;
  lastSyncAt: Date | null;
  issuesWatermark: Date | null;
  alertsWatermark: Date | null;
  /** The snapshot version the last completed sync read (Bitbucket: the head commit); null when none. */
  version: string | null;
}

export interface RepositoryStore {
  get(id: string): Promise<RepositoryRecord | null>;
  findByPath(projectId: string, provider: ProviderKind, fullPath: string): Promise<RepositoryRecord | null>;
  /**
   * Connections with this path of any host, in these projects (null: every project); an exact
   * match wins over ones that differ in case. Several: the same path on two hosts.
   */
  listByPath(projectIds: readonly string[] | null, fullPath: string): Promise<RepositoryRecord[]>;
  /**
   * Creates the connection or refreshes it (url, apiUrl, host id; reactivates it). The token is
   * replaced only when `encryptedToken` is given.
   */
  connect(input: {
    projectId: string;
    provider: ProviderKind;
    fullPath: string;
    url: string;
    apiUrl: string | null;
    externalRepoId?: string | null;
    encryptedToken?: string;
  }): Promise<RepositoryRecord>;
  /**
   * After a completed sync: lastSyncAt and the watermarks (only ever moved forward), and the snapshot
   * version its listings read, when the host has one (`Page.version`).
   */
  recordSync(
    id: string,
    input: { at: Date; issuesWatermark: Date | null; alertsWatermark: Date | null; version?: string },
  ): Promise<void>;
}

export type { IssueKind, ProviderKind };
