/**
 * One run of a sync job: loads its operation, runs the engine from the operation's own checkpoint,
 * and decides what the job does next.
 *
 * - completed, or failed for good → the job completes; listeners hear 'finished'.
 * - the rate limit ran out far from its reset → the operation stays `running` (its progress shows
 *   `rateLimitResetAt`), the job completes and a new one for the same operation is queued with
 *   `startAfter` = the reset: no worker sleeps through the wait.
 * - failed on a transient error (5xx after the provider's retries, unreachable, a rate limit with no
 *   reset) → the operation goes back to `pending` (its error says it tries again) and the handler
 *   throws, so pg-boss retries it with backoff; the last attempt leaves it failed with the reason.
 * - the process stops (close()) → the engine stops between pages, the operation goes back to
 *   `pending` and a new job is queued at once for whichever replica is up next.
 * - the job's claim was lost (expired, or failed by pg-boss because its heartbeat ran out)
 *   → the operation goes back to `pending`; pg-boss's retry of the same job resumes it.
 * - another runner took the operation over (a supervisor saw no heartbeat and believed this process
 *   dead) → the run stops at once and leaves the operation alone: the run's heartbeat, every
 *   `heartbeatMs`, is what finds that out.
 * - cancelled by someone → cancelled; a job whose operation was cancelled before it ran completes
 *   without running.
 */
import { randomUUID } from 'node:crypto';
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import { ProviderError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Provider } from '../providers/provider.js';
import type {
  IssueStore,
  OperationRecord,
  OperationStore,
  RepositoryRecord,
  RepositoryStore,
} from '../store/issue-store.js';
import { syncRepository, type SyncOutcome } from '../sync/sync-repository.js';
import { queuedJobRef, runningJobRef } from './job-ref.js';
import { sendSyncJob, SYNC_QUEUE, type SyncJobData, type SyncJobPolicy } from './sync-queue.js';

/** Error codes worth another attempt later. */
const TRANSIENT_ERRORS: ReadonlySet<string> = new Set(['server_error', 'unreachable', 'rate_limited']);

const ACTIVE: ReadonlySet<string> = new Set(['pending', 'running']);

type FinishOutcome = Parameters<OperationStore['finish']>[1];

export interface SyncWorkerContext {
  boss: PgBoss;
  policy: SyncJobPolicy;
  stores: { issues: IssueStore; operations: OperationStore; repositories: RepositoryStore };
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  log: Logger;
  clock: () => Date;
  /** `serve:<host>:<pid>` of this process. */
  owner: string;
  /** Aborted when this process stops taking work. */
  closing: AbortSignal;
  notify(operation: OperationRecord, event: 'progress' | 'finished'): Promise<void>;
  progressEveryMs: number;
  /** How often a run refreshes its operation's heartbeat (see `TAKEOVER_AFTER_MS` in supervise-operations.ts). */
  heartbeatMs: number;
}

/** Thrown to have pg-boss retry the job; the operation was already put back to pending. */
class RetryableSyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableSyncError';
  }
}

/** A reason to stop that is fine to show to people (not an internal error). */
class SyncJobError extends Error {
  override name = 'SyncJobError';
}

