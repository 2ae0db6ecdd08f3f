import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let projectId: string;
let admin: string;
let member: string;
let viewer: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  projectId = (await api.project('repos')).id;
  [admin, member, viewer] = await Promise.all([
    api.user(projectId, 'admin'),
    api.user(projectId, 'member'),
    api.user(projectId, 'viewer'),
  ]);
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

describe('GET /api/projects/:projectId/repositories', () => {
  it('lists repositories with webhook health, last webhook, last sync and the latest operation', async () => {
    github.repo('octo', 'listed', { issues: 4 });
    const synced = await api.connect(projectId, 'octo/listed', { webhookStatus: 'stale' });
    const quiet = await api.connect(projectId, 'octo/never');
    const delivered = new Date('2026-02-01T12:00:00Z');
    await database.db.prisma.repositoryConnection.update({ where: { id: quiet }, data: { webhookStatus: 'active', lastWebhookAt: delivered } });
    const other = await api.project('not-mine');
    await api.connect(other.id, 'octo/hidden');
    const sync = await api.request('POST', `/api/projects/repos/repositories/${synced}/sync`, { token: member, json: { syncType: 'issues' } });
    expect(sync.status).toBe(200);

    const answer = await api.request('GET', `/api/projects/${projectId}/repositories`, { token: viewer });
    expect(answer.status).toBe(200);
    expect(answer.body.repositories).toEqual([
      {
        id: synced, provider: 'github', fullPath: 'octo/listed', url: 'https://github.com/octo/listed', apiUrl: github.url,
        active: true, access: 'token', webhookStatus: 'stale', webhookReason: null, lastWebhookAt: null, lastCheckedAt: null, lastSyncAt: expect.any(String),
        lastOperation: {
          id: sync.body.operation.id, status: 'completed', syncType: 'issues', trigger: 'manual',
          createdAt: expect.any(String), completedAt: expect.any(String),
        },
        createdAt: expect.any(String),
      },
      expect.objectContaining({
        id: quiet, fullPath: 'octo/never', webhookStatus: 'active', lastWebhookAt: delivered.toISOString(), lastSyncAt: null, lastOperation: null,
      }),
    ]);
    expect(JSON.stringify(answer.body)).not.toContain('encrypted');
  });
});

describe('POST /api/projects/:projectId/repositories', () => {
  it('connects a repository with a token checked against the host, stored encrypted (201, then 200)', async () => {
    github.repo('Octo', 'Connected', { issues: 2 });
    const body = { provider: 'github', repo: 'octo/connected', token: GITHUB_TOKEN, apiUrl: `${github.url}/` };
    const created = await api.request('POST', '/api/projects/repos/repositories', { token: admin, json: body });
    expect(created.status).toBe(201);
    expect(created.body.repository).toEqual({
      id: expect.any(String), provider: 'github', fullPath: 'Octo/Connected', url: 'https://github.com/Octo/Connected',
      apiUrl: github.url, active: true,
    });
    const row = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: created.body.repository.id } });
    expect(row.encryptedToken).not.toContain(GITHUB_TOKEN);
    expect(api.cipher.decrypt(row.encryptedToken!)).toBe(GITHUB_TOKEN);
    expect(row.externalRepoId).toMatch(/^\d+$/);

    const again = await api.request('POST', '/api/projects/repos/repositories', { token: ADMIN_TOKEN, json: body });
    expect(again).toMatchObject({ status: 200, body: { repository: { id: created.body.repository.id } } });

    // The stored token works: a sync through the API reads the repository with it.
    const sync = await api.request('POST', `/api/projects/repos/repositories/${created.body.repository.id}/sync`, {
      token: member, json: { syncType: 'issues', includeClosed: true, confirm: true },
    });
    expect(sync).toMatchObject({ status: 200, body: { operation: { status: 'completed' }, results: { created: 2 } } });
  });

  it('refuses what the host refuses, hosts this version cannot read, and callers who are not admins', async () => {
    const count = () => database.db.prisma.repositoryConnection.count();
    const before = await count();
    const badToken = await api.request('POST', '/api/projects/repos/repositories', {
      token: admin, json: { provider: 'github', repo: 'octo/listed', token: 'ghp_wrong', apiUrl: github.url },
    });
    expect(badToken).toMatchObject({ status: 422, body: { error: 'provider_refused', message: expect.stringMatching(/token/) } });
    expect(JSON.stringify(badToken.body)).not.toContain('ghp_wrong');

    const missing = await api.request('POST', '/api/projects/repos/repositories', {
      token: admin, json: { provider: 'github', repo: 'octo/nowhere', token: GITHUB_TOKEN, apiUrl: github.url },
    });
    expect(missing).toMatchObject({ status: 422, body: { error: 'not_found_at_provider' } });

    const malformed = await api.request('POST', '/api/projects/repos/repositories', {
      token: admin, json: { provider: 'github', repo: 'not a path', token: 'x', apiUrl: github.url },
    });
    expect(malformed.status).toBe(400);
    const badUrl = await api.request('POST', '/api/projects/repos/repositories', {
      token: admin, json: { provider: 'gitlab', repo: 'a/b', token: 'x', apiUrl: 'ftp://example.com' },
    });
    expect(badUrl).toMatchObject({ status: 400, body: { message: 'apiUrl must be an http(s) URL' } });
    const noProvider = await api.request('POST', '/api/projects/repos/repositories', { token: admin, json: { repo: 'a/b', token: 'x' } });
    expect(noProvider.body.message).toBe('provider is required (one of github, gitlab, bitbucket)');

    const json = { provider: 'github', repo: 'octo/listed', token: GITHUB_TOKEN, apiUrl: github.url };
    expect(await api.request('POST', '/api/projects/repos/repositories', { token: member, json })).toMatchObject({ status: 403 });
    expect(await api.request('POST', '/api/projects/repos/repositories', { token: viewer, json })).toMatchObject({ status: 403 });
    expect(await api.request('POST', '/api/projects/repos/repositories', { json })).toMatchObject({ status: 401 });
    expect(await count()).toBe(before);
  });
});
