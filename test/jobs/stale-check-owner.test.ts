/**
 * The stale check asks an owner's repositories together before it asks them one by one: one issue
 * search (`user:OWNER updated:>=…`) and one conditional read of the organisation's Dependabot alerts
 * cover every repository of the owner. Against the loopback GitHub simulator: a quiet round costs two
 * requests and no core rate-limit point whatever the number of repositories; an outage in a few of
 * them heals exactly those; what the signal cannot see (a user account's alerts, a search with more
 * than a page of updates, an edit the index had not seen yet) is checked alone or seen next round;
 * each repository is still checked alone about once an hour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBossSyncJobs } from '../../src/jobs/pg-boss-sync-jobs.js';
import { SWEEP_PERIOD_MS, type StaleCheckDeps } from '../../src/jobs/stale-check.js';
import { silentLogger } from '../../src/logger.js';
import { GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase } from '../support/test-database.js';
import { intervalsFromNow, staleCheckOn } from '../support/stale-check-harness.js';

const log = silentLogger();
const INTERVAL_S = 300;

let github: GitHubSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let api: ApiHarness;
let jobs: PgBossSyncJobs;

beforeAll(async () => {
  [github, database] = await Promise.all([
    startGitHubSimulator({ token: GITHUB_TOKEN, userAccounts: ['solo'] }),
    createTestDatabase(),
  ]);
  api = startApiHarness(database, github);
  jobs = await startTestRunner(database.db, { cipher: api.cipher, log });
});

afterAll(async () => {
  await jobs?.close();
  await api?.close();
  await github?.close();
  await database?.drop();
});

const staleCheck = (overrides: Partial<StaleCheckDeps> = {}) =>
  staleCheckOn({ db: database.db, jobs, cipher: api.cipher, log, intervalSeconds: INTERVAL_S }, overrides);

/** The clock of a check run `intervals` check intervals from now. */
const later = intervalsFromNow(INTERVAL_S);

/**
 * `count` repositories of `owner`, connected with one token and synced up to now (watermarks at the
 * simulator's newest update), with an active webhook; those in `withAlerts` also sync Dependabot alerts.
 */
async function quietOwner(owner: string, count: number, withAlerts: number[] = []) {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: `owner-${owner}`, name: owner } });
  const connections = [];
  const yesterday = Date.now() - 24 * 3600_000;
  for (let index = 0; index < count; index += 1) {
    const alerts = withAlerts.includes(index);
    // Dated yesterday, so that what the tests change today is newer (the simulator dates generated items on its own clock).
    const dated = (minute: number) => ({ createdAt: new Date(yesterday + minute * 60_000), updatedAt: new Date(yesterday + minute * 60_000) });
    const repo = github.repo(owner, `repo-${index}`, {
      issues: [0, 1, 2].map((minute) => ({ state: 'open' as const, ...dated(minute) })),
      ...(alerts ? { alerts: [3, 4].map(dated) } : {}),
    });
    const synced = new Date(yesterday + 4 * 60_000);
    connections.push(
      await prisma.repositoryConnection.create({
        data: {
          projectId: project.id,
          provider: 'github',
          externalRepoId: String(repo.id),
          fullPath: `${owner}/repo-${index}`,
          url: `https://github.com/${owner}/repo-${index}`,
          apiUrl: github.url,
          encryptedToken: api.cipher.encrypt(GITHUB_TOKEN),
          webhookStatus: 'active',
          lastWebhookAt: new Date(),
          lastSyncAt: new Date(),
          issuesWatermark: synced,
          alertsWatermark: alerts ? synced : null,
        },
      }),
    );
  }
  return connections;
}

/** Requests about one repository (`owner/name`), or every repository of an owner (`owner`). */
const aloneRequests = (of: string) =>
  github.requests.filter((request) => new RegExp(`^/repos/${of}${of.includes('/') ? '' : '/'}(?:[/?]|$)`).test(request.path) || request.path.startsWith(`/repos/${of}/`));
