import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { parseJobRef } from '../../src/jobs/job-ref.js';
import type { PgBossSyncJobsDeps } from '../../src/jobs/pg-boss-sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import type { OperationRecord } from '../../src/store/issue-store.js';
import { createOperationStore } from '../../src/store/prisma-operation-store.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { connectSimulatedRepository } from '../support/simulated-connection.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase } from '../support/test-database.js';

const TOKEN = 'ghp_pgBossRunnerTests';
const KEY = Buffer.alloc(32, 9);
const cipher = createTokenCipher(KEY);
const log = silentLogger();

let github: GitHubSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
/** Runners and extra pools a test opened; closed after it. */
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: TOKEN }), createTestDatabase()]);
});
afterEach(async () => {
  github.onRequest(null);
  for (const resource of opened.splice(0).reverse()) await resource.close();
});
afterAll(async () => {
  await github?.close();
  await database?.drop();
});

const operations = () => createOperationStore(database.db);

async function runner(db: Database = database.db, options: Partial<PgBossSyncJobsDeps> = {}) {
  const jobs = await startTestRunner(db, { cipher, log, ...options });
  opened.push(jobs);
  return jobs;
}

/** A second process's view of the database: its own pool. */
function replicaDatabase(): Database {
  const db = createDatabase(database.url, { max: 5 });
  opened.push(db);
  return db;
}

async function connect(name: string, setup: Parameters<GitHubSimulator['repo']>[2]) {
  const { project, repository } = await connectSimulatedRepository({ db: database.db, github, cipher, token: TOKEN }, name, setup);
  const input = {
    projectId: project.id, repositoryId: repository.id, syncType: 'issues' as const, includeClosed: true, trigger: 'manual' as const,
  };
  return { project, repository, input };
}

/** Page numbers of the repository's full issue listing, in the order they were answered (any status). */
function listingPages(name: string, status?: number): number[] {
  return github.requests
    .filter((request) => request.path.startsWith(`/repos/octo/${name}/issues?`) && !request.path.includes('since='))
    .filter((request) => status === undefined || request.status === status)
    .map((request) => Number(new URL(request.path, github.url).searchParams.get('page') ?? 1));
}

