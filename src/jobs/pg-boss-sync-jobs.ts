/**
 * Runs syncs as durable pg-boss jobs in the same PostgreSQL, so any replica can run any sync and a
 * crash loses at most one page of work.
 *
 * - start() writes the operation first (the API can answer at once), then queues its job. One
 *   active operation per repository is enforced by the operations' unique index; the queue's
 *   `exclusive` policy keyed by repository keeps a second job from running it twice.
 * - A worker (at most `concurrency` per process) runs the engine from the operation's checkpoint;
 *   see run-sync-job.ts for what each outcome does to the job.
 * - The supervisor (supervise-operations.ts) resumes or fails operations whose process died.
 * - close() stops taking jobs, stops running syncs between pages, puts them back to `pending` with a
 *   new job (another replica, or this one after a restart, resumes them), then stops pg-boss.
 *
 * Listeners hear about operations this process runs: progress (throttled) and their end. An
 * operation that finishes on another replica is not announced here; waitFor() still sees it,
 * because it reads the operation from the database.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { JobWithMetadata } from 'pg-boss';
import type { Logger } from '../logger.js';
import type { Provider } from '../providers/provider.js';
import type {
  IssueStore,
  OperationRecord,
  OperationStore,
  RepositoryRecord,
  RepositoryStore,
} from '../store/issue-store.js';
import { resumedProgress } from '../sync/progress-tracker.js';
import { claimOperation } from './claim-operation.js';
import { createOperationListeners } from './operation-listeners.js';
import { parseJobRef, queuedJobRef } from './job-ref.js';
import { processOwnerId } from './process-owner.js';
import { createSyncJobHandler } from './run-sync-job.js';
import { RUN_HEARTBEAT_MS, superviseOperations, type SupervisionReport } from './supervise-operations.js';
import type { SyncJobs } from './sync-jobs.js';
import {
  createSyncBoss,
  createSyncQueues,
  DEFAULT_SYNC_JOB_POLICY,
  sendSyncJob,
  SUPERVISE_QUEUE,
  SYNC_QUEUE,
  type SyncJobData,
  type SyncJobPolicy,
} from './sync-queue.js';

export interface PgBossSyncJobsDeps {
  /** The process's pool; pg-boss keeps its tables in `schema` (`pgboss`) of the same database. */
  pool: pg.Pool;
  stores: { issues: IssueStore; operations: OperationStore; repositories: RepositoryStore };
  /** The provider for a connected repository (decrypted token, or the GitHub App's installation client). */
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  log: Logger;
  clock?: () => Date;
  /** Syncs this process runs at once (4); more wait in the queue. */
  concurrency?: number;
  /** Retries, backoff, expiry and heartbeat of sync jobs (see sync-queue.ts). */
  policy?: Partial<SyncJobPolicy>;
  /** How often an idle worker looks for jobs (2 s); jobs started in this process wake it at once. */
  pollingIntervalSeconds?: number;
  /** An operation with no word from its runner for this long may be taken over by the supervisor (2 min). */
  staleAfterMs?: number;
  /** How often the supervisor looks for operations whose runner is gone (every 2 s, one replica at a time). */
  superviseEverySeconds?: number;
  /** A running operation whose heartbeat is this old is taken over (6 s; see supervise-operations.ts). */
  takeoverAfterMs?: number;
  /** How often a run refreshes its operation's heartbeat (2 s). */
  heartbeatMs?: number;
  /** How often pg-boss fails jobs whose heartbeat or expiry ran out (60 s). */
  bossSuperviseIntervalSeconds?: number;
  /** How often listeners hear about progress (5 s). */
  progressEveryMs?: number;
  /** How often waitFor() reads an operation another replica runs (1 s). */
  waitPollMs?: number;
  schema?: string;
  /**
   * Start this process's workers and the supervisor right away (true). False leaves it to
   * startWorkers(), for a service whose provider opener needs something started after the runner.
   */
  startWorkers?: boolean;
}

