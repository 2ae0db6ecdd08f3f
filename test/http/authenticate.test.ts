import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { ADMIN_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let dataDir: string;
let api: ApiHarness;
let now = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  [github, database, dataDir] = await Promise.all([
    startGitHubSimulator(),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-api-auth-')),
  ]);
  api = startApiHarness(database, github, { clock: () => now });
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('accepts the token `issue-sync users add` prints, with the role it was given', async () => {
    const stdout: string[] = [];
    const code = await runCli(['users', 'add', '--project', 'cli-made', '--name', 'Ada', '--role', 'viewer'], {
      env: { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdout: { write: (chunk: string) => stdout.push(chunk) },
      stderr: { write: () => undefined },
    });
    expect(code).toBe(0);
    const token = /API token \(shown once, keep it safe\): (\S+)/.exec(stdout.join(''))?.[1];
    expect(token).toMatch(/^isk_/);

    const listed = await api.request('GET', '/api/projects/cli-made/repositories', { token });
    expect(listed).toMatchObject({ status: 200, body: { repositories: [] } });
    const project = await database.db.prisma.project.findUniqueOrThrow({ where: { slug: 'cli-made' } });
    expect((await api.request('GET', `/api/projects/${project.id}/issues`, { token })).status).toBe(200);
    const repositoryId = await api.connect(project.id, 'octo/cli');
    const sync = await api.request('POST', `/api/projects/cli-made/repositories/${repositoryId}/sync`, { token, json: { syncType: 'issues' } });
    expect(sync).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });

  it('answers 401 with JSON for a missing, malformed, unknown or revoked token', async () => {
    const project = await api.project('auth');
    const token = await api.user(project.id, 'admin');
    const path = '/api/projects/auth/repositories';
    const cases: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
      { authorization: `Token ${token}` },
      { authorization: `Bearer ${token}x` },
      { authorization: 'Bearer isk_unknown' },
      { authorization: `Bearer ${'a'.repeat(5000)}` },
    ];
    for (const headers of cases) {
      const answer = await api.request('GET', path, { headers });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
    }
    expect((await api.request('GET', path, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);

    await database.db.prisma.apiToken.updateMany({ where: { user: { name: 'admin', memberships: { some: { projectId: project.id } } } }, data: { revokedAt: now } });
    expect(await api.request('GET', path, { token })).toMatchObject({ status: 401, body: { message: expect.stringMatching(/revoked/) } });
  });

  it('lets ADMIN_TOKEN into every project, and no other token as admin', async () => {
    const project = await api.project('bootstrap');
    expect((await api.request('GET', '/api/projects/bootstrap/repositories', { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await api.request('GET', `/api/projects/${project.id}/issues`, { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await api.request('GET', '/api/projects/bootstrap/repositories', { token: ADMIN_TOKEN.slice(0, -1) })).status).toBe(401);
    expect((await api.request('GET', '/api/projects/bootstrap/repositories', { token: `${ADMIN_TOKEN}0` })).status).toBe(401);
  });

  it('records when a token was last used, at most once a minute', async () => {
    const project = await api.project('usage');
    const token = await api.user(project.id, 'viewer', 'counted');
    const lastUsed = async () =>
      (await database.db.prisma.apiToken.findFirstOrThrow({ where: { user: { name: 'counted' } } })).lastUsedAt?.toISOString();
    const read = () => api.request('GET', '/api/projects/usage/issues', { token });

    now = new Date('2026-01-01T10:00:00Z');
    await read();
    expect(await lastUsed()).toBe('2026-01-01T10:00:00.000Z');
    now = new Date('2026-01-01T10:00:59Z');
    await read();
    expect(await lastUsed()).toBe('2026-01-01T10:00:00.000Z');
    now = new Date('2026-01-01T10:01:00Z');
    await read();
    expect(await lastUsed()).toBe('2026-01-01T10:01:00.000Z');
  });

  it('leaves the health routes and the GitHub webhook route without API authentication', async () => {
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    expect((await api.request('GET', '/readyz')).status).toBe(200);
    expect((await api.request('POST', '/api/github/webhooks', { json: {} })).status).toBe(503);
    expect(await api.request('GET', '/api/nothing-here', { token: ADMIN_TOKEN })).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
