import { mkdtemp, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;

beforeAll(async () => {
  [github, database, dataDir] = await Promise.all([
    startGitHubSimulator(),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-cli-')),
  ]);
});

afterAll(async () => {
  await github?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const cli = (args: string[], options: { signal?: AbortSignal } = {}) =>
  runCliCaptured(args, { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir }, options);

const syncArgs = (repo: string, project: string, ...extra: string[]) => [
  'sync', '--provider', 'github', '--repo', repo, '--api-url', github.url, '--project', project, '--json', ...extra,
];

async function stored(project: string) {
  return database.db.prisma.issue.findMany({
    where: { project: { slug: project } },
    select: { externalId: true, title: true, state: true, kind: true, customFields: true },
  });
}

const issueNumbers = (rows: { externalId: string | null; kind: string }[]) =>
  rows.filter((row) => row.kind === 'issue').map((row) => Number(row.externalId!.split(':').pop()));

describe('issue-sync sync --provider github', () => {
  it('imports exactly the issues and alerts of a repository, and a second run creates nothing', async () => {
    const repo = github.repo('octo', 'exact', { issues: 250, alerts: 120 });
    const pullRequests = repo.addPullRequests(30);
    const first = await cli(syncArgs('octo/exact', 'exact', '--type', 'all', '--include-closed', '--confirm'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      status: 'completed', provider: 'github', repository: 'octo/exact',
      created: 370, updated: 0, skipped: 0, failed: 0, issues: 250, securityAlerts: 120,
    });
    // 280 items (pull requests are listed among issues) in pages of 100, two alert pages, plus
    // the repository, the issue catch-up and the alert catch-up.
    expect(summary.requests).toBe(Math.ceil(280 / 100) + Math.ceil(120 / 100) + 3);
    const rows = await stored('exact');
    expect(rows).toHaveLength(370);
    expect(new Set(rows.map((row) => row.externalId)).size).toBe(370);
    expect(rows.filter((row) => row.kind === 'security_alert')).toHaveLength(120);
    expect(issueNumbers(rows).filter((number) => pullRequests.includes(number))).toEqual([]);
    expect(rows[0]!.externalId).toMatch(/^github:https:\/\/github\.com\/octo\/exact:(\d+|alert-\d+)$/);

    const second = await cli(syncArgs('octo/exact', 'exact', '--type', 'all', '--include-closed', '--confirm'));
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'completed', created: 0, updated: 0, skipped: 370 });
    expect(await stored('exact')).toHaveLength(370);
  });

  it('syncs only open issues unless closed ones are asked for and confirmed', async () => {
    const repo = github.repo('octo', 'open-only', { issues: 120 });
    const result = await cli(syncArgs('octo/open-only', 'open-only'));
    expect(result.code).toBe(0);
    const rows = await stored('open-only');
    expect(rows).toHaveLength(repo.openIssueCount());
    expect(rows.every((row) => row.state === 'open')).toBe(true);

    const unconfirmed = await cli(syncArgs('octo/open-only', 'open-only', '--include-closed'));
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--confirm/);
  });

  it('stores an issue edited during a full sync once, with its newest title', async () => {
    const repo = github.repo('octo', 'moving', { issues: 300 });
    let issuePages = 0;
    github.onRequest(({ url }) => {
      if (url.pathname !== '/repos/octo/moving/issues' || url.searchParams.has('since')) return;
      issuePages += 1;
      if (issuePages === 2) {
        repo.editIssue(5, { title: 'Edited after it was fetched' });
        repo.editIssue(290, { title: 'Edited before it was fetched' });
      }
    });
    try {
      const result = await cli(syncArgs('octo/moving', 'moving', '--include-closed', '--confirm'));
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', issues: 300, created: 300, updated: 1 });
    } finally {
      github.onRequest(null);
    }
    const rows = await stored('moving');
    expect(rows).toHaveLength(300);
    const titles = new Map(rows.map((row) => [Number(row.externalId!.split(':').pop()), row.title]));
    expect(titles.get(5)).toBe('Edited after it was fetched');
    expect(titles.get(290)).toBe('Edited before it was fetched');
  });

  it('closes an open issue that was closed during an open-only sync, and creates no closed ones', async () => {
    const repo = github.repo('octo', 'closing', { issues: 250 });
    const openBefore = repo.openIssueCount();
    let pages = 0;
    github.onRequest(({ url }) => {
      if (url.pathname !== '/repos/octo/closing/issues') return;
      pages += 1;
      if (pages === 2) {
        repo.editIssue(1, { state: 'closed' });
        repo.editIssue(249, { title: 'Renamed mid-walk' });
      }
    });
    try {
      const result = await cli(syncArgs('octo/closing', 'closing'));
      expect(JSON.parse(result.stdout).status).toBe('completed');
    } finally {
      github.onRequest(null);
    }
    const rows = await stored('closing');
    const numbers = issueNumbers(rows);
    expect(new Set(numbers).size).toBe(numbers.length);
    // Every issue that was open at the start is stored; the one closed mid-sync is stored closed.
    expect(rows).toHaveLength(openBefore);
    expect(rows.filter((row) => row.state === 'open')).toHaveLength(repo.openIssueCount());
  });

  it('retries 429, secondary limits and server errors, and the counts stay exact', async () => {
    github.repo('octo', 'flaky', { issues: 230, alerts: 40 });
    github.fault({ ...githubFaults.tooManyRequests(1), path: '/repos/octo/flaky/issues' });
    github.fault({ ...githubFaults.secondaryRateLimit(1), path: /^\/repos\/octo\/flaky\/issues\?.*page=2/ });
    github.fault({ ...githubFaults.serverError(502), path: '/repos/octo/flaky/dependabot/alerts' });
    const result = await cli(syncArgs('octo/flaky', 'flaky', '--type', 'all', '--include-closed', '--confirm'));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ created: 270, issues: 230, securityAlerts: 40, failed: 0 });
    const statuses = github.requests.filter((request) => request.path.startsWith('/repos/octo/flaky/')).map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([429, 403, 502]));
    expect(await stored('flaky')).toHaveLength(270);
  });

  it('syncs the issues of a repository whose Dependabot alerts are disabled, reporting the alerts as skipped', async () => {
    github.repo('octo', 'no-alerts', { issues: 12, dependabot: 'disabled' });
    const result = await cli(syncArgs('octo/no-alerts', 'no-alerts', '--type', 'all', '--include-closed', '--confirm'));
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ status: 'completed', issues: 12, securityAlerts: 0 });
    expect(summary.skippedParts).toEqual([{ part: 'security', reason: expect.stringMatching(/disabled/i) }]);
  });

  it('claims a local issue with the same title and repository URL, and keeps two same-title issues apart', async () => {
    github.repo('octo', 'dupes', {
      issues: [{ title: 'Same title' }, { title: 'Same title' }, { title: 'Unique' }, { title: 'Local twin' }],
    });
    const project = await database.db.prisma.project.create({ data: { slug: 'dupes', name: 'dupes' } });
    const repositoryUrl = 'https://github.com/octo/dupes';
    const twin = await database.db.prisma.issue.create({
      data: { projectId: project.id, title: 'Local twin', repositoryUrl },
    });
    const same = await database.db.prisma.issue.create({
      data: { projectId: project.id, title: 'Same title', repositoryUrl },
    });
    const result = await cli(syncArgs('octo/dupes', 'dupes', '--include-closed', '--confirm'));
    expect(JSON.parse(result.stdout)).toMatchObject({ created: 2, updated: 2 });
    const rows = await stored('dupes');
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((row) => row.externalId)).size).toBe(4);
    const linked = await database.db.prisma.issue.findMany({ where: { id: { in: [twin.id, same.id] } } });
    expect(linked.map((row) => row.externalId)).toEqual([expect.stringMatching(/:\d$/), expect.stringMatching(/:\d$/)]);
  });

  it('never lets the sync overwrite a newer stored copy with an older one', async () => {
    github.repo('octo', 'newer', { issues: [{ title: 'From GitHub', updatedAt: new Date('2025-01-01T00:00:00Z') }] });
    const project = await database.db.prisma.project.create({ data: { slug: 'newer', name: 'newer' } });
    await database.db.prisma.issue.create({
      data: {
        projectId: project.id,
        title: 'From a later webhook',
        repositoryUrl: 'https://github.com/octo/newer',
        customFields: { externalId: 'github:https://github.com/octo/newer:1' },
        externalUpdatedAt: new Date('2025-06-01T00:00:00Z'),
      },
    });
    const result = await cli(syncArgs('octo/newer', 'newer', '--include-closed', '--confirm'));
    expect(JSON.parse(result.stdout)).toMatchObject({ created: 0, updated: 0, skipped: 1 });
    expect((await stored('newer')).map((row) => row.title)).toEqual(['From a later webhook']);
  });

  it('continues an interrupted sync from its checkpoint', async () => {
    github.repo('octo', 'interrupted', { issues: 500 });
    const controller = new AbortController();
    let pages = 0;
    github.onRequest(({ url }) => {
      if (url.pathname === '/repos/octo/interrupted/issues' && ++pages === 3) controller.abort(new Error('SIGINT'));
    });
    let first;
    try {
      first = await cli(syncArgs('octo/interrupted', 'interrupted', '--include-closed', '--confirm'), {
        signal: controller.signal,
      });
    } finally {
      github.onRequest(null);
    }
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/run the same command again to continue/);
    const partial = (await stored('interrupted')).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(500);

    github.clearRequests();
    const second = await cli(syncArgs('octo/interrupted', 'interrupted', '--include-closed', '--confirm'));
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'completed', resumed: true, issues: 500, created: 500 });
    expect(await stored('interrupted')).toHaveLength(500);
    // The second run starts at the page after the last one stored, not from the first page.
    const issuePages = github.requests.filter((r) => r.path.startsWith('/repos/octo/interrupted/issues?') && !r.path.includes('since'));
    expect(issuePages.length).toBeLessThan(5);
  });

  it('refuses to run beside a live sync of the same repository, and takes over one whose process died', async () => {
    github.repo('octo', 'busy', { issues: 5 });
    const project = await database.db.prisma.project.create({ data: { slug: 'busy', name: 'busy' } });
    const repository = await database.db.prisma.repositoryConnection.create({
      data: { projectId: project.id, provider: 'github', fullPath: 'octo/busy', url: 'https://github.com/octo/busy' },
    });
    const running = await database.db.prisma.syncOperation.create({
      data: {
        projectId: project.id, repositoryId: repository.id, syncType: 'issues', includeClosed: true,
        trigger: 'manual', status: 'running', jobId: `cli:${hostname()}:1`, heartbeatAt: new Date(),
      },
    });
    const refused = await cli(syncArgs('octo/busy', 'busy', '--include-closed', '--confirm'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`already running \\(operation ${running.id}`));

    // Silent for ten minutes, but on purpose: it waits in the queue for a rate limit to reset.
    await database.db.prisma.syncOperation.update({
      where: { id: running.id },
      data: {
        jobId: 'pgboss:6f1c1f1e-0000-4000-8000-000000000001',
        heartbeatAt: new Date(Date.now() - 10 * 60_000),
        progress: { stage: 'issues', processed: 200, total: null, percent: 0, rateLimitResetAt: new Date(Date.now() + 3_600_000).toISOString() },
      },
    });
    const waiting = await cli(syncArgs('octo/busy', 'busy', '--include-closed', '--confirm'));
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toMatch(/already running/);

    // The same operation, now owned by a process that no longer exists.
    await database.db.prisma.syncOperation.update({ where: { id: running.id }, data: { jobId: `cli:${hostname()}:999999999` } });
    const taken = await cli(syncArgs('octo/busy', 'busy', '--include-closed', '--confirm'));
    expect(JSON.parse(taken.stdout)).toMatchObject({ status: 'completed', created: 5 });
    const abandoned = await database.db.prisma.syncOperation.findUniqueOrThrow({ where: { id: running.id } });
    expect(abandoned).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped before it finished/) });
  });

  it('lists the stored issues as JSON', async () => {
    github.repo('octo', 'listed', { issues: [{ title: 'First' }, { title: 'Second' }] });
    await cli(syncArgs('octo/listed', 'listed', '--include-closed', '--confirm'));
    const result = await cli(['issues', 'list', '--project', 'listed', '--repo', 'octo/listed', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).map((issue: { title: string }) => issue.title).sort()).toEqual(['First', 'Second']);
  });
});

