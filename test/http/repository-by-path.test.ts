import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let projectId: string;
let member: string;
let admin: string;
let demoId: string;
let twinId: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  projectId = (await api.project('demo')).id;
  [member, admin] = await Promise.all([api.user(projectId, 'member'), api.user(projectId, 'admin')]);
  github.repo('acme', 'demo', { issues: 3 });
  demoId = await api.connect(projectId, 'acme/demo');
  // The same path on GitHub and on GitLab: only the id tells them apart.
  github.repo('acme', 'twin', { issues: 1 });
  twinId = await api.connect(projectId, 'acme/twin');
  await database.db.prisma.repositoryConnection.create({
    data: { projectId, provider: 'gitlab', fullPath: 'acme/twin', url: 'https://gitlab.com/acme/twin' },
  });
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

const WANTS_THE_ID = /id.*GET \/api\/projects\/demo\/repositories/;

describe('a repository named by its path where the id is expected', () => {
  it('starts a sync of acme%2Fdemo and of acme/demo in the sync route', async () => {
    const json = { syncType: 'issues', mode: 'sync' };
    for (const path of ['acme%2Fdemo', 'acme/demo']) {
      const answer = await api.request('POST', `/api/projects/demo/repositories/${path}/sync`, { token: member, json });
      expect(answer, path).toMatchObject({ status: 200, body: { operation: { repositoryId: demoId, status: 'completed' } } });
    }
  });

  it('filters the issues by repository path', async () => {
    const byPath = await api.request('GET', '/api/projects/demo/issues?repository=acme%2Fdemo', { token: member });
    const byId = await api.request('GET', `/api/projects/demo/issues?repository=${demoId}`, { token: member });
    expect(byPath.status).toBe(200);
    expect(byPath.body.items).toHaveLength(3);
    expect(byPath.body).toEqual(byId.body);
  });

  it('links an issue to an external one by repository path', async () => {
    const local = await database.db.prisma.issue.create({ data: { projectId, title: 'Found by hand', kind: 'issue', state: 'open' } });
    // Issues 1 to 3 are synced already; 4 is new at the host.
    github.repo('acme', 'demo', { issues: [{ title: 'The one to link' }] });
    const answer = await api.request('POST', `/api/projects/demo/issues/${local.id}/link`, {
      token: member, json: { repositoryId: 'acme/demo', externalIssueId: '4' },
    });
    expect(answer).toMatchObject({ status: 200, body: { issue: { id: local.id, repositoryId: demoId }, external: { title: 'The one to link' } } });
  });

  it('backfills repositories named by path', async () => {
    const answer = await api.request('POST', '/api/admin/backfill', { token: admin, json: { repositoryIds: ['acme/demo'], syncType: 'issues' } });
    expect(answer).toMatchObject({ status: 202, body: { operations: [{ repositoryId: demoId, status: 'started' }] } });
    await api.jobs.waitFor(answer.body.operations[0].operationId);
  });

  it('refuses a path two hosts share, listing both ids and where the ids are', async () => {
    const sync = await api.request('POST', '/api/projects/demo/repositories/acme%2Ftwin/sync', { token: member, json: { syncType: 'issues' } });
    expect(sync).toMatchObject({
      status: 404,
      body: {
        error: 'ambiguous_repository',
        message: expect.stringMatching(WANTS_THE_ID),
        candidates: [
          { id: twinId, provider: 'github', fullPath: 'acme/twin' },
          { id: expect.any(String), provider: 'gitlab', fullPath: 'acme/twin' },
        ],
      },
    });
    const filter = await api.request('GET', '/api/projects/demo/issues?repository=acme/twin', { token: member });
    expect(filter).toMatchObject({ status: 400, body: { error: 'ambiguous_repository' } });
    const backfill = await api.request('POST', '/api/admin/backfill', { token: ADMIN_TOKEN, json: { repositoryIds: ['acme/twin'] } });
    expect(backfill).toMatchObject({ status: 422, body: { error: 'ambiguous_repository' } });
  });

  it('answers an unknown path with what to send instead and where to find it', async () => {
    const sync = await api.request('POST', '/api/projects/demo/repositories/acme%2Fnope/sync', { token: member, json: { syncType: 'issues' } });
    expect(sync).toMatchObject({
      status: 404,
      body: {
        error: 'repository_not_found',
        message: 'Project demo has no repository "acme/nope". Send a repository\'s id, or its path (owner/name) when one host has it; '
          + 'GET /api/projects/demo/repositories lists them with their ids.',
      },
    });
    const local = await database.db.prisma.issue.create({ data: { projectId, title: 'Unlinked', kind: 'issue', state: 'open' } });
    const link = await api.request('POST', `/api/projects/demo/issues/${local.id}/link`, {
      token: member, json: { repositoryId: 'acme/nope', externalIssueId: '1' },
    });
    expect(link).toMatchObject({ status: 422, body: { error: 'unknown_repository', message: expect.stringMatching(WANTS_THE_ID) } });
    const filter = await api.request('GET', '/api/projects/demo/issues?repository=acme/nope', { token: member });
    expect(filter).toMatchObject({ status: 400, body: { error: 'unknown_repository', message: expect.stringMatching(WANTS_THE_ID) } });
    const backfill = await api.request('POST', '/api/admin/backfill', { token: admin, json: { repositoryIds: ['acme/nope'] } });
    expect(backfill).toMatchObject({
      status: 422, body: { error: 'unknown_repository', repositoryIds: ['acme/nope'], message: expect.stringContaining('GET /api/projects') },
    });
  });
});
