import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  [github, database, dataDir] = await Promise.all([
    startGitHubSimulator(),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-listings-')),
  ]);
});
afterAll(async () => {
  await github?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCliCaptured(args, { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir });

const sync = async (repo: string, project: string, ...extra: string[]) => {
  const result = await cli(['sync', '--provider', 'github', '--repo', repo, '--api-url', github.url, '--project', project, ...extra]);
  expect(result.stderr).toBe('');
  return result;
};

describe('listings', () => {
  it('issues list prints one line per issue whatever its title holds, under a header and above a count', async () => {
    github.repo('octo', 'messy', {
      issues: [{ title: 'two\nlines' }, { title: 'tab\there\r\nand CRLF' }, { title: 'colour \u001b[31mred' }, { title: 'plain' }],
    });
    await sync('octo/messy', 'messy', '--include-closed', '--confirm');
    const { code, stdout } = await cli(['issues', 'list', '--project', 'messy']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 4 + 1);
    expect(lines[0]).toMatch(/^REPOSITORY +NUMBER +KIND +STATE +TITLE$/);
    expect(lines.slice(1, 5).map((line) => line.split(/ {2,}/).at(-1))).toEqual([
      'two lines',
      'tab here and CRLF',
      'colour \\x1b[31mred',
      'plain',
    ]);
    expect(lines[5]).toBe('4 issues and 0 security alerts in project messy.');
  });

  it('issues list sorts by repository, then by number as a number, alerts after issues', async () => {
    github.repo('octo', 'alpha', { issues: 12, alerts: 2 });
    github.repo('octo', 'zeta', { issues: 1 });
    // Stored in another order than they are listed: alerts first, then the later repository.
    await sync('octo/alpha', 'sorted', '--type', 'security');
    await sync('octo/zeta', 'sorted', '--include-closed', '--confirm');
    await sync('octo/alpha', 'sorted', '--include-closed', '--confirm');
    const { stdout } = await cli(['issues', 'list', '--project', 'sorted']);
    const rows = stdout.split('\n').slice(1, -2).map((line) => line.split(/ +/).slice(0, 2).join(' '));
    expect(rows).toEqual([
      ...Array.from({ length: 12 }, (_, index) => `octo/alpha #${index + 1}`),
      'octo/alpha alert-1',
      'octo/alpha alert-2',
      'octo/zeta #1',
    ]);
  });

  it('the sync summary calls unchanged items skipped, as the bar and the JSON do', async () => {
    github.repo('octo', 'again', { issues: 3 });
    await sync('octo/again', 'again', '--include-closed', '--confirm');
    const second = await sync('octo/again', 'again', '--include-closed', '--confirm');
    expect(second.stdout).toMatch(/^Synced octo\/again: 0 created, 0 updated, 3 skipped \(unchanged\) /);
  });

  it('projects list shows each project\'s slug, id, name, repository count and issue count', async () => {
    github.repo('octo', 'counted', { issues: 5 });
    await sync('octo/counted', 'counted', '--include-closed', '--confirm');
    const project = await database.db.prisma.project.findUniqueOrThrow({ where: { slug: 'counted' } });
    const { code, stdout } = await cli(['projects', 'list']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^SLUG +ID +NAME +REPOSITORIES +ISSUES$/);
    expect(stdout).toMatch(new RegExp(`^counted +${project.id} +counted +1 +5$`, 'm'));
    const listed = JSON.parse((await cli(['projects', 'list', '--json'])).stdout);
    expect(listed).toContainEqual({ id: project.id, slug: 'counted', name: 'counted', repositoryCount: 1, issueCount: 5 });
  });

  it('repos list shows each repository\'s id, provider, path, project, webhook health and last sync, and what the health means', async () => {
    github.repo('octo', 'health', { issues: 1 });
    await sync('octo/health', 'health', '--include-closed', '--confirm');
    const connection = await database.db.prisma.repositoryConnection.findFirstOrThrow({ where: { fullPath: 'octo/health' } });
    const { code, stdout } = await cli(['repos', 'list', '--project', 'health']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ID +PROVIDER +PATH +PROJECT +WEBHOOK +LAST SYNC$/);
    expect(stdout).toMatch(new RegExp(`^${connection.id} +github +octo/health +health +inactive +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`, 'm'));
    expect(stdout).toMatch(/^inactive: no webhook deliveries: changes are found by checks every STALE_CHECK_INTERVAL_S seconds \(GitHub\)/m);
  });

  it('users add to a project that does not exist creates it and says so, naming the other projects', async () => {
    await database.db.prisma.project.upsert({ where: { slug: 'acme' }, create: { slug: 'acme', name: 'acme' }, update: {} });
    const result = await cli(['users', 'add', '--project', 'acmee', '--name', 'Ada', '--role', 'admin']);
    expect(result.code).toBe(0);
    const created = await database.db.prisma.project.findUniqueOrThrow({ where: { slug: 'acmee' } });
    expect(result.stdout.split('\n')[0]).toMatch(
      new RegExp(`^Created project acmee \\(id ${created.id}\\): it did not exist and has no repositories yet; the other projects are .*acme \\(\\d+ repositor`),
    );
    const again = await cli(['users', 'add', '--project', 'acmee', '--name', 'Bob', '--role', 'viewer']);
    expect(again.stdout).not.toContain('Created project');
  });

  it('repos add prints the repository id on its first line, then the project it was connected to', async () => {
    github.repo('octo', 'added', { issues: 1 });
    const result = await cli(['repos', 'add', '--project', 'added', '--provider', 'github', '--repo', 'octo/added', '--token', 't', '--api-url', github.url]);
    expect(result.code).toBe(0);
    const [id, connected, next] = result.stdout.split('\n');
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: id! }, include: { project: true } });
    expect(connected).toBe(`Connected github repository octo/added to project added (project id ${connection.projectId}, created now).`);
    expect(next).toBe(`Sync it with: issue-sync sync --provider github --repo octo/added --project added --api-url ${github.url}`);
  });
});
