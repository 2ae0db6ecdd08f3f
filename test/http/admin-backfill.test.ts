import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, GITHUB_TOKEN, gate, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

const backfill = (token: string | null, json?: unknown) => api.request('POST', '/api/admin/backfill', { token, ...(json === undefined ? {} : { json }) });

async function settle(operations: { operationId: string }[]) {
  return Promise.all(operations.map(({ operationId }) => api.jobs.waitFor(operationId)));
}

describe('POST /api/admin/backfill', () => {
  it('starts admin syncs of the stale repositories only, with ADMIN_TOKEN', async () => {
    const alpha = await api.project('alpha');
    const beta = await api.project('beta');
    github.repo('octo', 'stale-a', { issues: 5 });
    github.repo('octo', 'stale-b', { issues: 7 });
    const staleA = await api.connect(alpha.id, 'octo/stale-a', { webhookStatus: 'stale' });
    const staleB = await api.connect(beta.id, 'octo/stale-b', { webhookStatus: 'stale' });
    await api.connect(alpha.id, 'octo/fresh', { webhookStatus: 'active' });

    const answer = await backfill(ADMIN_TOKEN, { staleOnly: true, syncType: 'issues' });
    expect(answer.status).toBe(202);
    expect(answer.body.operations).toEqual([
      { repositoryId: staleA, operationId: expect.any(String), status: 'started' },
      { repositoryId: staleB, operationId: expect.any(String), status: 'started' },
    ]);
    const finished = await settle(answer.body.operations);
    expect(finished.map((operation) => [operation?.status, operation?.trigger, operation?.syncType])).toEqual([
      ['completed', 'admin', 'issues'],
      ['completed', 'admin', 'issues'],
    ]);
  });

  it('limits a project admin to their projects, and reports a repository already syncing', async () => {
    const mine = await api.project('mine');
    const theirs = await api.project('theirs');
    const admin = await api.user(mine.id, 'admin');
    const member = await api.user(mine.id, 'member');
    await api.user(theirs.id, 'member', 'admin-elsewhere');
    github.repo('octo', 'mine-a', { issues: 3 });
    github.repo('octo', 'mine-busy', { issues: 3 });
    const mineA = await api.connect(mine.id, 'octo/mine-a');
    const busy = await api.connect(mine.id, 'octo/mine-busy');
    const foreign = await api.connect(theirs.id, 'octo/theirs');
    const held = gate();
    github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/mine-busy/issues') await held.wait;
    });
    try {
      const running = await api.request('POST', `/api/projects/mine/repositories/${busy}/sync`, {
        token: member, json: { syncType: 'all', mode: 'async' },
      });
      expect(running.status).toBe(202);

      const before = await database.db.prisma.syncOperation.count();
      expect(await backfill(member, {})).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      const outside = await backfill(admin, { repositoryIds: [mineA, foreign] });
      expect(outside).toMatchObject({ status: 422, body: { error: 'unknown_repository', repositoryIds: [foreign] } });
      expect(await database.db.prisma.syncOperation.count()).toBe(before);

      const answer = await backfill(admin);
      expect(answer.status).toBe(202);
      expect(answer.body.operations).toEqual([
        { repositoryId: mineA, operationId: expect.any(String), status: 'started' },
        { repositoryId: busy, operationId: running.body.operationId, status: 'already_running' },
      ]);
      held.open();
      await settle(answer.body.operations);
    } finally {
      held.open();
      github.onRequest(null);
    }
  });

  it('catches a synced repository up from its watermark unless a full backfill is asked for', async () => {
    const project = await api.project('again');
    github.repo('octo', 'again', { issues: 4 });
    const repositoryId = await api.connect(project.id, 'octo/again');
    const first = await backfill(ADMIN_TOKEN, { repositoryIds: [repositoryId], includeClosed: true });
    expect((await settle(first.body.operations))[0]).toMatchObject({ status: 'completed', results: { created: 4 } });

    github.clearRequests();
    const incremental = await backfill(ADMIN_TOKEN, { repositoryIds: [repositoryId], syncType: 'issues' });
    expect((await settle(incremental.body.operations))[0]).toMatchObject({ status: 'completed', results: { created: 0 } });
    expect(github.requests.some((request) => request.path.includes('/repos/octo/again/issues') && request.path.includes('since='))).toBe(true);

    github.clearRequests();
    const full = await backfill(ADMIN_TOKEN, { repositoryIds: [repositoryId], syncType: 'issues', includeClosed: true, full: true });
    expect((await settle(full.body.operations))[0]).toMatchObject({ status: 'completed', results: { skipped: 4 } });
    expect(github.requests.some((request) => /\/issues\?(?!.*since=)/.test(request.path))).toBe(true);
  });

  it('refuses bad bodies (400) and missing tokens (401)', async () => {
    expect(await backfill(null, {})).toMatchObject({ status: 401 });
    expect(await backfill(ADMIN_TOKEN, { repositoryIds: 'all' })).toMatchObject({
      status: 400, body: { message: 'repositoryIds must be a list of repository ids (or paths, like "acme/demo")' },
    });
    expect(await backfill(ADMIN_TOKEN, { repositoryIds: [''] })).toMatchObject({
      status: 400, body: { message: 'repositoryIds.0 must not be empty' },
    });
    expect(await backfill(ADMIN_TOKEN, { repositoryIds: [] })).toMatchObject({ status: 400 });
    expect(await backfill(ADMIN_TOKEN, { staleOnly: 'yes' })).toMatchObject({ status: 400, body: { message: 'staleOnly must be true or false' } });
    expect(await backfill(ADMIN_TOKEN, { syncType: 'alerts' })).toMatchObject({ status: 400 });
  });
});
