import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let alpha: { id: string; slug: string };
let beta: { id: string; slug: string };
let hidden: { id: string; slug: string };

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  [alpha, beta, hidden] = [await api.project('alpha'), await api.project('beta'), await api.project('hidden')];
  await api.connect(alpha.id, 'octo/one');
  await api.connect(alpha.id, 'octo/two');
  await api.connect(hidden.id, 'octo/secret');
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

describe('GET /api/projects', () => {
  it('lists the projects a user has a role in, with that role, the repository count and where to list them', async () => {
    const token = await api.user(alpha.id, 'member', 'Ada');
    const membership = await database.db.prisma.membership.findFirstOrThrow({ where: { projectId: alpha.id, user: { name: 'Ada' } } });
    await database.db.prisma.membership.create({ data: { userId: membership.userId, projectId: beta.id, role: 'viewer' } });

    const answer = await api.request('GET', '/api/projects', { token });
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toEqual({
      projects: [
        { id: alpha.id, slug: 'alpha', name: 'alpha', role: 'member', repositoryCount: 2, repositoriesUrl: '/api/projects/alpha/repositories' },
        { id: beta.id, slug: 'beta', name: 'beta', role: 'viewer', repositoryCount: 0, repositoriesUrl: '/api/projects/beta/repositories' },
      ],
    });
    const listed = await api.request('GET', answer.body.projects[0].repositoriesUrl, { token });
    expect(listed.body.repositories.map((repository: { fullPath: string }) => repository.fullPath)).toEqual(['octo/one', 'octo/two']);
  });

  it('lists every project as admin for ADMIN_TOKEN', async () => {
    const answer = await api.request('GET', '/api/projects', { token: ADMIN_TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.body.projects.map((project: { slug: string; role: string }) => [project.slug, project.role])).toEqual(
      expect.arrayContaining([['alpha', 'admin'], ['beta', 'admin'], ['hidden', 'admin']]),
    );
  });

  it('asks for a token, and says how to get one, when there is none', async () => {
    const answer = await api.request('GET', '/api/projects');
    expect(answer).toMatchObject({
      status: 401,
      body: { error: 'unauthorized', message: expect.stringContaining('issue-sync users add --project SLUG --name NAME --role member') },
    });
  });
});

describe('a project that is not there', () => {
  it('is 404 project_not_found naming it, for a user and for ADMIN_TOKEN alike', async () => {
    const token = await api.user(alpha.id, 'viewer');
    for (const caller of [token, ADMIN_TOKEN]) {
      const answer = await api.request('GET', '/api/projects/demo/repositories', { token: caller });
      expect(answer).toEqual({
        status: 404,
        headers: expect.anything(),
        body: { error: 'project_not_found', message: 'There is no project "demo"; GET /api/projects lists yours.' },
      });
    }
    const byId = await api.request('GET', '/api/projects/7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11/issues', { token });
    expect(byId).toMatchObject({ status: 404, body: { error: 'project_not_found' } });
  });

  it('stays 403 for a project that exists where the user has no role, and says where their projects are', async () => {
    const token = await api.user(alpha.id, 'admin');
    const answer = await api.request('GET', '/api/projects/hidden/repositories', { token });
    expect(answer).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: expect.stringContaining('GET /api/projects lists yours') },
    });
    expect(JSON.stringify(answer.body)).not.toContain('octo/secret');
  });
});