export interface PgBossSyncJobs extends SyncJobs {
  /** Drops a job still queued and finishes its operation as cancelled (after `cancelRequested` was set). */
  cancel(operationId: string): Promise<void>;
  /** One supervisor pass now (it also runs on its schedule and when the workers start). */
  supervise(): Promise<SupervisionReport>;
  /** Starts taking jobs (once; see `startWorkers` in the deps). */
  startWorkers(): Promise<void>;
  /**
   * Runs `run` about every `seconds` through a queue of its own (the poller, the stale check): every
   * replica offers a tick on its timer, and the queue's `exclusive` policy lets one be queued or run at
   * a time, so one replica runs each and ticks never overlap. Unlike a pg-boss cron schedule (a minute
   * at the least) this keeps a short STALE_CHECK_INTERVAL_S or POLL_INTERVAL_S. A tick that fails is
   * logged and not retried: the next one comes soon.
   */
  every(name: string, seconds: number, run: () => Promise<unknown>): Promise<void>;
  /** Jobs per queue as pg-boss last counted them (its monitor recounts every minute), for the metrics. */
  queueDepths(): Promise<{ queue: string; ready: number; deferred: number; active: number }[]>;
}

const ACTIVE: ReadonlySet<string> = new Set(['pending', 'running']);
const QUEUED_STATES: ReadonlySet<string> = new Set(['created', 'retry']);
const LIVE_STATES: ReadonlySet<string> = new Set(['created', 'retry', 'active']);

