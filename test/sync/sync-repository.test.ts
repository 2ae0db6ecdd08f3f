import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubProvider } from '../../src/providers/github/github-provider.js';
import { createIssueStore } from '../../src/store/prisma-issue-store.js';
import { createOperationStore } from '../../src/store/prisma-operation-store.js';
import { createRepositoryStore } from '../../src/store/prisma-repository-store.js';
import type { OperationStore, SyncProgress } from '../../src/store/issue-store.js';
import { syncRepository, type SyncEngineDeps, type SyncRequest } from '../../src/sync/sync-repository.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator(), createTestDatabase()]);
});
afterAll(async () => {
  await github?.close();
  await database?.drop();
});

async function setUp(name: string) {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: name, name } });
  const repository = await prisma.repositoryConnection.create({
    data: { projectId: project.id, provider: 'github', fullPath: `octo/${name}`, url: `https://github.com/octo/${name}` },
  });
  const operations = createOperationStore(database.db);
  const progressWrites: SyncProgress[] = [];
  const spied: OperationStore = {
    ...operations,
    saveProgress: async (id, progress, results) => {
      progressWrites.push(progress);
      await operations.saveProgress(id, progress, results);
    },
    saveCheckpoint: async (id, checkpoint, progress, results) => {
      progressWrites.push(progress);
      await operations.saveCheckpoint(id, checkpoint, progress, results);
    },
  };
  const deps: SyncEngineDeps = {
    issues: createIssueStore(database.db),
    operations: spied,
    repositories: createRepositoryStore(database.db),
    progressMinIntervalMs: 0,
  };
  const newOperation = () =>
    operations.create({ projectId: project.id, repositoryId: repository.id, syncType: 'issues', includeClosed: true, trigger: 'manual' });
  const request = (operationId: string, extra: Partial<SyncRequest> = {}): SyncRequest => ({
    operationId,
    projectId: project.id,
    repositoryId: repository.id,
    provider: createGitHubProvider({ repo: `octo/${name}`, apiUrl: github.url, sleep: async () => undefined }),
    syncType: 'issues',
    includeClosed: true,
    ...extra,
  });
  const count = () => prisma.issue.count({ where: { projectId: project.id } });
  return { deps, operations, newOperation, request, count, progressWrites, repositoryId: repository.id };
}

