/**
 * The sync engine (IssueSyncService): streams a repository's issues and security alerts from a
 * provider into the issue store, page by page, with the duplicate matcher in between.
 *
 * Per part (issues, security) a full sync lists everything once, in an order that edits cannot
 * shuffle, then catches up on whatever was updated since that listing began; an incremental sync
 * lists what changed since the watermark. The next page is fetched while this one is written.
 * After every page the phase, cursor, counts and watermarks are checkpointed with the operation,
 * so a killed sync resumes where it stopped and refetches at most one page.
 *
 * A provider's listing traits change this per part: a part whose host cannot filter by update time
 * (`ignoresSince`) is listed whole every time and has no catch-up; a part whose listing is the whole
 * current set (`complete`) has its stored open items that a whole listing no longer holds resolved.
 *
 * It knows nothing of Probot, Hono, Prisma or the environment: everything comes in as arguments.
 */
import { CancelledError, ProviderError } from '../errors.js';
import type { ListOptions, Page, Provider, StateFilter } from '../providers/provider.js';
import type {
  IssueStore,
  OperationStore,
  RepositoryStore,
  SyncCheckpoint,
  SyncProgress,
  SyncResults,
  SyncType,
} from '../store/issue-store.js';
import { externalIdOf } from './external-id.js';
import { prefetch } from './prefetch.js';
import { ProgressTracker } from './progress-tracker.js';
import { writePage } from './write-page.js';

export type SyncPart = 'issues' | 'security';
type Phase = SyncCheckpoint['phase'];

/** Host clocks and ours differ a little: the catch-up starts this much before the listing did. */
export const CATCH_UP_MARGIN_MS = 60_000;

export interface SyncLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface SyncEngineDeps {
  issues: IssueStore;
  operations: OperationStore;
  /** Records lastSyncAt and watermarks on the repository connection after a completed sync. */
  repositories?: RepositoryStore;
  clock?: () => Date;
  log?: SyncLogger;
  /** Items per bulk write (50). */
  batchSize?: number;
  /** Intermediate progress is written after at least this many items (10)… */
  progressEveryItems?: number;
  /** …and no more often than this (250 ms). Every page's checkpoint writes progress too. */
  progressMinIntervalMs?: number;
}

export interface SyncRequest {
  operationId: string;
  projectId: string;
  repositoryId: string | null;
  provider: Provider;
  syncType: SyncType;
  includeClosed: boolean;
  /** Incremental sync: only items updated at or after these instants. */
  since?: { issues: Date | null; security: Date | null } | null;
  /** Continue a sync that stopped (crash, rate limit, Ctrl-C) from its last checkpoint. */
  resumeFrom?: SyncCheckpoint | null;
  signal?: AbortSignal;
  /** Called after every batch, for progress bars; never awaited. */
  onProgress?: (progress: SyncProgress, results: SyncResults) => void;
  /**
   * When the primary rate limit runs out far from its reset: true returns `waiting` with the
   * checkpoint (a job queue puts the job back until `resumeAt`); false fails the sync with the reason.
   */
  pauseOnRateLimit?: boolean;
}

export type SyncOutcome =
  | { status: 'completed'; results: SyncResults; watermarks: { issues: Date | null; security: Date | null } }
  | { status: 'failed'; results: SyncResults; error: string; errorCode: string }
  | { status: 'cancelled'; results: SyncResults }
  | { status: 'waiting'; results: SyncResults; resumeAt: Date; checkpoint: SyncCheckpoint; error: string };

export function partsOf(syncType: SyncType): SyncPart[] {
  if (syncType === 'issues') return ['issues'];
  if (syncType === 'security') return ['security'];
  return ['issues', 'security'];
}

