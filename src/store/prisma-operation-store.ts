/**
 * SyncOperation rows: status, progress, results and the checkpoint a resumed sync starts from.
 */
import type { Database } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { ActiveOperationError } from './issue-store.js';
import type {
  OperationReply,
  OperationRecord,
  OperationStore,
  SyncCheckpoint,
  SyncProgress,
  SyncResults,
} from './issue-store.js';
import { emptyResults } from '../sync/progress-tracker.js';

type Row = Awaited<ReturnType<Database['prisma']['syncOperation']['findUniqueOrThrow']>>;

const json = (value: unknown) => value as Prisma.InputJsonValue;

export function toOperationRecord(row: Row): OperationRecord {
  const progress = row.progress as Partial<SyncProgress>;
  return {
    id: row.id,
    projectId: row.projectId,
    repositoryId: row.repositoryId,
    status: row.status,
    syncType: row.syncType,
    includeClosed: row.includeClosed,
    trigger: row.trigger,
    progress: {
      stage: progress.stage ?? 'queued',
      processed: progress.processed ?? 0,
      total: progress.total ?? null,
      percent: progress.percent ?? 0,
      rateLimitRemaining: progress.rateLimitRemaining ?? null,
      rateLimitResetAt: progress.rateLimitResetAt ?? null,
    },
    results: { ...emptyResults(), ...(row.results as Partial<SyncResults>) },
    checkpoint: (row.checkpoint as SyncCheckpoint | null) ?? null,
    error: row.error,
    jobId: row.jobId,
    reply: (row.reply as OperationReply | null) ?? null,
    heartbeatAt: row.heartbeatAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    createdAt: row.createdAt,
  };
}

/** Prisma's P2002, or PostgreSQL's 23505 when it comes through the driver adapter. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string }; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } };
  return (
    e?.code === 'P2002' ||
    e?.code === '23505' ||
    e?.cause?.code === '23505' ||
    e?.meta?.driverAdapterError?.cause?.originalCode === '23505'
  );
}

export function createOperationStore(db: Database, clock: () => Date = () => new Date()): OperationStore {
  const { prisma } = db;
  /** Sets `assignments` (parameters from $2; $1 is the id) on one operation; as Prisma's update, fails when it is gone. */
  const updateOperation = async (assignments: string, values: unknown[]) => {
    const result = await db.pool.query(`UPDATE "SyncOperation" SET ${assignments}, "updatedAt" = now() WHERE id = $1::uuid`, values);
    if (result.rowCount === 0) throw new Error(`Sync operation ${String(values[0])} does not exist (any more).`);
  };
  const findLatest = async (repositoryId: string) => {
    const row = await prisma.syncOperation.findFirst({
      where: { repositoryId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    return row ? toOperationRecord(row) : null;
  };
  return {
    async create(input) {
      const data = {
        projectId: input.projectId,
        repositoryId: input.repositoryId,
        syncType: input.syncType,
        includeClosed: input.includeClosed,
        trigger: input.trigger,
        requestedById: input.requestedBy ?? null,
        jobId: input.jobId ?? null,
        ...(input.reply ? { reply: json(input.reply) } : {}),
        progress: json({ stage: 'queued', processed: 0, total: null, percent: 0 }),
        results: json(emptyResults()),
        heartbeatAt: clock(),
      };
      const row = await prisma.syncOperation.create({ data }).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new ActiveOperationError(input.repositoryId);
        throw error;
      });
      return toOperationRecord(row);
    },

    async findActive(repositoryId) {
      const row = await prisma.syncOperation.findFirst({
        where: { repositoryId, status: { in: ['pending', 'running'] } },
      });
      return row ? toOperationRecord(row) : null;
    },

    findLatest,

    async abandon(id, reason) {
      const { count } = await prisma.syncOperation.updateMany({
        where: { id, status: { in: ['pending', 'running'] } },
        data: { status: 'failed', error: reason, completedAt: clock() },
      });
      return count > 0;
    },

    async setReply(id, reply) {
      await prisma.syncOperation.update({ where: { id }, data: { reply: json(reply) } });
    },

    async get(id) {
      const row = await prisma.syncOperation.findUnique({ where: { id } });
      return row ? toOperationRecord(row) : null;
    },

    async start(id) {
      // startedAt is the first start only; a resumed run keeps it.
      await db.pool.query(
        `UPDATE "SyncOperation" SET status = 'running', "heartbeatAt" = $2, "startedAt" = COALESCE("startedAt", $2),
                "updatedAt" = now()
          WHERE id = $1::uuid AND status IN ('pending', 'running')`,
        [id, clock()],
      );
    },

    // Progress, checkpoints and the cancel check run after every page of every sync: plain SQL,
    // without the couple of ms of CPU a Prisma query costs, which the sync would wait for.
    async saveProgress(id, progress, results) {
      await updateOperation(
        'progress = $2::jsonb, results = $3::jsonb, "heartbeatAt" = $4',
        [id, JSON.stringify(progress), JSON.stringify(results), clock()],
      );
    },

    async saveCheckpoint(id, checkpoint, progress, results) {
      await updateOperation(
        'checkpoint = $2::jsonb, progress = $3::jsonb, results = $4::jsonb, "heartbeatAt" = $5',
        [id, JSON.stringify(checkpoint), JSON.stringify(progress), JSON.stringify(results), clock()],
      );
    },

    async finish(id, outcome) {
      await prisma.syncOperation.update({
        where: { id },
        data: {
          status: outcome.status,
          results: json(outcome.results),
          error: outcome.error ?? null,
          completedAt: clock(),
          heartbeatAt: clock(),
        },
      });
    },

    async findResumable(repositoryId, input) {
      const latest = await findLatest(repositoryId);
      if (!latest || latest.checkpoint === null) return null;
      if (latest.status !== 'cancelled' && latest.status !== 'failed') return null;
      if (latest.syncType !== input.syncType || latest.includeClosed !== input.includeClosed) return null;
      return latest;
    },

    async isCancelRequested(id) {
      const result = await db.pool.query<{ cancelRequested: boolean }>(
        'SELECT "cancelRequested" FROM "SyncOperation" WHERE id = $1::uuid',
        [id],
      );
      return result.rows[0]?.cancelRequested ?? false;
    },

    async touch(id, jobId) {
      const result = await db.pool.query(
        `UPDATE "SyncOperation" SET "heartbeatAt" = $3 WHERE id = $1::uuid AND "jobId" = $2 AND status IN ('pending', 'running')`,
        [id, jobId, clock()],
      );
      return result.rowCount === 1;
    },

    async setJob(id, jobId, options = {}) {
      const { count } = await prisma.syncOperation.updateMany({
        where: { id, ...(options.expected !== undefined ? { jobId: options.expected } : {}) },
        data: { jobId, heartbeatAt: clock() },
      });
      return count > 0;
    },

    async requeue(id, input) {
      const { count } = await prisma.syncOperation.updateMany({
        where: { id, status: { in: ['pending', 'running'] }, cancelRequested: false },
        data: { status: input.status, jobId: input.jobId, error: input.error ?? null, heartbeatAt: clock() },
      });
      return count > 0;
    },

    async listActive() {
      const rows = await prisma.syncOperation.findMany({
        where: { status: { in: ['pending', 'running'] } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return rows.map(toOperationRecord);
    },
  };
}