describe('syncRepository', () => {
  it('records progress after every batch, and the finished operation with its results and watermark', async () => {
    const repo = github.repo('octo', 'progress', { issues: 230 });
    const { deps, operations, newOperation, request, progressWrites, repositoryId } = await setUp('progress');
    const operation = await newOperation();
    const outcome = await syncRepository(deps, request(operation.id));
    expect(outcome.status).toBe('completed');

    const processed = progressWrites.map((progress) => progress.processed);
    for (let i = 1; i < processed.length; i += 1) expect(processed[i]! - processed[i - 1]!).toBeLessThanOrEqual(50);
    expect(processed).toEqual(expect.arrayContaining([50, 100, 150, 200, 230]));
    expect(progressWrites.some((progress) => progress.percent > 0 && progress.percent < 100)).toBe(true);

    const stored = await operations.get(operation.id);
    expect(stored).toMatchObject({
      status: 'completed',
      progress: { stage: 'done', percent: 100, processed: 230, total: 230 },
      results: { created: 230, updated: 0, skipped: 0, failed: 0, issues: 230 },
    });
    expect(stored!.startedAt).toBeInstanceOf(Date);
    expect(stored!.completedAt).toBeInstanceOf(Date);
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    const newest = Math.max(...Array.from({ length: 230 }, (_, i) => Date.parse(repo.issue(i + 1).updated_at as string)));
    expect(connection.issuesWatermark?.getTime()).toBe(newest);
    expect(connection.lastSyncAt).toBeInstanceOf(Date);
  });

  it('passes new closed items it leaves out (closed not included) with the watermark, so no check sees them as missed', async () => {
    const repo = github.repo('octo', 'closed-news', { issues: [{ state: 'open' }, { state: 'open' }] });
    const { deps, newOperation, request, count, repositoryId } = await setUp('closed-news');
    expect((await syncRepository(deps, request((await newOperation()).id, { includeClosed: false }))).status).toBe('completed');
    // Created and closed while nobody looked: the newest update of the repository, never imported.
    const [closed] = repo.addIssues(1, { state: 'closed' });
    repo.editIssue(closed!, { state: 'closed' });
    const outcome = await syncRepository(deps, request((await newOperation()).id, { includeClosed: false }));
    expect(outcome).toMatchObject({ status: 'completed', results: { created: 0 } });
    expect(await count()).toBe(2);
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    expect(connection.issuesWatermark?.getTime()).toBe(Date.parse(repo.issue(closed!).updated_at as string));
  });

  it('pauses on a primary rate limit far from its reset and resumes from the checkpoint with exact counts', async () => {
    github.repo('octo', 'limited', { issues: 350 });
    const { deps, operations, newOperation, request, count } = await setUp('limited');
    const resetAt = new Date(Date.now() + 3_600_000);
    github.fault({ ...githubFaults.primaryRateLimit(resetAt), path: /^\/repos\/octo\/limited\/issues\?.*page=3/ });
    const operation = await newOperation();
    const paused = await syncRepository(deps, { ...request(operation.id), pauseOnRateLimit: true });
    expect(paused.status).toBe('waiting');
    if (paused.status !== 'waiting') return;
    expect(paused.resumeAt.getTime()).toBe(Math.floor(resetAt.getTime() / 1000) * 1000);
    expect(paused.checkpoint).toMatchObject({ part: 'issues', phase: 'list', processed: 200 });
    expect(await count()).toBe(200);

    const resumed = await syncRepository(deps, { ...request(operation.id), resumeFrom: paused.checkpoint });
    expect(resumed.status).toBe('completed');
    expect(resumed.results).toMatchObject({ created: 350, issues: 350, skipped: 0 });
    expect(await count()).toBe(350);
    expect((await operations.get(operation.id))!.status).toBe('completed');
  });

  it('fails with the reset time when a primary rate limit cannot be waited for', async () => {
    github.repo('octo', 'exhausted', { issues: 10 });
    const { deps, operations, newOperation, request } = await setUp('exhausted');
    github.fault({ ...githubFaults.primaryRateLimit(new Date(Date.now() + 3_600_000)), path: '/repos/octo/exhausted/issues' });
    const operation = await newOperation();
    const outcome = await syncRepository(deps, request(operation.id));
    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'rate_limited' });
    const stored = await operations.get(operation.id);
    expect(stored).toMatchObject({ status: 'failed', error: expect.stringMatching(/rate limit.*\d{4}-\d{2}-\d{2}T/i) });
  });

  it('keeps the watermark below an issue the database rejected, so the next incremental sync retries it', async () => {
    github.repo('octo', 'rejected', {
      issues: [
        { title: 'Fine', updatedAt: new Date('2025-01-01T00:00:00Z') },
        { title: 'Rejected', updatedAt: new Date('2025-02-01T00:00:00Z') },
        { title: 'Also fine', updatedAt: new Date('2025-03-01T00:00:00Z') },
      ],
    });
    const { deps, newOperation, request, repositoryId } = await setUp('rejected');
    const { pool } = database.db;
    await pool.query(`
      CREATE FUNCTION reject_title() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.title = 'Rejected' THEN RAISE EXCEPTION 'rejected by a check' USING ERRCODE = 'check_violation'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER reject_title BEFORE INSERT ON "Issue" FOR EACH ROW EXECUTE FUNCTION reject_title();`);
    try {
      const operation = await newOperation();
      const outcome = await syncRepository(deps, request(operation.id));
      expect(outcome).toMatchObject({ status: 'completed', results: { created: 2, failed: 1 } });
    } finally {
      await pool.query('DROP TRIGGER reject_title ON "Issue"; DROP FUNCTION reject_title();');
    }
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    expect(connection.issuesWatermark!.getTime()).toBe(new Date('2025-02-01T00:00:00Z').getTime() - 1);
  });

  it('stops between pages when someone asks to cancel', async () => {
    github.repo('octo', 'cancelled', { issues: 400 });
    const { deps, newOperation, request, count, operations } = await setUp('cancelled');
    const operation = await newOperation();
    let pages = 0;
    github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/cancelled/issues' && ++pages === 2) {
        await database.db.prisma.syncOperation.update({ where: { id: operation.id }, data: { cancelRequested: true } });
      }
    });
    try {
      const outcome = await syncRepository(deps, request(operation.id));
      expect(outcome.status).toBe('cancelled');
    } finally {
      github.onRequest(null);
    }
    expect(await count()).toBeLessThan(400);
    expect((await operations.get(operation.id))!.status).toBe('cancelled');
  });
});