export async function syncRepository(deps: SyncEngineDeps, request: SyncRequest): Promise<SyncOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const { operations, log } = deps;
  const { operationId, provider } = request;
  const resume = request.resumeFrom ?? null;
  const tracker = new ProgressTracker(
    clock,
    { everyItems: deps.progressEveryItems ?? 10, minIntervalMs: deps.progressMinIntervalMs ?? 250 },
    resume ?? undefined,
  );
  const done = new Set<SyncPart>(resume?.done ?? []);
  const dateOrNull = (iso: string | null | undefined) => (iso ? new Date(iso) : null);
  const watermarks = {
    issues: dateOrNull(resume?.watermarks.issues),
    security: dateOrNull(resume?.watermarks.security),
  };
  // The next incremental sync must see items that failed to store: the recorded watermark stays below them.
  const failedFrom = {
    issues: dateOrNull(resume?.failedFrom?.issues),
    security: dateOrNull(resume?.failedFrom?.security),
  };
  const safeWatermark = (part: SyncPart): Date | null => {
    const mark = watermarks[part];
    const failed = failedFrom[part];
    if (!mark || !failed || mark < failed) return mark;
    return new Date(failed.getTime() - 1);
  };
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  const position: Omit<SyncCheckpoint, 'done' | 'results' | 'processed' | 'watermarks'> = {
    part: resume?.part ?? 'issues',
    phase: resume?.phase ?? 'list',
    cursor: resume?.cursor ?? null,
    listStartedAt: resume?.listStartedAt ?? null,
  };

  const checkpoint = (): SyncCheckpoint => ({
    ...position,
    done: [...done],
    results: tracker.results,
    processed: tracker.processed,
    watermarks: { issues: iso(watermarks.issues), security: iso(watermarks.security) },
    failedFrom: { issues: iso(failedFrom.issues), security: iso(failedFrom.security) },
    progress: tracker.checkpointProgress(),
  });

  /** The snapshot version the listings read (Bitbucket: the head commit), recorded when the sync completes. */
  let listedVersion: string | null = null;

  const throwIfCancelled = async () => {
    if (request.signal?.aborted || (await operations.isCancelRequested(operationId))) throw new CancelledError();
  };

  /**
   * Streams one listing into the store, checkpointing after every page. `seen` collects the
   * externalIds the listing held (a complete part's whole listing, for resolving the missing ones).
   */
  const runListing = async (
    part: SyncPart,
    phase: Phase,
    listing: AsyncIterable<Page>,
    state: StateFilter,
    seen: Set<string> | null = null,
  ) => {
    const catchingUp = phase === 'catch_up';
    for await (const page of prefetch(listing)) {
      if (page.version) listedVersion = page.version;
      if (seen) for (const item of page.items) seen.add(externalIdOf(item));
      if (!catchingUp) tracker.setPartTotal(part, page.total);
      tracker.setRateLimit(page.rateLimit);
      const leftOut = await writePage(page.items, {
        store: deps.issues,
        scope: { projectId: request.projectId, repositoryId: request.repositoryId, deferFlush: true },
        batchSize: deps.batchSize ?? 50,
        skipNewClosed: state === 'all' && !request.includeClosed,
        onBatch: async (counts, batch) => {
          // A catch-up re-lists items this sync already counted: only what it changes is news.
          if (catchingUp) tracker.add(part, { ...counts, skipped: 0 }, counts.created);
          else tracker.add(part, counts, batch.length);
          const failed = new Set(counts.failedExternalIds);
          for (const item of batch) {
            const oldestFailure = failedFrom[part];
            const newest = watermarks[part];
            if (failed.has(item.externalId)) {
              if (!oldestFailure || item.updatedAt < oldestFailure) failedFrom[part] = item.updatedAt;
            } else if (!newest || item.updatedAt > newest) {
              watermarks[part] = item.updatedAt;
            }
          }
          request.onProgress?.(tracker.snapshot(), tracker.results);
          if (tracker.takeDueWrite()) await operations.saveProgress(operationId, tracker.snapshot(), tracker.results);
        },
      });
      // New closed items left out on purpose are handled: the watermark passes them, or every later
      // check would see them as missed and start the same sync again.
      for (const item of leftOut) {
        const newest = watermarks[part];
        if (!newest || item.updatedAt > newest) watermarks[part] = item.updatedAt;
      }
      position.cursor = page.cursor;
      // The cancel check does not wait for the checkpoint: both are one query, on two connections.
      const [saved, cancelled] = await Promise.allSettled([
        operations.saveCheckpoint(operationId, checkpoint(), tracker.snapshot(), tracker.results),
        page.cursor !== null ? throwIfCancelled() : undefined,
      ]);
      if (saved.status === 'rejected') throw saved.reason;
      tracker.markWritten();
      if (cancelled.status === 'rejected') throw cancelled.reason;
    }
  };

  /**
   * Closes the part's stored open items that a whole listing of a complete part did not hold (a
   * finding gone from a newer head commit); never deletes them. Counted as updated.
   */
  const resolveMissing = async (part: SyncPart, seen: ReadonlySet<string>) => {
    const repository = await provider.repository(request.signal);
    const resolved = await deps.issues.resolveMissing({
      projectId: request.projectId,
      provider: provider.kind,
      repositoryUrl: repository.url,
      kind: part === 'issues' ? 'issue' : 'security_alert',
      seenExternalIds: [...seen],
      at: clock(),
      reason: `gone from ${provider.kind}'s ${part === 'issues' ? 'issue' : 'security'} listing`,
    });
    if (resolved === 0) return;
    log?.info({ operationId, part, resolved }, 'items gone from a complete listing resolved');
    tracker.add(part, { created: 0, updated: resolved, skipped: 0, failed: 0 }, 0);
    request.onProgress?.(tracker.snapshot(), tracker.results);
  };

  const syncPart = async (part: SyncPart) => {
    const list = (options: ListOptions) =>
      part === 'issues' ? provider.listIssues(options) : provider.listSecurityAlerts?.(options);
    if (part === 'security' && !provider.listSecurityAlerts) {
      tracker.results.skippedParts.push({ part, reason: `${provider.kind} has no security alerts API.` });
      return;
    }
    const traits = provider.listingTraits?.[part] ?? {};
    const since = request.since?.[part] ?? null;
    const resuming = position.part === part && resume !== null;
    if (!resuming) Object.assign(position, { part, phase: 'list', cursor: null, listStartedAt: null });
    const signal = request.signal ? { signal: request.signal } : {};

    if (position.phase === 'list') {
      // An incremental or catch-up listing sees every state, so issues closed since are closed here too.
      // A listing that is whole anyway asks for every state as well: closures show, and closed items
      // not stored yet are left out unless closed ones were asked for (runListing's skipNewClosed).
      const state: StateFilter = since !== null || request.includeClosed || traits.ignoresSince ? 'all' : 'open';
      const whole = since === null || traits.ignoresSince === true;
      // Only a listing that runs whole within this run knows what is missing: one resumed from a
      // mid-part cursor did not see the pages before it, so it resolves nothing.
      const seen = traits.complete && whole && position.cursor === null ? new Set<string>() : null;
      position.listStartedAt ??= clock().toISOString();
      await runListing(part, 'list', list({ state, since, cursor: position.cursor, ...signal })!, state, seen);
      if (seen) await resolveMissing(part, seen);
      // Nothing to catch up on: the next listing would be the whole set again.
      if (since !== null || traits.ignoresSince) return;
      Object.assign(position, { phase: 'catch_up', cursor: null });
    }
    tracker.stage = 'catch_up';
    const catchUpSince = new Date(new Date(position.listStartedAt!).getTime() - CATCH_UP_MARGIN_MS);
    await runListing(part, 'catch_up', list({ state: 'all', since: catchUpSince, cursor: position.cursor, ...signal })!, 'all');
  };

  try {
    await operations.start(operationId);
    for (const part of partsOf(request.syncType)) {
      if (done.has(part)) continue;
      tracker.stage = part;
      await operations.saveProgress(operationId, tracker.snapshot(), tracker.results);
      tracker.markWritten();
      try {
        await syncPart(part);
      } catch (error) {
        if (!(error instanceof ProviderError && (error.code === 'unavailable' || error.code === 'gone'))) throw error;
        log?.info({ operationId, part, reason: error.message }, 'sync part skipped');
        tracker.results.skippedParts.push({ part, reason: error.message });
      }
      done.add(part);
    }

    tracker.stage = 'finishing';
    if (deps.repositories && request.repositoryId) {
      await deps.repositories.recordSync(request.repositoryId, {
        at: clock(),
        issuesWatermark: safeWatermark('issues'),
        alertsWatermark: safeWatermark('security'),
        ...(listedVersion ? { version: listedVersion } : {}),
      });
    }
    tracker.finish();
    await operations.saveProgress(operationId, tracker.snapshot(), tracker.results);
    await operations.finish(operationId, { status: 'completed', results: tracker.results });
    request.onProgress?.(tracker.snapshot(), tracker.results);
    log?.info({ operationId, results: tracker.results }, 'sync completed');
    return {
      status: 'completed',
      results: tracker.results,
      watermarks: { issues: safeWatermark('issues'), security: safeWatermark('security') },
    };
  } catch (error) {
    // An aborted request surfaces as whatever the signal was aborted with.
    if (error instanceof CancelledError || request.signal?.aborted) {
      await operations.finish(operationId, { status: 'cancelled', results: tracker.results, error: 'The sync was cancelled.' });
      log?.info({ operationId }, 'sync cancelled');
      return { status: 'cancelled', results: tracker.results };
    }
    if (error instanceof ProviderError && error.code === 'rate_limited' && request.pauseOnRateLimit && error.resetAt) {
      log?.warn({ operationId, resetAt: error.resetAt }, 'sync paused until the rate limit resets');
      return { status: 'waiting', results: tracker.results, resumeAt: error.resetAt, checkpoint: checkpoint(), error: error.message };
    }
    // A provider's message is written for people; anything else may hold internals and stays in the log.
    const errorCode = error instanceof ProviderError ? error.code : 'internal';
    const message =
      error instanceof ProviderError ? error.message : 'The sync stopped on an internal error; the server log has the details.';
    log?.warn({ operationId, errorCode, err: error }, 'sync failed');
    await operations
      .finish(operationId, { status: 'failed', results: tracker.results, error: message })
      .catch((finishError: unknown) => log?.warn({ operationId, err: finishError }, 'could not record the failed sync'));
    return { status: 'failed', results: tracker.results, error: message, errorCode };
  }
}