describe('issue-sync sync failures', () => {
  it('says in one line that an unknown repository was not found, and exits 1', async () => {
    const result = await cli(syncArgs('octo/does-not-exist', 'failures'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/octo\/does-not-exist.*not found/i);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'failed', error: expect.any(String) });
  });

  it('says in one line that a host cannot be reached, and exits 1', async () => {
    const result = await cli(['sync', '--provider', 'github', '--repo', 'octo/x', '--api-url', 'http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/127\.0\.0\.1:1/);
  });

  it('exits 2 with one line for bad arguments', async () => {
    const result = await cli(['sync', '--provider', 'github', '--repo', 'not a repo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^issue-sync: --repo for github must look like owner\/name/);
  });
});

describe('tokens', () => {
  let secured: GitHubSimulator;
  beforeAll(async () => {
    secured = await startGitHubSimulator({ token: 'ghp_good' });
    secured.repo('octo', 'private', { issues: 3 });
  });
  afterAll(async () => {
    await secured?.close();
  });

  it('says in one line that a bad token was rejected, and exits 1', async () => {
    const result = await cli(['sync', '--provider', 'github', '--repo', 'octo/private', '--api-url', secured.url, '--token', 'ghp_bad']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/401|token/i);
    // The provider's message names no way of giving a token; the CLI says it was --token's.
    expect(result.stderr).toContain('--token');
    expect(result.stderr).not.toContain('ghp_bad');
  });

  it('stores a connected repository token encrypted and syncs with it', async () => {
    const added = await cli([
      'repos', 'add', '--project', 'secure', '--provider', 'github', '--repo', 'octo/private',
      '--token', 'ghp_good', '--api-url', secured.url,
    ]);
    expect(added.code).toBe(0);
    const [id] = added.stdout.split('\n');
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id } });
    expect(connection.encryptedToken).toBeTruthy();
    expect(connection.encryptedToken).not.toContain('ghp_good');

    const result = await cli(['sync', '--provider', 'github', '--repo', 'octo/private', '--project', 'secure', '--include-closed', '--confirm', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', created: 3 });
  });
});
