import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, gate, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let projectId: string;
let member: string;
let viewer: string;
let outsider: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: 'ghp_api_tests' }), createTestDatabase()]);
  api = startApiHarness(database, github);
  const project = await api.project('web');
  projectId = project.id;
  const other = await api.project('elsewhere');
  [member, viewer, outsider] = await Promise.all([
    api.user(projectId, 'member'),
    api.user(projectId, 'viewer'),
    api.user(other.id, 'admin'),
  ]);
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

const syncPath = (repositoryId: string, project = projectId) => `/api/projects/${project}/repositories/${repositoryId}/sync`;
const operationCount = () => database.db.prisma.syncOperation.count();

describe('POST /api/projects/:projectId/repositories/:repositoryId/sync', () => {
  it('runs a small repository inline and answers 200 with exact counts', async () => {
    const repo = github.repo('octo', 'small', { issues: 30, alerts: 5 });
    const repositoryId = await api.connect(projectId, 'octo/small');
    const open = repo.openIssueCount();

    const first = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'all' } });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual({
      created: open + 5, updated: 0, skipped: 0, failed: 0, issues: open, securityAlerts: 5, skippedParts: [],
    });
    expect(first.body.operation).toMatchObject({
      status: 'completed', syncType: 'all', trigger: 'manual', repositoryId, projectId,
      progress: { stage: 'done', processed: open + 5, total: open + 5, percent: 100 },
      results: { created: open + 5, updated: 0, skipped: 0, failed: 0 },
      startedAt: expect.any(String), completedAt: expect.any(String),
    });
    expect(first.body.operation).not.toHaveProperty('error');
    expect(await database.db.prisma.issue.count({ where: { repositoryId } })).toBe(open + 5);

    // The estimate now comes from the last completed sync (28 items): inline again, nothing new.
    const second = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'all', mode: 'auto' } });
    expect(second.status).toBe(200);
    expect(second.body.results).toMatchObject({ created: 0, updated: 0, skipped: open + 5 });
    const requested = await database.db.prisma.syncOperation.findUniqueOrThrow({ where: { id: second.body.operation.id } });
    expect(requested.requestedById).not.toBeNull();
  });

  it('queues a repository estimated above 100 issues (202) and the operation reaches completed with percent 100', async () => {
    const repo = github.repo('octo', 'large', { issues: 250 });
    const repositoryId = await api.connect(projectId, 'octo/large');
    const open = repo.openIssueCount();
    expect(open).toBeGreaterThan(100);

    const queued = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues' } });
    expect(queued.status).toBe(202);
    expect(queued.body).toEqual({
      operationId: expect.any(String),
      statusUrl: `/api/sync-operations/${queued.body.operationId}`,
      status: expect.stringMatching(/^(pending|running)$/),
    });
    expect(queued.headers.get('location')).toBe(queued.body.statusUrl);

    const done = await api.waitForOperation(queued.body.operationId, viewer);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: queued.body.operationId,
      status: 'completed',
      syncType: 'issues',
      trigger: 'manual',
      progress: { stage: 'done', processed: open, total: open, percent: 100 },
      results: { created: open, updated: 0, skipped: 0, failed: 0 },
    });
    expect(Object.keys(done.body)).toEqual(expect.arrayContaining([
      'id', 'status', 'syncType', 'trigger', 'progress', 'results', 'startedAt', 'completedAt',
    ]));
  });

  it('answers 202 for mode async and waits for mode sync, whatever the size', async () => {
    github.repo('octo', 'modes', { issues: 8 });
    const repositoryId = await api.connect(projectId, 'octo/modes');
    const queued = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues', mode: 'async' } });
    expect(queued.status).toBe(202);
    expect((await api.waitForOperation(queued.body.operationId, member)).body.status).toBe('completed');

    github.repo('octo', 'modes', { issues: 200 });
    const inline = await api.request('POST', syncPath(repositoryId), {
      token: member,
      json: { syncType: 'issues', mode: 'sync', includeClosed: true, confirm: true },
    });
    expect(inline.status).toBe(200);
    expect(inline.body.results).toMatchObject({ issues: 208, failed: 0 });
  });

  it('refuses a bad body with 400 in plain words, and writes nothing', async () => {
    const repositoryId = await api.connect(projectId, 'octo/bodies');
    const before = await operationCount();
    const cases: [unknown, RegExp][] = [
      [{ syncType: 'everything' }, /^syncType must be one of issues, security, all$/],
      [{}, /^syncType is required \(one of issues, security, all\)$/],
      [{ syncType: 'all', includeClosed: 'yes' }, /^includeClosed must be true or false$/],
      [{ syncType: 'all', mode: 'later' }, /^mode must be one of auto, sync, async$/],
      [{ syncType: 'all', force: true }, /^"force" is not a known field$/],
      [[1, 2], /^The body must be a JSON object$/],
    ];
    for (const [json, message] of cases) {
      const answer = await api.request('POST', syncPath(repositoryId), { token: member, json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_body', message: expect.stringMatching(message) });
    }
    const notJson = await api.request('POST', syncPath(repositoryId), { token: member, raw: '{"syncType":', contentType: 'application/json' });
    expect(notJson).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    const form = await api.request('POST', syncPath(repositoryId), { token: member, raw: 'syncType=all', contentType: 'application/x-www-form-urlencoded' });
    expect(form).toMatchObject({ status: 415, body: { error: 'unsupported_content_type' } });
    const empty = await api.request('POST', syncPath(repositoryId), { token: member });
    expect(empty).toMatchObject({ status: 400, body: { error: 'invalid_body' } });
    const huge = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'x'.repeat(1_100_000) } });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(await operationCount()).toBe(before);
  });

  it('answers 401 without a valid token, 403 to a viewer or another project, 404 for an unknown project or an unknown or foreign repository', async () => {
    const repositoryId = await api.connect(projectId, 'octo/guarded');
    const other = await api.project('other-project');
    const foreignId = await api.connect(other.id, 'octo/foreign');
    const before = await operationCount();
    const json = { syncType: 'issues' };

    expect(await api.request('POST', syncPath(repositoryId), { json })).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await api.request('POST', syncPath(repositoryId), { json, token: 'isk_nope' })).toMatchObject({ status: 401 });
    const viewerAnswer = await api.request('POST', syncPath(repositoryId), { json, token: viewer });
    expect(viewerAnswer).toMatchObject({ status: 403, body: { error: 'forbidden', message: expect.stringMatching(/viewer/) } });
    expect(await api.request('POST', syncPath(repositoryId), { json, token: outsider })).toMatchObject({ status: 403 });
    for (const token of [member, ADMIN_TOKEN]) {
      expect(await api.request('POST', syncPath(repositoryId, 'no-such-project'), { json, token })).toMatchObject({
        status: 404, body: { error: 'project_not_found' },
      });
    }

    const unknown = await api.request('POST', syncPath('7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11'), { json, token: member });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'repository_not_found' } });
    expect(await api.request('POST', syncPath(foreignId), { json, token: member })).toMatchObject({ status: 404, body: { error: 'repository_not_found' } });
    expect(await api.request('POST', syncPath('not-a-uuid'), { json, token: member })).toMatchObject({ status: 404 });
    expect(await operationCount()).toBe(before);
  });

  it('asks for confirmation (428) while the webhook is active or closed issues are included', async () => {
    github.repo('octo', 'hooked', { issues: 3 });
    const repositoryId = await api.connect(projectId, 'octo/hooked', { webhookStatus: 'active' });
    const before = await operationCount();

    const webhook = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues' } });
    expect(webhook.status).toBe(428);
    expect(webhook.body).toEqual({
      error: 'confirmation_required', requiresConfirmation: true, reason: 'webhook_active', reasons: ['webhook_active'],
      message: expect.stringMatching(/confirm/),
    });
    const both = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues', includeClosed: true } });
    expect(both.body).toMatchObject({ reason: 'webhook_active', reasons: ['webhook_active', 'include_closed'] });
    const notConfirmed = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues', confirm: false } });
    expect(notConfirmed.status).toBe(428);

    const quiet = await api.connect(projectId, 'octo/quiet');
    const closed = await api.request('POST', syncPath(quiet), { token: member, json: { syncType: 'issues', includeClosed: true } });
    expect(closed.body).toMatchObject({ error: 'confirmation_required', requiresConfirmation: true, reason: 'include_closed' });
    expect(await operationCount()).toBe(before);

    const confirmed = await api.request('POST', syncPath(repositoryId), {
      token: member, json: { syncType: 'issues', includeClosed: true, confirm: true },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.results).toMatchObject({ created: 3, issues: 3 });
  });

  it('answers 409 while a sync runs, cancels it (202), and refuses to cancel a finished one (409)', async () => {
    github.repo('octo', 'slow', { issues: 300 });
    const repositoryId = await api.connect(projectId, 'octo/slow');
    const held = gate();
    github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/slow/issues') await held.wait;
    });
    try {
      const started = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues', mode: 'async' } });
      expect(started.status).toBe(202);
      const { operationId } = started.body;
      const before = await operationCount();

      const again = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'all' } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: 'sync_in_progress', operationId, message: expect.any(String) });
      // 409 comes before the confirmation question: confirming would not help.
      const unconfirmed = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'all', includeClosed: true } });
      expect(unconfirmed.status).toBe(409);
      expect(await operationCount()).toBe(before);

      expect(await api.request('POST', `/api/sync-operations/${operationId}/cancel`, { token: viewer })).toMatchObject({ status: 403 });
      expect(await api.request('POST', `/api/sync-operations/${operationId}/cancel`, { token: outsider })).toMatchObject({ status: 404 });
      const cancel = await api.request('POST', `/api/sync-operations/${operationId}/cancel`, { token: member });
      expect(cancel.status).toBe(202);
      expect(cancel.body).toMatchObject({ operationId, status: expect.stringMatching(/^(pending|running)$/), cancelRequested: true });
      held.open();

      const finished = await api.waitForOperation(operationId, member);
      expect(finished.body).toMatchObject({ status: 'cancelled', error: 'The sync was cancelled.' });
      // Stopped between pages: the first page (100) was kept, the rest never fetched.
      expect(finished.body.results.issues).toBe(100);
      expect(await database.db.prisma.issue.count({ where: { repositoryId } })).toBe(100);

      const late = await api.request('POST', `/api/sync-operations/${operationId}/cancel`, { token: member });
      expect(late).toMatchObject({ status: 409, body: { error: 'not_running', operationId, status: 'cancelled' } });
    } finally {
      held.open();
      github.onRequest(null);
    }
  });
});

describe('GET /api/sync-operations/:id', () => {
  it('shows an operation to anyone with a role in its project, and 404 to others or for a malformed id', async () => {
    github.repo('octo', 'watched', { issues: 2 });
    const repositoryId = await api.connect(projectId, 'octo/watched');
    const started = await api.request('POST', syncPath(repositoryId), { token: member, json: { syncType: 'issues' } });
    const { id } = started.body.operation;

    const seen = await api.request('GET', `/api/sync-operations/${id}`, { token: viewer });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual(started.body.operation);
    expect((await api.request('GET', `/api/sync-operations/${id}`, { token: ADMIN_TOKEN })).status).toBe(200);
    expect(await api.request('GET', `/api/sync-operations/${id}`, { token: outsider })).toMatchObject({
      status: 404, body: { error: 'operation_not_found' },
    });
    expect(await api.request('GET', '/api/sync-operations/12345', { token: member })).toMatchObject({ status: 404 });
    expect(await api.request('GET', '/api/sync-operations/7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11', { token: member })).toMatchObject({ status: 404 });
    expect(await api.request('GET', `/api/sync-operations/${id}`)).toMatchObject({ status: 401 });
  });
});