export function createSyncJobHandler(ctx: SyncWorkerContext) {
  const { operations, repositories } = ctx.stores;

  const notifyFinished = async (operationId: string) => {
    const operation = await operations.get(operationId);
    if (operation) await ctx.notify(operation, 'finished');
  };

  /** Completes this attempt and queues the next run of the operation (its jobId already names it). */
  const handOff = async (job: JobWithMetadata<SyncJobData>, next: { id: string; repositoryId: string; startAfter?: Date }, log: Logger) => {
    await ctx.boss.complete(SYNC_QUEUE, { id: job.id, retryCount: job.retryCount });
    const sent = await sendSyncJob(ctx.boss, ctx.policy, { ...next, data: job.data });
    if (!sent) log.warn({ nextJobId: next.id }, 'could not queue the next run of the sync; the supervisor resumes it');
  };

  const run = async (job: JobWithMetadata<SyncJobData>, operation: OperationRecord, log: Logger) => {
    const operationId = operation.id;
    const ref = runningJobRef(job.id, ctx.owner);
    await operations.setJob(operationId, ref);
    const repository = operation.repositoryId ? await repositories.get(operation.repositoryId) : null;
    if (!repository) throw new SyncJobError('The repository connection no longer exists.');
    const provider = await ctx.openProvider(repository);

    // A failed or cancelled end is written only once this job knows it is final, so nobody watching
    // sees the operation end and then start again when it is retried or handed over.
    let held: FinishOutcome | null = null;
    const engineOperations: OperationStore = {
      ...operations,
      finish: async (id, outcome) => {
        if (outcome.status === 'completed') await operations.finish(id, outcome);
        else held = outcome;
      },
    };
    const finishHeld = async () => {
      if (held) await operations.finish(operationId, held);
      await notifyFinished(operationId);
    };

    // The heartbeat tells the supervisors of every replica this run is alive. When it finds the
    // operation run by another job (a supervisor took it over, believing this process dead), the run
    // stops at once and leaves the operation to that job.
    const takeover = new AbortController();
    let takenOver = false;
    const beat = setInterval(() => {
      operations.touch(operationId, ref).then(
        (mine) => {
          if (mine || takenOver) return;
          takenOver = true;
          takeover.abort(new Error('Another runner took the sync over.'));
        },
        (error: unknown) => log.warn({ err: error }, 'could not refresh the heartbeat of the sync'),
      );
    }, ctx.heartbeatMs);
    beat.unref();

    let lastNotified = 0;
    const outcome: SyncOutcome = await syncRepository(
      { ...ctx.stores, operations: engineOperations, clock: ctx.clock, log },
      {
        operationId,
        projectId: operation.projectId,
        repositoryId: repository.id,
        provider,
        syncType: operation.syncType,
        includeClosed: operation.includeClosed,
        since: parseSince(job.data.since),
        resumeFrom: operation.checkpoint,
        signal: AbortSignal.any([ctx.closing, job.signal, takeover.signal]),
        pauseOnRateLimit: true,
        onProgress: (progress, results) => {
          const now = ctx.clock().getTime();
          if (now - lastNotified < ctx.progressEveryMs) return;
          lastNotified = now;
          void ctx.notify({ ...operation, status: 'running', progress, results }, 'progress');
        },
      },
    ).finally(() => clearInterval(beat));

    if (outcome.status === 'completed') return notifyFinished(operationId);

    if (outcome.status === 'failed') {
      const retry =
        TRANSIENT_ERRORS.has(outcome.errorCode) &&
        job.retryCount < job.retryLimit &&
        (await operations.requeue(operationId, {
          status: 'pending',
          jobId: queuedJobRef(job.id),
          error: `${outcome.error} Trying again shortly.`,
        }));
      if (!retry) return finishHeld();
      log.warn({ errorCode: outcome.errorCode }, 'sync failed on a transient error; pg-boss retries it');
      const waiting = await operations.get(operationId);
      if (waiting) await ctx.notify(waiting, 'progress');
      throw new RetryableSyncError(outcome.error);
    }

    if (outcome.status === 'waiting') {
      // People watching the operation see why it waits and until when.
      const current = (await operations.get(operationId)) ?? operation;
      const progress = { ...current.progress, rateLimitRemaining: 0, rateLimitResetAt: outcome.resumeAt.toISOString() };
      const nextId = randomUUID();
      await operations.setJob(operationId, queuedJobRef(nextId));
      await operations.saveCheckpoint(operationId, outcome.checkpoint, progress, outcome.results);
      await handOff(job, { id: nextId, repositoryId: repository.id, startAfter: outcome.resumeAt }, log);
      log.info({ resumeAt: outcome.resumeAt, nextJobId: nextId }, 'sync put back in the queue until the rate limit resets');
      await ctx.notify({ ...current, progress, results: outcome.results }, 'progress');
      return;
    }

    // Cancelled: by someone, by this process stopping, or because the job's claim was lost.
    if (takenOver) {
      log.warn({}, 'sync stopped: another runner took it over, believing this one gone');
      return;
    }
    if (await operations.isCancelRequested(operationId)) return finishHeld();
    if (ctx.closing.aborted) {
      const nextId = randomUUID();
      if (!(await operations.requeue(operationId, { status: 'pending', jobId: queuedJobRef(nextId) }))) return finishHeld();
      await handOff(job, { id: nextId, repositoryId: repository.id }, log);
      log.info({ nextJobId: nextId }, 'sync stopped with the process; queued again to resume from its checkpoint');
      return;
    }
    if (!(await operations.requeue(operationId, { status: 'pending', jobId: queuedJobRef(job.id) }))) return finishHeld();
    log.warn({}, "sync stopped: its job's claim was lost (expired or taken over); the job's retry resumes it");
  };

  return async function runSyncJob(job: JobWithMetadata<SyncJobData>): Promise<void> {
    const { operationId } = job.data;
    const log = ctx.log.child({ operationId, jobId: job.id, attempt: job.retryCount + 1 });
    const operation = await operations.get(operationId);
    if (!operation || !ACTIVE.has(operation.status)) {
      log.debug({ status: operation?.status ?? null }, 'sync job skipped: its operation has ended');
      return;
    }
    if (await operations.isCancelRequested(operationId)) {
      await operations.finish(operationId, { status: 'cancelled', results: operation.results, error: 'The sync was cancelled.' });
      await notifyFinished(operationId);
      return;
    }
    if (ctx.closing.aborted && operation.repositoryId) {
      // Fetched as this process began to stop: leave it to the next worker.
      const nextId = randomUUID();
      await operations.setJob(operationId, queuedJobRef(nextId));
      await handOff(job, { id: nextId, repositoryId: operation.repositoryId }, log);
      return;
    }
    try {
      await run(job, operation, log);
    } catch (error) {
      if (error instanceof RetryableSyncError) throw error;
      const lastAttempt =
        job.retryCount >= job.retryLimit ||
        error instanceof SyncJobError ||
        (error instanceof ProviderError && !TRANSIENT_ERRORS.has(error.code));
      log.warn({ err: error, lastAttempt }, 'sync job failed');
      if (!lastAttempt) throw error;
      const reason =
        error instanceof SyncJobError || error instanceof ProviderError
          ? error.message
          : 'The sync stopped on an internal error; the server log has the details.';
      await operations.abandon(operationId, reason);
      await notifyFinished(operationId);
    }
  };
}

function parseSince(since: SyncJobData['since']): { issues: Date | null; security: Date | null } | null {
  if (!since) return null;
  return {
    issues: since.issues ? new Date(since.issues) : null,
    security: since.security ? new Date(since.security) : null,
  };
}
