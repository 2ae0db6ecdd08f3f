/**
 * Makes sure no operation stays `pending` or `running` after the process running it died. Runs on
 * a pg-boss schedule (one replica per tick) and once when a runner starts; every step is safe to run
 * twice at once (attempt-fenced job updates, compare-and-set on the operation's jobId).
 *
 * For an operation on a pg-boss job:
 * - job queued, deferred or waiting for a retry → fine.
 * - job active, and its worker gone: a process on this host that no longer exists, or a runner
 *   anywhere whose heartbeat (every `RUN_HEARTBEAT_MS`) has been silent for `takeoverAfterMs` → taken
 *   over at once: the job is cancelled and a new one resumes the operation from its checkpoint (a
 *   pg-boss retry would wait its backoff). A runner that was only slow finds the operation run by
 *   the new job at its next heartbeat and stops. After `retryLimit` takeovers (a sync that kills its
 *   worker every time) the operation fails with the reason.
 * - job failed for good (retries used up) → the operation fails with the reason.
 * - job completed, cancelled or gone while the operation is still active, and the operation silent
 *   for `staleAfterMs` (a start or a hand-off between its two writes is not) → a new job resumes it.
 *
 * An operation run in-process (`cli:…`, `serve:…`) is failed once its process is certainly gone; the
 * next sync of the repository resumes from its checkpoint.
 *
 * An operation the supervisor fails is told to `finished` (the runner's listeners: metrics, replies),
 * as an operation a runner ends is; no runner is left to tell it.
 */
import { randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Logger } from '../logger.js';
import type { OperationRecord, OperationStore } from '../store/issue-store.js';
import { parseJobRef, queuedJobRef } from './job-ref.js';
import { isOwnerGone } from './process-owner.js';
import { sendSyncJob, SYNC_QUEUE, type SyncJobData, type SyncJobPolicy } from './sync-queue.js';

const OWNER_GONE = 'The process running this sync stopped before it finished.';

/** How often a run refreshes its operation's heartbeat. */
export const RUN_HEARTBEAT_MS = 2_000;
/** A running operation whose heartbeat is this old is taken over: three missed heartbeats. */
export const TAKEOVER_AFTER_MS = 3 * RUN_HEARTBEAT_MS;

export interface SupervisorDeps {
  boss: PgBoss;
  policy: SyncJobPolicy;
  operations: OperationStore;
  log: Logger;
  clock: () => Date;
  staleAfterMs: number;
  /** A running operation silent this long is taken over (TAKEOVER_AFTER_MS). */
  takeoverAfterMs?: number;
  /** Hears of each operation this pass failed, once failed. */
  finished?(operation: OperationRecord): Promise<void>;
}

/** Operation ids by what the pass did to them. */
export interface SupervisionReport {
  /** Their worker was gone: a new job took the operation over. */
  retried: string[];
  /** Their job had ended: a new job was queued. */
  resumed: string[];
  /** Could not be resumed: failed with a reason. */
  failed: string[];
}

export async function superviseOperations(deps: SupervisorDeps): Promise<SupervisionReport> {
  const report: SupervisionReport = { retried: [], resumed: [], failed: [] };
  for (const operation of await deps.operations.listActive()) {
    try {
      const action = await superviseOne(deps, operation);
      if (action) report[action].push(operation.id);
    } catch (error) {
      deps.log.warn({ err: error, operationId: operation.id }, 'could not supervise the operation');
    }
  }
  if (report.retried.length + report.resumed.length + report.failed.length > 0) {
    deps.log.info(report, 'supervisor took over operations whose process is gone');
  }
  return report;
}

async function superviseOne(deps: SupervisorDeps, operation: OperationRecord): Promise<keyof SupervisionReport | null> {
  const { boss, operations } = deps;
  const ref = parseJobRef(operation.jobId);
  if (!ref) {
    if (!isOwnerGone(operation.jobId)) return null;
    await abandon(deps, operation.id, OWNER_GONE);
    return 'failed';
  }
  const [job] = await boss.findJobs<SyncJobData>(SYNC_QUEUE, { id: ref.jobId });
  if (job?.state === 'created' || job?.state === 'retry') return null;
  const silentFor = deps.clock().getTime() - (operation.heartbeatAt ?? operation.createdAt).getTime();
  if (job?.state === 'active') {
    // Silent since its last heartbeat, or since its job started (a job that waited long in the queue
    // is not silent the moment a worker takes it).
    const since = Math.max((operation.heartbeatAt ?? operation.createdAt).getTime(), job.startedOn?.getTime() ?? 0);
    const silent = deps.clock().getTime() - since >= (deps.takeoverAfterMs ?? TAKEOVER_AFTER_MS);
    const gone = (ref.owner !== null && isOwnerGone(ref.owner)) || silent;
    if (!gone || !operation.repositoryId) return null;
    const takeovers = job.data.takeovers ?? 0;
    if (takeovers >= deps.policy.retryLimit) {
      await boss.cancel(SYNC_QUEUE, job.id);
      await abandon(deps, operation.id, `${OWNER_GONE} It was taken over ${takeovers} times.`);
      return 'failed';
    }
    const nextId = randomUUID();
    if (!(await operations.setJob(operation.id, queuedJobRef(nextId), { expected: operation.jobId }))) return null;
    await boss.cancel(SYNC_QUEUE, job.id);
    const sent = await sendSyncJob(boss, deps.policy, {
      id: nextId,
      repositoryId: operation.repositoryId,
      data: { ...job.data, takeovers: takeovers + 1 },
    });
    return sent ? 'retried' : null;
  }
  if (silentFor < deps.staleAfterMs) return null;
  if (job?.state === 'failed' || !operation.repositoryId) {
    const reason = operation.repositoryId
      ? `${OWNER_GONE} It was tried ${job!.retryCount + 1} times.`
      : 'The repository connection no longer exists.';
    await abandon(deps, operation.id, reason);
    return 'failed';
  }
  const nextId = randomUUID();
  if (!(await operations.setJob(operation.id, queuedJobRef(nextId), { expected: operation.jobId }))) return null;
  const since = job?.data.since ?? (await lastSince(boss, operation.id));
  const sent = await sendSyncJob(boss, deps.policy, {
    id: nextId,
    repositoryId: operation.repositoryId,
    data: { operationId: operation.id, since },
  });
  return sent ? 'resumed' : null;
}

/** Fails the operation and, when this call is what ended it, tells `finished`. */
async function abandon(deps: SupervisorDeps, operationId: string, reason: string): Promise<void> {
  if (!(await deps.operations.abandon(operationId, reason))) return;
  const ended = await deps.operations.get(operationId);
  if (ended) await deps.finished?.(ended);
}

/** An incremental sync's watermarks, from any job the operation had (its own job may be deleted). */
async function lastSince(boss: PgBoss, operationId: string): Promise<SyncJobData['since']> {
  const jobs = await boss.findJobs<SyncJobData>(SYNC_QUEUE, { data: { operationId } });
  return jobs.at(-1)?.data.since ?? null;
}