export async function createPgBossSyncJobs(deps: PgBossSyncJobsDeps): Promise<PgBossSyncJobs> {
  const { stores, log } = deps;
  const { operations } = stores;
  const clock = deps.clock ?? (() => new Date());
  const policy: SyncJobPolicy = { ...DEFAULT_SYNC_JOB_POLICY, ...deps.policy };
  const staleAfterMs = deps.staleAfterMs ?? 2 * 60_000;
  const waitPollMs = deps.waitPollMs ?? 1000;
  const listeners = createOperationListeners(log);
  const waiters = new Map<string, Set<() => void>>();
  /** Runs of this process by operation id, settled once their listeners were told. */
  const local = new Map<string, Promise<void>>();
  const closing = new AbortController();
  let closed: Promise<void> | null = null;

  const boss = createSyncBoss(deps.pool, {
    ...(deps.schema ? { schema: deps.schema } : {}),
    ...(deps.bossSuperviseIntervalSeconds ? { superviseIntervalSeconds: deps.bossSuperviseIntervalSeconds } : {}),
  });
  boss.on('error', (error) => log.warn({ err: error }, 'pg-boss error'));
  boss.on('warning', (warning) => log.warn({ data: warning.data }, `pg-boss warning: ${warning.message}`));

  const wake = (operationId?: string) => {
    const sets = operationId ? [waiters.get(operationId)] : [...waiters.values()];
    for (const set of sets) for (const resolve of set ?? []) resolve();
  };

  const notify = async (operation: OperationRecord, event: 'progress' | 'finished') => {
    await listeners.notify(operation, event);
    if (event === 'finished') wake(operation.id);
  };

  /** Whether the operation's job is still queued or running; null when it has no pg-boss job (yet). */
  const isRunning = async (operation: OperationRecord): Promise<boolean | null> => {
    const ref = parseJobRef(operation.jobId);
    if (!ref) return null;
    const [job] = await boss.findJobs(SYNC_QUEUE, { id: ref.jobId });
    return job ? LIVE_STATES.has(job.state) : null;
  };

  /**
   * Queues the operation's first job. The repository's key can still be held by a job of an earlier
   * operation: a deferred or retrying one whose operation has ended since is dropped, an active one
   * is about to complete.
   */
  const enqueue = async (jobId: string, repositoryId: string, data: SyncJobData) => {
    for (let attempt = 1; ; attempt++) {
      if (await sendSyncJob(boss, policy, { id: jobId, repositoryId, data })) return;
      for (const job of await boss.findJobs<SyncJobData>(SYNC_QUEUE, { key: repositoryId, queued: true })) {
        const owner = await operations.get(job.data.operationId);
        if (!owner || !ACTIVE.has(owner.status)) await boss.cancel(SYNC_QUEUE, job.id);
      }
      if (attempt >= 20) {
        throw new Error(`A job of an earlier sync of repository ${repositoryId} is still in the queue; try again in a minute.`);
      }
      await sleep(250);
    }
  };

  const supervise = async () => {
    const report = await superviseOperations({
      boss, policy, operations, log: log.child({ component: 'sync-supervisor' }), clock, staleAfterMs,
      finished: (operation) => notify(operation, 'finished'),
      ...(deps.takeoverAfterMs ? { takeoverAfterMs: deps.takeoverAfterMs } : {}),
    });
    // A job queued to take over runs here at once, not at this worker's next poll.
    if (workerId && report.retried.length + report.resumed.length > 0) boss.notifyWorker(workerId);
    return report;
  };

  const handle = createSyncJobHandler({
    boss,
    policy,
    stores,
    openProvider: deps.openProvider,
    log,
    clock,
    owner: processOwnerId('serve'),
    closing: closing.signal,
    notify,
    progressEveryMs: deps.progressEveryMs ?? 5000,
    heartbeatMs: deps.heartbeatMs ?? RUN_HEARTBEAT_MS,
  });

  /**
   * Every `seconds`, offers a tick to the exclusive queue `name` (one queued or running at a time,
   * whichever replica offers it) and wakes this process's worker for it. The first tick comes one
   * period after start, as a cron schedule's would.
   */
  const offerTicks = (name: string, seconds: number, worker: string) => {
    const offer = () => {
      if (closing.signal.aborted) return;
      boss
        .send(name, {}, { retryLimit: 0 })
        .then((id) => {
          if (id) boss.notifyWorker(worker);
        })
        .catch((error: unknown) => log.warn({ err: error, queue: name }, 'could not offer a tick'));
    };
    const timer = setInterval(offer, seconds * 1000);
    timer.unref();
    closing.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  };

  let workerId: string | null = null;
  let working: Promise<void> | null = null;
  const startWorkers = async () => {
    workerId = await boss.work(
      SYNC_QUEUE,
      {
        includeMetadata: true,
        batchSize: 1,
        localConcurrency: deps.concurrency ?? 4,
        pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2,
      },
      async ([job]: JobWithMetadata<SyncJobData>[]) => {
        if (!job) return;
        const { operationId } = job.data;
        const run = handle(job);
        const settled = run.then(() => undefined, () => undefined);
        local.set(operationId, settled);
        try {
          await run;
        } finally {
          if (local.get(operationId) === settled) local.delete(operationId);
        }
      },
    );
    // Every few seconds rather than on a cron schedule (a minute at the least): a sync whose runner
    // died is taken over within about ten seconds.
    const superviseEvery = deps.superviseEverySeconds ?? 2;
    const supervisor = await boss.work(SUPERVISE_QUEUE, { pollingIntervalSeconds: Math.max(0.5, superviseEvery / 2) }, async () => {
      await supervise();
    });
    offerTicks(SUPERVISE_QUEUE, superviseEvery, supervisor);
    // Earlier versions ticked the supervisor from a cron schedule: ours does now.
    await boss.unschedule(SUPERVISE_QUEUE).catch(() => undefined);
    await supervise().catch((error: unknown) => log.warn({ err: error }, 'supervisor pass failed'));
  };

  await boss.start();
  try {
    await createSyncQueues(boss, policy);
    if (deps.startWorkers ?? true) await (working = startWorkers());
  } catch (error) {
    await boss.stop({ graceful: false, close: false }).catch(() => undefined);
    throw error;
  }

  return {
    async start(input) {
      if (closing.signal.aborted) throw new Error('The sync runner is shutting down.');
      const jobId = randomUUID();
      const claim = await claimOperation(operations, { ...input, jobId: queuedJobRef(jobId) }, { clock, isRunning });
      if (claim.status === 'already_running') return claim;
      const { operation, resumeFrom } = claim;
      // The job resumes from the operation's own checkpoint, whichever replica runs it.
      if (resumeFrom) {
        await operations.saveCheckpoint(
          operation.id,
          resumeFrom,
          resumedProgress(resumeFrom, operation.progress.stage),
          resumeFrom.results,
        );
      }
      const since = input.since
        ? { issues: input.since.issues?.toISOString() ?? null, security: input.since.security?.toISOString() ?? null }
        : null;
      try {
        await enqueue(jobId, input.repositoryId, { operationId: operation.id, since });
      } catch (error) {
        await operations.abandon(operation.id, 'The sync could not be queued.').catch(() => undefined);
        throw error;
      }
      if (workerId) boss.notifyWorker(workerId);
      return { status: 'started', operation: (await operations.get(operation.id)) ?? operation };
    },

    async waitFor(operationId) {
      for (;;) {
        const operation = await operations.get(operationId);
        if (!operation || !ACTIVE.has(operation.status) || closing.signal.aborted) {
          // Run here: answer once the run is over and its listeners were told.
          const run = local.get(operationId);
          if (!run) return operation;
          await run;
          return operations.get(operationId);
        }
        await new Promise<void>((resolve) => {
          const set = waiters.get(operationId) ?? new Set();
          waiters.set(operationId, set);
          const done = () => {
            clearTimeout(timer);
            set.delete(done);
            if (set.size === 0) waiters.delete(operationId);
            resolve();
          };
          const timer = setTimeout(done, waitPollMs);
          set.add(done);
        });
      }
    },

    addListener(listener) {
      listeners.add(listener);
    },

    async cancel(operationId) {
      const operation = await operations.get(operationId);
      if (!operation || !ACTIVE.has(operation.status)) return;
      const ref = parseJobRef(operation.jobId);
      const [job] = ref ? await boss.findJobs(SYNC_QUEUE, { id: ref.jobId }) : [];
      // A running sync stops at its next page; one still waiting in the queue (for a worker, a
      // retry or a rate limit's reset) ends now.
      if (!job || !QUEUED_STATES.has(job.state)) return;
      await boss.cancel(SYNC_QUEUE, job.id);
      await operations.finish(operationId, { status: 'cancelled', results: operation.results, error: 'The sync was cancelled.' });
      const cancelled = await operations.get(operationId);
      if (cancelled) await notify(cancelled, 'finished');
    },

    supervise,

    async queueDepths() {
      const queues = await boss.getQueues();
      return queues.map((queue) => ({ queue: queue.name, ready: queue.readyCount, deferred: queue.deferredCount, active: queue.activeCount }));
    },

    async every(name, seconds, run) {
      if (closing.signal.aborted) throw new Error('The sync runner is shutting down.');
      await boss.createQueue(name, { policy: 'exclusive', retryLimit: 0, expireInSeconds: 10 * 60, deleteAfterSeconds: 60 * 60 });
      const worker = await boss.work(name, { pollingIntervalSeconds: Math.max(0.5, Math.min(2, seconds / 2)) }, async () => {
        await run();
      });
      offerTicks(name, seconds, worker);
    },

    async startWorkers() {
      if (closing.signal.aborted) throw new Error('The sync runner is shutting down.');
      working ??= startWorkers();
      await working;
    },

    close() {
      closed ??= (async () => {
        closing.abort(new Error('The service is stopping.'));
        wake();
        await boss.offWork(SYNC_QUEUE, { wait: true }).catch((error: unknown) => log.warn({ err: error }, 'sync workers did not stop cleanly'));
        await boss.stop({ graceful: true, close: false, timeout: 30_000 });
      })();
      return closed;
    },
  };
}
