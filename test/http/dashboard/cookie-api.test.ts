import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { ORIGIN, send, signIn } from './dashboard-browser.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let member: string;
let cookie: string;
let repositoryId: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  const project = await api.project('cookies');
  member = await api.user(project.id, 'member', 'Mel');
  github.repo('octo', 'crumbs', { issues: 3 });
  repositoryId = await api.connect(project.id, 'octo/crumbs');
  cookie = await signIn(api.app, member);
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

const syncPath = () => `/api/projects/cookies/repositories/${repositoryId}/sync`;

async function operationCount(): Promise<number> {
  return database.db.prisma.syncOperation.count({ where: { repositoryId } });
}

describe('the API with the dashboard\'s session cookie', () => {
  it('reads with the cookie alone', async () => {
    const answer = await send(api.app, 'GET', '/api/projects', { cookie, headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ projects: [{ slug: 'cookies', role: 'member' }] });
  });

  it('answers 401 JSON to a cookie whose token is unknown', async () => {
    const answer = await send(api.app, 'GET', '/api/projects', { cookie: 'issue_sync_session=isk_unknown' });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'unauthorized' });
  });

  it('starts a sync with the cookie from the dashboard\'s own origin (Origin, or Referer when Origin is absent)', async () => {
    const before = await operationCount();
    const fromPage = await send(api.app, 'POST', syncPath(), { cookie, json: { syncType: 'issues', mode: 'sync' }, headers: { origin: ORIGIN } });
    expect(fromPage.status).toBe(200);
    expect(JSON.parse(fromPage.text)).toMatchObject({ operation: { status: 'completed', trigger: 'manual' }, results: { created: 3 } });
    const referred = await send(api.app, 'POST', syncPath(), {
      cookie,
      json: { syncType: 'issues', mode: 'sync' },
      headers: { referer: `${ORIGIN}/dashboard/projects/cookies` },
    });
    expect(referred.status).toBe(200);
    expect(await operationCount()).toBe(before + 2);
  });

  it('refuses 403 cross_site_request a state-changing request with the cookie from another site, or saying nothing of where it comes from', async () => {
    const before = await operationCount();
    const cases: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'http://localhost:4000' },
      { origin: 'null' },
      { referer: 'https://evil.example/dashboard' },
      { referer: 'not a url' },
      {},
      { origin: 'https://evil.example', referer: `${ORIGIN}/` },
    ];
    for (const headers of cases) {
      const answer = await send(api.app, 'POST', syncPath(), { cookie, json: { syncType: 'issues', confirm: true }, headers });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(answer.text), JSON.stringify(headers)).toEqual({ error: 'cross_site_request', message: expect.stringMatching(/another site/) });
    }
    for (const method of ['DELETE', 'PUT', 'PATCH']) {
      const answer = await send(api.app, method, '/api/projects/cookies/issues/00000000-0000-4000-8000-000000000000/link', {
        cookie,
        headers: { origin: 'https://evil.example' },
      });
      expect(answer.status, method).toBe(403);
    }
    expect(await operationCount()).toBe(before);
  });

  it('leaves Bearer requests as they were: another site\'s Origin does not matter, and the header wins over the cookie', async () => {
    const answer = await send(api.app, 'POST', syncPath(), {
      cookie,
      json: { syncType: 'issues', mode: 'sync' },
      headers: { origin: 'https://evil.example', authorization: `Bearer ${member}` },
    });
    expect(answer.status).toBe(200);
    const wrongHeader = await send(api.app, 'GET', '/api/projects', { cookie, headers: { authorization: 'Bearer isk_unknown', accept: 'application/json' } });
    expect(wrongHeader.status).toBe(401);
  });
});
