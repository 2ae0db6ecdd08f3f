import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_TOKEN, gate, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let member: string;
let viewer: string;
let repositoryId: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  const project = await api.project('demo');
  [member, viewer] = await Promise.all([api.user(project.id, 'member'), api.user(project.id, 'viewer')]);
  github.repo('acme', 'demo', { issues: 3 });
  repositoryId = await api.connect(project.id, 'acme/demo');
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

describe('the 4xx answers a newcomer meets', () => {
  it('each say what to do next', async () => {
    const sync = `/api/projects/demo/repositories/${repositoryId}/sync`;
    const cases: [string, Promise<{ status: number; body: { error: string; message: string } }>, number, string][] = [
      ['no token', api.request('GET', '/api/projects'), 401, 'issue-sync users add --project SLUG --name NAME --role member'],
      ['a malformed header', api.request('GET', '/api/projects', { headers: { authorization: 'Token x' } }), 401, 'issue-sync users add'],
      ['an unknown token', api.request('GET', '/api/projects', { token: 'isk_nope' }), 401, 'issue-sync users add'],
      ['an unknown route', api.request('GET', '/api/project', { token: member }), 404, 'GET / lists the routes'],
      ['an unknown project', api.request('GET', '/api/projects/dmeo/issues', { token: member }), 404, 'GET /api/projects lists yours'],
      ['a viewer starting a sync', api.request('POST', sync, { token: viewer, json: { syncType: 'issues' } }), 403, 'ask an admin'],
      ['an unknown repository', api.request('POST', '/api/projects/demo/repositories/demo/sync', { token: member, json: { syncType: 'issues' } }), 404, 'GET /api/projects/demo/repositories'],
      ['an unknown issue', api.request('DELETE', '/api/projects/demo/issues/7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11/link', { token: member }), 404, 'GET /api/projects/demo/issues'],
      ['an unknown operation', api.request('GET', '/api/sync-operations/7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11', { token: member }), 404, 'statusUrl'],
      ['text that is not JSON', api.request('POST', sync, { token: member, raw: "{syncType: 'issues'}", contentType: 'application/json' }), 400, 'double-quoted'],
      ['a body with no syncType', api.request('POST', sync, { token: member, json: {} }), 400, 'one of issues, security, all'],
    ];
    for (const [what, answer, status, hint] of cases) {
      expect(await answer, what).toMatchObject({ status, body: { error: expect.any(String), message: expect.stringContaining(hint) } });
    }
  });

  it('a sync already running says where to watch it and how to cancel it', async () => {
    const held = gate();
    github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/acme/demo/issues') await held.wait;
    });
    const json = { syncType: 'issues', mode: 'async' };
    const path = `/api/projects/demo/repositories/${repositoryId}/sync`;
    try {
      const first = await api.request('POST', path, { token: member, json });
      expect(first.status).toBe(202);
      const second = await api.request('POST', path, { token: member, json });
      expect(second).toMatchObject({
        status: 409,
        body: {
          error: 'sync_in_progress',
          message: expect.stringContaining(`GET ${first.body.statusUrl}, or cancel it with POST ${first.body.statusUrl}/cancel`),
        },
      });
      held.open();
      await api.waitForOperation(first.body.operationId, member);
    } finally {
      held.open();
      github.onRequest(null);
    }
  });
});
