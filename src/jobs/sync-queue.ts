/**
 * pg-boss on our own connection pool, in a schema of its own (`pgboss`; it creates its tables at
 * start, our migrations and schema checks only look at `public`), with the two queues syncs use:
 *
 * - `sync`: one job per run of an operation, singleton key = the repository connection, policy
 *   `exclusive` (at most one job queued or active per key), so two clicks or two replicas never run
 *   one repository twice. `send` answers null when the key is taken.
 * - `sync-supervise`: the supervisor's ticks, from a pg-boss schedule, so one replica runs each.
 */
import type pg from 'pg';
import { PgBoss, type SendOptions } from 'pg-boss';

export const SYNC_QUEUE = 'sync';
export const SUPERVISE_QUEUE = 'sync-supervise';
export const DEFAULT_SCHEMA = 'pgboss';

/** What a sync job carries: the operation holds everything else (options, checkpoint). */
export interface SyncJobData {
  operationId: string;
  /** An incremental sync's watermarks (ISO), which the operation row does not keep. */
  since?: { issues: string | null; security: string | null } | null;
  /** How many times a supervisor took the operation over from a runner it found gone. */
  takeovers?: number;
}

export interface SyncJobPolicy {
  /** Retries of a job that failed on a transient error or whose worker died (5). */
  retryLimit: number;
  /** First retry delay, doubled each time with jitter (30 s), up to `retryDelayMaxSeconds` (15 min). */
  retryDelaySeconds: number;
  retryDelayMaxSeconds: number;
  /**
   * Longest a single run may hold its job (3 h). A run ends well before: at the end of the sync, or
   * when the rate limit runs out and the job is put back until the reset. Reaching it stops the run
   * between pages and the retry resumes from the checkpoint.
   */
  expireInSeconds: number;
  /**
   * The worker refreshes its job every half of this (60 s); a job not refreshed for this long (its
   * process died or hangs) is failed by pg-boss's supervision and retried, resuming from the checkpoint.
   * pg-boss requires at least 10.
   */
  heartbeatSeconds: number;
}

export const DEFAULT_SYNC_JOB_POLICY: SyncJobPolicy = {
  retryLimit: 5,
  retryDelaySeconds: 30,
  retryDelayMaxSeconds: 15 * 60,
  expireInSeconds: 3 * 60 * 60,
  heartbeatSeconds: 60,
};

/** A completed or failed job is kept a day for inspection (pg-boss's default is a week). */
const DELETE_AFTER_SECONDS = 24 * 60 * 60;

export function createSyncBoss(
  pool: pg.Pool,
  options: { schema?: string; superviseIntervalSeconds?: number } = {},
): PgBoss {
  return new PgBoss({
    // Our pool: one pool per process, and stopping pg-boss leaves it open for whoever owns it.
    db: { executeSql: (text, values) => pool.query(text, values) },
    schema: options.schema ?? DEFAULT_SCHEMA,
    ...(options.superviseIntervalSeconds ? { superviseIntervalSeconds: options.superviseIntervalSeconds } : {}),
  });
}

export async function createSyncQueues(boss: PgBoss, policy: SyncJobPolicy): Promise<void> {
  await boss.createQueue(SYNC_QUEUE, { policy: 'exclusive', ...jobOptions(policy), deleteAfterSeconds: DELETE_AFTER_SECONDS });
  await boss.createQueue(SUPERVISE_QUEUE, {
    policy: 'exclusive',
    retryLimit: 0,
    expireInSeconds: 5 * 60,
    deleteAfterSeconds: 60 * 60,
  });
}

/** Queues a run of an operation; null when a job of the repository is already queued or active. */
export function sendSyncJob(
  boss: PgBoss,
  policy: SyncJobPolicy,
  job: { id: string; repositoryId: string; data: SyncJobData; startAfter?: Date },
): Promise<string | null> {
  return boss.send(SYNC_QUEUE, { ...job.data }, {
    id: job.id,
    singletonKey: job.repositoryId,
    ...jobOptions(policy),
    deleteAfterSeconds: DELETE_AFTER_SECONDS,
    ...(job.startAfter ? { startAfter: job.startAfter } : {}),
  });
}

function jobOptions(policy: SyncJobPolicy): SendOptions {
  return {
    retryLimit: policy.retryLimit,
    retryDelay: policy.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: policy.retryDelayMaxSeconds,
    expireInSeconds: policy.expireInSeconds,
    heartbeatSeconds: policy.heartbeatSeconds,
  };
}