/** The owner-wide signal's requests: the issue search and the organisation's alerts. */
const signalRequests = (owner: string) =>
  github.requests.filter(
    (request) => (request.path.startsWith('/search/issues') && request.path.includes(`user%3A${owner}`)) || request.path.startsWith(`/orgs/${owner}/`),
  );

async function pointsUsed(): Promise<number> {
  const response = await fetch(`${github.url}/rate-limit-probe`, { headers: { authorization: `token ${GITHUB_TOKEN}` } });
  await response.arrayBuffer();
  return Number(response.headers.get('x-ratelimit-used')) - 1;
}

const staleBackfills = (repositoryIds: string[]) =>
  database.db.prisma.syncOperation.findMany({ where: { repositoryId: { in: repositoryIds }, trigger: 'stale_webhook' } });

/** Issues created during the test, a second apart (generated ones are dated on the simulator's clock). */
const createdNow = (index: number) => ({ createdAt: new Date(Date.now() + index * 1000), updatedAt: new Date(Date.now() + index * 1000) });

/** Keeps only these repositories active, so each test's rounds see its own owner alone. */
async function onlyActive(ids: string[]) {
  await database.db.prisma.repositoryConnection.updateMany({ where: { id: { notIn: ids } }, data: { active: false } });
}

describe('the owner-wide stale signal', () => {
  it('checks 20 quiet repositories of an organisation with two requests and no core point once each was checked alone', async () => {
    const connections = await quietOwner('acme', 20, [0, 1, 2]);
    await onlyActive(connections.map((connection) => connection.id));
    // First round: each repository is checked alone once (the signal looks from the last check).
    expect(await staleCheck({ clock: later(1) }).tick()).toMatchObject({ checked: 20, ownerSignals: 0, failed: 0 });

    github.clearRequests();
    const before = await pointsUsed();
    const second = await staleCheck({ clock: later(2) }).tick();
    expect(second).toMatchObject({ checked: 20, throughSignal: 20, ownerSignals: 1, stale: 0, started: 0, failed: 0 });
    expect(aloneRequests('acme')).toEqual([]);
    expect(signalRequests('acme').map((request) => request.path.split('?')[0])).toEqual(['/search/issues', '/orgs/acme/dependabot/alerts']);
    // The alerts' first read is a 200 (one point); its ETag is kept for the next round.
    expect((await pointsUsed()) - before - 1).toBe(1);

    github.clearRequests();
    const third = await pointsUsed();
    expect(await staleCheck({ clock: later(3) }).tick()).toMatchObject({ checked: 20, throughSignal: 20, ownerSignals: 1, failed: 0 });
    expect(signalRequests('acme').map((request) => request.status)).toEqual([200, 304]);
    expect(aloneRequests('acme')).toEqual([]);
    expect((await pointsUsed()) - third - 1).toBe(0);
    const rows = await database.db.prisma.repositoryConnection.findMany({ where: { id: { in: connections.map((c) => c.id) } } });
    expect(rows.every((row) => row.webhookStatus === 'active' && row.lastProbedAt !== null)).toBe(true);
  });

  it('heals exactly the repositories an outage changed, with one backfill each', async () => {
    const connections = await quietOwner('outage-org', 12, [5]);
    await onlyActive(connections.map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();

    // No delivery arrives while issues change in two repositories and an alert in a third.
    const edited = github.repo('outage-org', 'repo-3');
    for (let number = 1; number <= 3; number += 1) edited.editIssue(number, { title: `Edited in the outage ${number}` });
    github.repo('outage-org', 'repo-7').addIssues(60, (index) => ({ title: `Created in the outage ${index}`, state: 'open', ...createdNow(index) }));
    github.repo('outage-org', 'repo-5').editAlert(1, { state: 'dismissed' });
    github.clearRequests();

    const report = await staleCheck({ clock: later(2) }).tick();
    expect(report).toMatchObject({ ownerSignals: 1, throughSignal: 12, stale: 3, started: 3, failed: 0 });
    const backfills = await staleBackfills(connections.map((connection) => connection.id));
    const byRepository = new Map(backfills.map((operation) => [operation.repositoryId, operation]));
    expect(byRepository.get(connections[3]!.id)).toMatchObject({ syncType: 'issues' });
    expect(byRepository.get(connections[7]!.id)).toMatchObject({ syncType: 'issues' });
    expect(byRepository.get(connections[5]!.id)).toMatchObject({ syncType: 'security' });
    for (const operation of backfills) expect(await jobs.waitFor(operation.id)).toMatchObject({ status: 'completed' });

    const { prisma } = database.db;
    expect(await prisma.issue.count({ where: { repositoryId: connections[3]!.id, title: { startsWith: 'Edited in the outage' } } })).toBe(3);
    expect(await prisma.issue.count({ where: { repositoryId: connections[7]!.id, title: { startsWith: 'Created in the outage' } } })).toBe(60);
    // Per changed repository: its backfill's pages, and nothing of its own before it.
    expect(aloneRequests('outage-org/repo-7').length).toBeLessThanOrEqual(Math.ceil(60 / 100) + 3);
    expect(aloneRequests('outage-org/repo-3').length).toBeLessThanOrEqual(Math.ceil(3 / 100) + 3);
    const quietOnes = connections.filter((_, index) => ![3, 5, 7].includes(index));
    for (const connection of quietOnes) expect(aloneRequests(connection.fullPath)).toEqual([]);
    const rows = await prisma.repositoryConnection.findMany({ where: { id: { in: connections.map((c) => c.id) } }, orderBy: { fullPath: 'asc' } });
    expect(rows.filter((row) => row.webhookStatus === 'stale').map((row) => row.fullPath).sort()).toEqual(
      ['outage-org/repo-3', 'outage-org/repo-5', 'outage-org/repo-7'],
    );

    // The next round: the backfills moved the watermarks, nothing more is started.
    expect(await staleCheck({ clock: later(3) }).tick()).toMatchObject({ started: 0, stale: 0, failed: 0 });
  });

  it('sees next round an edit the search index had not seen yet', async () => {
    const connections = await quietOwner('laggy', 4);
    await onlyActive(connections.map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();
    github.setSearchLag(3600);
    try {
      github.repo('laggy', 'repo-2').editIssue(1, { title: 'Edited before the index saw it' });
      expect(await staleCheck({ clock: later(2) }).tick()).toMatchObject({ throughSignal: 4, stale: 0 });
      github.setSearchLag(0);
      // The search looks from a margin before the last check: the edit is found now.
      expect(await staleCheck({ clock: later(3) }).tick()).toMatchObject({ throughSignal: 4, stale: 1, started: 1 });
    } finally {
      github.setSearchLag(0);
    }
    const [backfill] = await staleBackfills([connections[2]!.id]);
    expect(await jobs.waitFor(backfill!.id)).toMatchObject({ status: 'completed' });
  });

  it("checks alone the alerts a user account's signal cannot see, and everything when the search fails", async () => {
    const connections = await quietOwner('solo', 5, [0, 1]);
    await onlyActive(connections.map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();
    github.clearRequests();
    // A user account has no organisation alerts (404): the two with alerts are checked alone.
    expect(await staleCheck({ clock: later(2) }).tick()).toMatchObject({ ownerSignals: 1, throughSignal: 3, checked: 5, failed: 0 });
    expect(new Set(aloneRequests('solo').map((request) => request.path.split('/')[3]))).toEqual(new Set(['repo-0', 'repo-1']));

    github.fault({ ...githubFaults.serverError(422), path: '/search/issues' });
    github.clearRequests();
    expect(await staleCheck({ clock: later(3) }).tick()).toMatchObject({ throughSignal: 0, checked: 5, failed: 0 });
    expect(new Set(aloneRequests('solo').map((request) => request.path.split('/')[3])).size).toBe(5);
  });

  it('checks alone the repositories a search with more than a page of updates does not reach', async () => {
    const connections = await quietOwner('busy-org', 5);
    await onlyActive(connections.map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();
    // 150 updates in one repository fill the search's page: the other four are not seen.
    github.repo('busy-org', 'repo-0').addIssues(150, (index) => ({ state: 'open', ...createdNow(index) }));
    github.clearRequests();
    const report = await staleCheck({ clock: later(2) }).tick();
    expect(report).toMatchObject({ ownerSignals: 1, throughSignal: 1, checked: 5, stale: 1, started: 1, failed: 0 });
    // The probes of a repository checked alone read its newest 20 issues (a backfill reads pages of 100).
    expect(new Set(aloneRequests('busy-org').filter((request) => request.path.includes('per_page=20')).map((request) => request.path.split('/')[3])))
      .toEqual(new Set(['repo-1', 'repo-2', 'repo-3', 'repo-4']));
    const [backfill] = await staleBackfills([connections[0]!.id]);
    expect(await jobs.waitFor(backfill!.id)).toMatchObject({ status: 'completed', results: { created: 150 } });
  });

  it("checks an owner's repositories alone when its signal cannot be asked at all", async () => {
    const connections = await quietOwner('unasked', 4);
    await onlyActive(connections.map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();
    github.clearRequests();
    const broken = { get: async () => Promise.reject(new Error('the service state cannot be read')), set: async () => undefined };
    expect(await staleCheck({ clock: later(2), state: broken }).tick()).toMatchObject({ ownerSignals: 0, throughSignal: 0, checked: 4, failed: 0 });
    expect(new Set(aloneRequests('unasked').map((request) => request.path.split('/')[3])).size).toBe(4);
  });

  it("leaves the search's own quota alone when it runs low: the next owner's repositories are checked alone", async () => {
    const first = await quietOwner('quota-a', 3);
    const second = await quietOwner('quota-b', 3);
    await onlyActive([...first, ...second].map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();
    // A minute after the round's clock.
    const resetAt = Math.floor(later(2)().getTime() / 1000) + 60;
    // The first search of the round leaves 2 of its 30 a minute.
    github.fault({
      status: 200,
      path: '/search/issues',
      headers: { 'x-ratelimit-resource': 'search', 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': String(resetAt) },
      body: { total_count: 0, incomplete_results: false, items: [] },
    });
    github.clearRequests();
    const checker = staleCheck({ clock: later(2) });
    expect(await checker.tick()).toMatchObject({ ownerSignals: 1, throughSignal: 3, checked: 6, failed: 0 });
    expect(github.requests.filter((request) => request.path.startsWith('/search/'))).toHaveLength(1);
  });

  it('checks each repository alone about once an hour, a share per round, and gives a failed check back', async () => {
    const connections = await quietOwner('sweep', 24);
    await onlyActive(connections.map((connection) => connection.id));
    await staleCheck({ clock: later(1) }).tick();
    // An hour and more on: 12 rounds an hour at 300 s, so 2 of the 24 are checked alone this round.
    const rounds = SWEEP_PERIOD_MS / (INTERVAL_S * 1000);
    github.clearRequests();
    const report = await staleCheck({ clock: later(1 + rounds + 1) }).tick();
    expect(report).toMatchObject({ ownerSignals: 1, checked: 24, throughSignal: 24 - 24 / rounds, failed: 0 });
    expect(aloneRequests('sweep')).toHaveLength(24 / rounds);

    // A check that fails gives its turn back: the repository is due again at once.
    const { prisma } = database.db;
    const before = await prisma.repositoryConnection.findUniqueOrThrow({ where: { id: connections[0]!.id } });
    await prisma.repositoryConnection.update({ where: { id: connections[0]!.id }, data: { lastProbedAt: null } });
    github.fault({ ...githubFaults.serverError(404), path: '/repos/sweep/repo-0/issues' });
    const failed = await staleCheck({ clock: later(rounds + 4) }).tick();
    expect(failed.failed).toBe(1);
    expect((await prisma.repositoryConnection.findUniqueOrThrow({ where: { id: connections[0]!.id } })).lastCheckedAt).toEqual(before.lastCheckedAt);
  });
});
