/**
 * When the supervisor takes over a run that another machine's replica stopped beating for (a lost
 * machine, a frozen process: only the silence tells): after three missed heartbeats, so that with
 * the supervisor's 2 s tick a dead replica's sync is picked up within 10 s, however the death falls
 * between two beats. The clock is injected; the queue and the database are real.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import { parseJobRef, runningJobRef } from '../../src/jobs/job-ref.js';
import { RUN_HEARTBEAT_MS, superviseOperations } from '../../src/jobs/supervise-operations.js';
import { createSyncBoss, createSyncQueues, DEFAULT_SYNC_JOB_POLICY, sendSyncJob, SYNC_QUEUE } from '../../src/jobs/sync-queue.js';
import { createLogger } from '../../src/logger.js';
import type { OperationStore } from '../../src/store/issue-store.js';
import { storesOf } from '../support/sync-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A replica on another machine: its process cannot be looked up from here. */
const ELSEWHERE = 'serve:replica-b.example:4242';

let database: TestDatabase;
let boss: PgBoss;
let operations: OperationStore;
const log = createLogger({ level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
  boss = createSyncBoss(database.db.pool);
  await boss.start();
  await createSyncQueues(boss, DEFAULT_SYNC_JOB_POLICY);
  operations = storesOf(database.db).operations;
});

afterAll(async () => {
  await boss?.stop({ graceful: false, close: false });
  await database?.drop();
});

/** A sync that a replica elsewhere took from the queue and last beat for at the returned instant. */
async function runningElsewhere(name: string): Promise<{ operationId: string; lastBeat: number }> {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: name, name } });
  const repository = await prisma.repositoryConnection.create({
    data: { projectId: project.id, provider: 'github', fullPath: `octo/${name}`, url: `https://github.com/octo/${name}` },
  });
  const operation = await operations.create({
    projectId: project.id, repositoryId: repository.id, syncType: 'issues', includeClosed: true, trigger: 'manual',
  });
  const jobId = randomUUID();
  await sendSyncJob(boss, DEFAULT_SYNC_JOB_POLICY, { id: jobId, repositoryId: repository.id, data: { operationId: operation.id } });
  const [job] = await boss.fetch(SYNC_QUEUE);
  expect(job?.id).toBe(jobId);
  await operations.start(operation.id);
  expect(await operations.setJob(operation.id, runningJobRef(jobId, ELSEWHERE))).toBe(true);
  const { heartbeatAt } = (await operations.get(operation.id))!;
  return { operationId: operation.id, lastBeat: heartbeatAt!.getTime() };
}

function supervise(at: number) {
  return superviseOperations({
    boss, policy: DEFAULT_SYNC_JOB_POLICY, operations, log, clock: () => new Date(at), staleAfterMs: 60_000,
  });
}

describe('the supervisor and a silent replica', () => {
  it('takes a run over after three missed heartbeats, not before', async () => {
    const { operationId, lastBeat } = await runningElsewhere('silent');
    // Two beats missed and most of the third: still the replica's.
    expect((await supervise(lastBeat + 3 * RUN_HEARTBEAT_MS - 100)).retried).toEqual([]);
    expect(parseJobRef((await operations.get(operationId))!.jobId)?.owner).toBe(ELSEWHERE);
    // The third missed: a new queued job resumes it.
    expect((await supervise(lastBeat + 3 * RUN_HEARTBEAT_MS)).retried).toEqual([operationId]);
    const taken = await operations.get(operationId);
    expect(parseJobRef(taken!.jobId)).toMatchObject({ owner: null });
  });
});