function duplicates(pages: number[]): number[] {
  return [...new Set(pages.filter((page, index) => pages.indexOf(page) !== index))];
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

async function storedCount(repositoryId: string): Promise<number> {
  return database.db.prisma.issue.count({ where: { repositoryId } });
}

/**
 * A replica in a process of its own (fixtures/pg-boss-sync-process.ts) that starts a sync of the
 * repository; `started` resolves with the operation id it prints.
 */
function replicaProcess(projectId: string, repositoryId: string) {
  const fixture = fileURLToPath(new URL('./fixtures/pg-boss-sync-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, database.url, projectId, repositoryId, KEY.toString('hex')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const started = (once(child.stdout!, 'data') as Promise<[Buffer]>).then(([line]) => line.toString().trim());
  return { child, exited, started };
}

/** Holds the requests for one page of the repository's listing until `release()`. */
function holdListingAt(name: string, page: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  github.onRequest(async ({ url }) => {
    if (url.pathname !== `/repos/octo/${name}/issues` || url.searchParams.has('since')) return;
    if (Number(url.searchParams.get('page') ?? 1) === page) await gate;
  });
  return { release };
}

/** Every progress write to an operation, in order, as PostgreSQL saw it (a trigger records them). */
async function recordProgressWrites() {
  await database.db.pool.query(`
    CREATE TABLE IF NOT EXISTS test_progress_writes (seq bigserial PRIMARY KEY, operation_id uuid NOT NULL, progress jsonb NOT NULL);
    CREATE OR REPLACE FUNCTION test_record_progress_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO test_progress_writes (operation_id, progress) VALUES (NEW.id, NEW.progress::jsonb);
        RETURN NEW;
      END $$;
    CREATE OR REPLACE TRIGGER test_record_progress_write AFTER UPDATE OF progress ON "SyncOperation"
      FOR EACH ROW EXECUTE FUNCTION test_record_progress_write();
  `);
  return async (operationId: string): Promise<{ processed: number; total: number | null; percent: number }[]> => {
    const { rows } = await database.db.pool.query<{ progress: { processed: number; total: number | null; percent: number } }>(
      'SELECT progress FROM test_progress_writes WHERE operation_id = $1 ORDER BY seq',
      [operationId],
    );
    return rows.map(({ progress }) => ({ processed: progress.processed, total: progress.total, percent: progress.percent }));
  };
}

describe('sync jobs on pg-boss', () => {
  it('runs a started sync to completion with exact counts and tells listeners it finished', async () => {
    const { repository, input } = await connect('basic', { issues: 250, alerts: 30 });
    const jobs = await runner();
    const finished: OperationRecord[] = [];
    jobs.addListener((operation, event) => {
      if (event === 'finished') finished.push(operation);
    });
    const started = await jobs.start({ ...input, syncType: 'all' });
    expect(started).toMatchObject({ status: 'started', operation: { status: 'pending' } });
    expect(parseJobRef(started.operation.jobId)).toMatchObject({ owner: null });

    const done = await jobs.waitFor(started.operation.id);
    expect(done).toMatchObject({
      status: 'completed',
      results: { created: 280, issues: 250, securityAlerts: 30, failed: 0 },
      progress: { percent: 100 },
    });
    expect(finished.map((operation) => [operation.id, operation.status])).toEqual([[started.operation.id, 'completed']]);
    expect(await storedCount(repository.id)).toBe(280);
  });

  it('two replicas starting the same repository at once run it once', async () => {
    const { repository, input } = await connect('replicas', { issues: 400 });
    const [first, second] = await Promise.all([runner(replicaDatabase()), runner(replicaDatabase())]);
    github.clearRequests();

    const answers = await Promise.all([first.start(input), second.start(input)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual(['already_running', 'started']);
    expect(answers[0].operation.id).toBe(answers[1].operation.id);

    const done = await first.waitFor(answers[0].operation.id);
    expect(done).toMatchObject({ status: 'completed', results: { created: 400, issues: 400 } });
    expect(await database.db.prisma.syncOperation.count({ where: { repositoryId: repository.id } })).toBe(1);
    expect(listingPages('replicas')).toEqual([1, 2, 3, 4]);
    expect(await storedCount(repository.id)).toBe(400);
  });

  it('puts a sync whose rate limit ran out back in the queue until the reset, freeing the worker', async () => {
    const limited = await connect('limited', { issues: 500 });
    const other = await connect('meanwhile', { issues: 50 });
    const resetAt = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
    github.fault({ ...githubFaults.primaryRateLimit(resetAt), path: /^\/repos\/octo\/limited\/issues\?.*page=3/ });
    const jobs = await runner(database.db, { concurrency: 1 });

    const started = await jobs.start(limited.input);
    const waiting = await until(
      () => operations().get(started.operation.id),
      (operation) => operation?.progress.rateLimitResetAt === resetAt.toISOString(),
    );
    expect(waiting).toMatchObject({ status: 'running', checkpoint: { processed: 200 } });
    expect(parseJobRef(waiting!.jobId)?.jobId).not.toBe(parseJobRef(started.operation.jobId)?.jobId);

    // With one worker, another repository syncs while the first waits for its reset.
    const meanwhile = await jobs.start(other.input);
    expect(await jobs.waitFor(meanwhile.operation.id)).toMatchObject({ status: 'completed', results: { created: 50 } });
    expect(Date.now()).toBeLessThan(resetAt.getTime());

    const done = await jobs.waitFor(started.operation.id);
    expect(Date.now()).toBeGreaterThanOrEqual(resetAt.getTime());
    expect(done).toMatchObject({ status: 'completed', results: { created: 500, issues: 500, failed: 0 } });
    expect(listingPages('limited', 200)).toEqual([1, 2, 3, 4, 5]);
    expect(listingPages('limited', 403)).toEqual([3]);
    expect(await storedCount(limited.repository.id)).toBe(500);
  });

  it('retries a sync that failed on a server error beyond the provider retries, and the counts stay exact', async () => {
    const { repository, input } = await connect('flaky', { issues: 300 });
    // One answer plus the provider's three retries.
    github.fault({ ...githubFaults.serverError(502), path: /^\/repos\/octo\/flaky\/issues\?.*page=2/, times: 4 });
    const jobs = await runner();
    const seen: string[] = [];
    jobs.addListener((operation) => {
      seen.push(operation.status);
    });

    const started = await jobs.start(input);
    const done = await jobs.waitFor(started.operation.id);
    expect(done).toMatchObject({ status: 'completed', error: null, results: { created: 300, issues: 300, failed: 0 } });
    expect(seen).toContain('pending');
    expect(listingPages('flaky', 502)).toEqual([2, 2, 2, 2]);
    expect(listingPages('flaky', 200)).toEqual([1, 2, 3]);
    expect(await storedCount(repository.id)).toBe(300);
  });

  it('cancel stops a running sync between pages', async () => {
    const { repository, input } = await connect('cancelled', { issues: 800 });
    const held = holdListingAt('cancelled', 3);
    const jobs = await runner();
    const started = await jobs.start(input);
    await until(() => operations().get(started.operation.id), (operation) => operation?.checkpoint?.processed === 200);

    await database.db.prisma.syncOperation.update({ where: { id: started.operation.id }, data: { cancelRequested: true } });
    await jobs.cancel(started.operation.id);
    held.release();
    const done = await jobs.waitFor(started.operation.id);
    // The page in flight when the cancel came is written, and nothing after it.
    expect(done).toMatchObject({ status: 'cancelled', results: { created: 300 } });
    expect(await storedCount(repository.id)).toBe(300);
    expect(Math.max(...listingPages('cancelled'))).toBeLessThanOrEqual(4);
  });

  it('cancel ends a sync still waiting in the queue without running it', async () => {
    const busy = await connect('busy', { issues: 300 });
    const queued = await connect('queued', { issues: 30 });
    const held = holdListingAt('busy', 2);
    const jobs = await runner(database.db, { concurrency: 1 });
    const running = await jobs.start(busy.input);
    await until(() => operations().get(running.operation.id), (operation) => operation?.status === 'running');
    const waiting = await jobs.start(queued.input);

    await database.db.prisma.syncOperation.update({ where: { id: waiting.operation.id }, data: { cancelRequested: true } });
    await jobs.cancel(waiting.operation.id);
    expect(await operations().get(waiting.operation.id)).toMatchObject({ status: 'cancelled' });
    held.release();
    expect(await jobs.waitFor(running.operation.id)).toMatchObject({ status: 'completed', results: { created: 300 } });
    expect(github.requests.filter((request) => request.path.startsWith('/repos/octo/queued'))).toEqual([]);
  });

  it('close() puts a running sync back in the queue and another replica finishes it', async () => {
    const { repository, input } = await connect('handover', { issues: 600 });
    const held = holdListingAt('handover', 4);
    const leaving = await runner(replicaDatabase());
    const started = await leaving.start(input);
    await until(() => operations().get(started.operation.id), (operation) => operation?.checkpoint?.processed === 300);

    const closing = leaving.close();
    held.release();
    await closing;
    const handedOver = await operations().get(started.operation.id);
    expect(handedOver).toMatchObject({ status: 'pending', checkpoint: { processed: 300 } });
    expect(parseJobRef(handedOver!.jobId)).toMatchObject({ owner: null });

    const next = await runner();
    expect(await next.waitFor(started.operation.id)).toMatchObject({ status: 'completed', results: { created: 600, issues: 600 } });
    // Only the page in flight when the first replica stopped (if its request got out) is fetched twice.
    expect([[], [4]]).toContainEqual(duplicates(listingPages('handover')));
    expect(await storedCount(repository.id)).toBe(600);
  });

  it('a resumed sync goes on from its checkpoint\'s processed count and total: the percent never goes backwards', async () => {
    const progressWrites = await recordProgressWrites();
    const { input } = await connect('resumed-progress', { issues: 600 });
    const held = holdListingAt('resumed-progress', 4);
    const leaving = await runner(replicaDatabase());
    const { operation } = await leaving.start(input);
    await until(() => operations().get(operation.id), (current) => current?.checkpoint?.processed === 300);
    const closing = leaving.close();
    held.release();
    await closing;
    const stored = (await operations().get(operation.id))!.progress;
    expect(stored).toMatchObject({ processed: 300, total: 600, percent: 50 });
    const before = (await progressWrites(operation.id)).length;

    const next = await runner();
    expect(await next.waitFor(operation.id)).toMatchObject({ status: 'completed', progress: { percent: 100 } });
    const writes = await progressWrites(operation.id);
    const [first] = writes.slice(before);
    expect(first).toEqual({ processed: 300, total: 600, percent: 50 });
    const percents = writes.map((write) => write.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('a new sync continuing an interrupted one starts from that one\'s processed count, total and percent', async () => {
    const { input } = await connect('continued', { issues: 600 });
    const interrupted = await operations().create({ ...input, jobId: 'cli:elsewhere:1' });
    const results = { created: 300, updated: 0, skipped: 0, failed: 0, issues: 300, securityAlerts: 0, skippedParts: [] };
    const checkpoint = {
      part: 'issues' as const, phase: 'list' as const, cursor: null, listStartedAt: null, done: [], results, processed: 300,
      watermarks: { issues: null, security: null },
      progress: { totals: { issues: 600 }, processedByPart: { issues: 300 }, percent: 50 },
    };
    await operations().saveCheckpoint(interrupted.id, checkpoint, { stage: 'issues', processed: 300, total: 600, percent: 50 }, results);
    await operations().finish(interrupted.id, { status: 'failed', results, error: 'The process running this sync stopped before it finished.' });

    const jobs = await runner(database.db, { startWorkers: false });
    const started = await jobs.start(input);
    expect(started).toMatchObject({ status: 'started', operation: { progress: { processed: 300, total: 600, percent: 50 } } });
    await operations().finish(started.operation.id, { status: 'cancelled', results, error: 'Not run by this test.' });
  });

  it('the supervisor resumes an operation left running without a job', async () => {
    const { repository, input } = await connect('orphan', { issues: 150 });
    // Its own ticks held off: this pass is the one under test.
    const jobs = await runner(database.db, { superviseEverySeconds: 3600 });
    const operation = await operations().create({ ...input, jobId: 'pgboss:00000000-0000-4000-8000-000000000000' });
    await database.db.prisma.syncOperation.update({
      where: { id: operation.id },
      data: { status: 'running', heartbeatAt: new Date(Date.now() - 60_000) },
    });

    expect(await jobs.supervise()).toMatchObject({ resumed: [operation.id] });
    expect(await jobs.waitFor(operation.id)).toMatchObject({ status: 'completed', results: { created: 150 } });
    expect(await storedCount(repository.id)).toBe(150);
  });

  it('a sync process killed mid-run resumes and ends with exact counts, refetching at most one page', async () => {
    const { repository, project } = await connect('killed', { issues: 1000 });
    const held = holdListingAt('killed', 3);
    github.clearRequests();
    const { child, exited, started } = replicaProcess(project.id, repository.id);
    try {
      const operationId = await started;
      await until(() => operations().get(operationId), (operation) => operation?.checkpoint?.processed === 200);
      child.kill('SIGKILL');
      await exited;
      held.release();

      const orphaned = await operations().get(operationId);
      expect(orphaned).toMatchObject({ status: 'running', jobId: expect.stringMatching(new RegExp(`:${child.pid}$`)) });

      const jobs = await runner();
      const done = await jobs.waitFor(operationId);
      expect(done).toMatchObject({ status: 'completed', results: { created: 1000, issues: 1000, failed: 0 } });
      expect(await storedCount(repository.id)).toBe(1000);
      const pages = listingPages('killed');
      expect(new Set(pages)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
      // Only the page in flight when the process died (if its request got out) is fetched twice.
      expect([[], [3]]).toContainEqual(duplicates(pages));
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('a runner whose operation was taken over stops at its next heartbeat and leaves the operation alone', async () => {
    const { input } = await connect('fenced', { issues: 400 });
    const held = holdListingAt('fenced', 2);
    const jobs = await runner(database.db, { superviseEverySeconds: 3600, heartbeatMs: 200 });
    const started = await jobs.start(input);
    await until(() => operations().get(started.operation.id), (operation) => operation?.checkpoint?.processed === 100);
    // As a supervisor that believed this runner dead: the operation now belongs to another job.
    const other = 'pgboss:00000000-0000-4000-8000-00000000beef';
    expect(await operations().setJob(started.operation.id, other)).toBe(true);
    await sleep(1000);
    held.release();
    await sleep(1000);
    // The run stopped (no later page was asked for) without writing its end or taking the operation back.
    expect(listingPages('fenced').filter((page) => page > 2)).toEqual([]);
    expect(await operations().get(started.operation.id)).toMatchObject({ status: 'running', jobId: other });
    await operations().finish(started.operation.id, { status: 'cancelled', results: started.operation.results, error: 'Not run by this test.' });
  });

  it('a frozen replica (SIGSTOP) is taken over by a live one once its heartbeat is silent; woken, it stops; the counts stay exact', async () => {
    const { repository, project } = await connect('frozen', { issues: 1000 });
    const held = holdListingAt('frozen', 3);
    github.clearRequests();
    const { child, exited, started } = replicaProcess(project.id, repository.id);
    try {
      const operationId = await started;
      const frozen = await until(() => operations().get(operationId), (operation) => operation?.checkpoint?.processed === 200);
      expect(frozen!.jobId).toMatch(new RegExp(`@serve:.*:${child.pid}$`));
      // The live replica starts once the other runs the sync (held at page 3), so it cannot take the job first.
      const live = await runner(database.db, { superviseEverySeconds: 1 });
      // Alive on this host, but silent: only its heartbeat can tell.
      child.kill('SIGSTOP');
      held.release();
      const done = await live.waitFor(operationId);
      expect(done).toMatchObject({ status: 'completed', results: { created: 1000, issues: 1000, failed: 0 } });
      expect(await storedCount(repository.id)).toBe(1000);
      // Woken, the frozen replica finds the sync taken over and writes nothing more.
      child.kill('SIGCONT');
      await sleep(3000);
      expect(await operations().get(operationId)).toMatchObject({ status: 'completed', results: { created: 1000 } });
      expect(await storedCount(repository.id)).toBe(1000);
      const pages = listingPages('frozen', 200);
      expect(new Set(pages)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
