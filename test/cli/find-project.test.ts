import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Each test starts from an empty database: which project a command picks depends on every project there is.
let github: GitHubSimulator;
let dataDir: string;
let database: TestDatabase;

beforeAll(async () => {
  [github, dataDir] = await Promise.all([startGitHubSimulator(), mkdtemp(join(tmpdir(), 'issue-sync-find-project-'))]);
  github.repo('octo', 'app', { issues: [{ title: 'Filed through the App' }] });
  github.repo('octo', 'other', { issues: [{ title: 'Synced from the CLI' }] });
});
afterAll(async () => {
  await github?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database?.drop();
});

const cli = (args: string[]) => runCliCaptured(args, { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir });

const sync = (repo: string, ...extra: string[]) =>
  cli(['sync', '--provider', 'github', '--repo', repo, '--api-url', github.url, '--json', ...extra]);

/** What the GitHub App leaves after an installation on the account "octo-org": a project named after it. */
async function connectThroughApp(slug: string, fullPath: string) {
  const project = await database.db.prisma.project.create({ data: { slug, name: slug } });
  const installation = await database.db.prisma.installation.create({
    data: { githubInstallationId: 4242n, accountLogin: slug, projectId: project.id },
  });
  return database.db.prisma.repositoryConnection.create({
    data: { projectId: project.id, provider: 'github', fullPath, url: `https://github.com/${fullPath}`, installationId: installation.id },
  });
}

const titles = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('octo/')).map((line) => line.split('  ').at(-1));

describe('commands find the project', () => {
  it('issues list without --project lists the only project, whatever its name', async () => {
    expect((await sync('octo/other', '--project', 'acme')).code).toBe(0);
    const result = await cli(['issues', 'list']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(titles(result.stdout)).toEqual(['Synced from the CLI']);
  });

  it('issues list without --project lists the one project that holds --repo', async () => {
    await connectThroughApp('octo-org', 'octo/app');
    expect((await sync('octo/app')).code).toBe(0);
    expect((await sync('octo/other')).code).toBe(0);
    const result = await cli(['issues', 'list', '--repo', 'octo/app']);
    expect(result.code).toBe(0);
    expect(titles(result.stdout)).toEqual(['Filed through the App']);
    expect(result.stdout).toContain('in octo/app in project octo-org');
  });

  it('issues list names the projects that could be meant, in one line, and exits 2', async () => {
    await connectThroughApp('octo-org', 'octo/app');
    expect((await sync('octo/other')).code).toBe(0);
    const result = await cli(['issues', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'issue-sync: Several projects could be meant: default (1 repository), octo-org (1); pass --project SLUG.\n',
    );
  });

  it('issues list with an unknown --project names the projects there are', async () => {
    expect((await sync('octo/other', '--project', 'acme')).code).toBe(0);
    const result = await cli(['issues', 'list', '--project', 'acne']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('issue-sync: There is no project "acne"; did you mean acme? Projects: acme (1 repository).\n');
  });

  it('sync without --project reuses the connection the GitHub App made, in its project', async () => {
    const app = await connectThroughApp('octo-org', 'octo/app');
    const result = await sync('octo/app');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', created: 1 });
    const connections = await database.db.prisma.repositoryConnection.findMany({ where: { fullPath: 'octo/app' } });
    expect(connections.map((connection) => connection.id)).toEqual([app.id]);
    expect(await database.db.prisma.issue.count({ where: { projectId: app.projectId, repositoryId: app.id } })).toBe(1);
    expect(await database.db.prisma.project.findUnique({ where: { slug: 'default' } })).toBeNull();
  });

  it('sync without --project names the projects when several hold the repository, and exits 2', async () => {
    await connectThroughApp('octo-org', 'octo/app');
    expect((await sync('octo/app', '--project', 'acme')).code).toBe(0);
    const result = await sync('octo/app');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('issue-sync: Several projects hold octo/app: acme (1 repository), octo-org (1); pass --project SLUG.\n');
  });

  it('sync of a repository connected nowhere writes into project default', async () => {
    await connectThroughApp('octo-org', 'octo/app');
    expect((await sync('octo/other')).code).toBe(0);
    const connection = await database.db.prisma.repositoryConnection.findFirstOrThrow({
      where: { fullPath: 'octo/other' },
      include: { project: true },
    });
    expect(connection.project.slug).toBe('default');
  });

  it('sync of a repository the App reads says the CLI needs --token when the host refuses it', async () => {
    const secured = await startGitHubSimulator({ token: 'ghp_good' });
    try {
      secured.repo('octo', 'app', { issues: 1 });
      const app = await connectThroughApp('octo-org', 'octo/app');
      const result = await cli(['sync', '--provider', 'github', '--repo', 'octo/app', '--api-url', secured.url]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        `octo/app in project octo-org is read through the GitHub App, whose token the CLI cannot use: pass --token, ` +
          `or sync it from the service: POST /api/projects/octo-org/repositories/${app.id}/sync`,
      );
    } finally {
      await secured.close();
    }
  });
});
