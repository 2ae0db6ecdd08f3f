/**
 * Makes sure no operation stays `pending` or `running` after the process running it died. Runs on
 * a pg-boss schedule (one replica per tick) and once when a runner starts; every step is safe to run
 * twice at once (attempt-fenced job updates, compare-and-set on the operation's jobId).
 *
 * For an operation on a pg-boss job:
 * - job queued, deferred or waiting for a retry → fine.
 * - job active, its worker a process on this host that is gone → that attempt is failed now, so
 *   pg-boss retries it and the retry resumes from the checkpoint (a worker on another host that went
 *   silent is failed by pg-boss itself once its job heartbeat is `heartbeatSeconds` old).
 * - job failed for good (retries used up by dying workers) → the operation fails with the reason.
 * - job completed, cancelled or gone while the operation is still active, and the operation silent
 *   for `staleAfterMs` (a start or a hand-off between its two writes is not) → a new job resumes it.
 *
 * An operation run in-process (`cli:…`, `serve:…`) is failed once its process is certainly gone; the
 * next sync of the repository resumes from its checkpoint.
 */
import { randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Logger } from '../logger.js';
import type { OperationRecord, OperationStore } from '../store/issue-store.js';
import { parseJobRef, queuedJobRef } from './job-ref.js';
import { isOwnerGone } from './process-owner.js';
import { sendSyncJob, SYNC_QUEUE, type SyncJobData, type SyncJobPolicy } from './sync-queue.js';

const OWNER_GONE = 'The process running this sync stopped before it finished.';

export interface SupervisorDeps {
  boss: PgBoss;
  policy: SyncJobPolicy;
  operations: OperationStore;
  log: Logger;
  clock: () => Date;
  staleAfterMs: number;
}

/** Operation ids by what the pass did to them. */
export interface SupervisionReport {
  /** Their worker was gone: the job's attempt was failed so pg-boss retries it. */
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
    await operations.abandon(operation.id, OWNER_GONE);
    return 'failed';
  }
  const [job] = await boss.findJobs<SyncJobData>(SYNC_QUEUE, { id: ref.jobId });
  if (job?.state === 'created' || job?.state === 'retry') return null;
  if (job?.state === 'active') {
    if (!ref.owner || !isOwnerGone(ref.owner)) return null;
    await boss.fail(SYNC_QUEUE, { id: job.id, retryCount: job.retryCount }, { message: OWNER_GONE });
    return 'retried';
  }
  const silentFor = deps.clock().getTime() - (operation.heartbeatAt ?? operation.createdAt).getTime();
  if (silentFor < deps.staleAfterMs) return null;
  if (job?.state === 'failed' || !operation.repositoryId) {
    const reason = operation.repositoryId
      ? `${OWNER_GONE} It was tried ${job!.retryCount + 1} times.`
      : 'The repository connection no longer exists.';
    await operations.abandon(operation.id, reason);
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

/** An incremental sync's watermarks, from any job the operation had (its own job may be deleted). */
async function lastSince(boss: PgBoss, operationId: string): Promise<SyncJobData['since']> {
  const jobs = await boss.findJobs<SyncJobData>(SYNC_QUEUE, { data: { operationId } });
  return jobs.at(-1)?.data.since ?? null;
}
