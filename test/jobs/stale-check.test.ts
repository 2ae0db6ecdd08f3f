/**
 * The stale check of GitHub repositories, through the real pg-boss runner against the loopback
 * GitHub simulator: an outage (no deliveries while issues change) is noticed by one check and healed
 * by one incremental backfill; a quiet repository's check is a 304 that costs no rate-limit point,
 * with the ETag a new provider finds in the database; two replicas start one backfill; the budget
 * holds checks back; and the admin backfill of stale repositories finds what the check marked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { PgBossSyncJobs } from '../../src/jobs/pg-boss-sync-jobs.js';
import { type StaleCheckDeps } from '../../src/jobs/stale-check.js';
import { silentLogger } from '../../src/logger.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { ADMIN_TOKEN, GITHUB_TOKEN, gate, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
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
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  jobs = await startTestRunner(database.db, { cipher: api.cipher, log });
});

afterAll(async () => {
  await jobs?.close();
  await api?.close();
  await github?.close();
  await database?.drop();
});

const row = (id: string) => database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id } });

/** A GitHub connection through a token, synced in full once, with a delivery seen (an active webhook). */
async function syncedConnection(name: string, issues: number, simulator: GitHubSimulator = github) {
  const { prisma } = database.db;
  simulator.repo('octo', name, { issues });
  const project = await prisma.project.create({ data: { slug: `stale-${name}`, name } });
  const connection = await prisma.repositoryConnection.create({
    data: {
      projectId: project.id,
      provider: 'github',
      fullPath: `octo/${name}`,
      url: `https://github.com/octo/${name}`,
      apiUrl: simulator.url,
      encryptedToken: api.cipher.encrypt(GITHUB_TOKEN),
    },
  });
  const first = await jobs.start({
    projectId: project.id, repositoryId: connection.id, syncType: 'issues', includeClosed: true, trigger: 'manual',
  });
  expect(await jobs.waitFor(first.operation.id)).toMatchObject({ status: 'completed', results: { created: issues } });
  await createWebhookHealthStore(database.db).recordDelivery(connection.id, new Date());
  return connection;
}

const staleCheck = (overrides: Partial<StaleCheckDeps> = {}) =>
  staleCheckOn({ db: database.db, jobs, cipher: api.cipher, log, intervalSeconds: INTERVAL_S }, overrides);

/** The clock of a check run `intervals` check intervals from now. */
const later = intervalsFromNow(INTERVAL_S);

const staleBackfills = (repositoryId: string) =>
  database.db.prisma.syncOperation.findMany({ where: { repositoryId, trigger: 'stale_webhook' } });

/** Rate-limit points spent so far on the simulator (a probe request costs one itself, taken off). */
async function pointsUsed(simulator: GitHubSimulator = github): Promise<number> {
  const response = await fetch(`${simulator.url}/rate-limit-probe`, { headers: { authorization: `token ${GITHUB_TOKEN}` } });
  await response.arrayBuffer();
  return Number(response.headers.get('x-ratelimit-used')) - 1;
}

describe('the stale check of GitHub repositories', () => {
  it('notices an outage in one check and stores every change with one incremental backfill', async () => {
    const connection = await syncedConnection('outage', 250);
    const repo = github.repo('octo', 'outage');
    const checker = staleCheck({ clock: later(1) });
    // The first check of a quiet repository stores its ETag.
    expect(await checker.tick()).toMatchObject({ checked: expect.any(Number), stale: 0, started: 0, failed: 0 });
    expect((await row(connection.id)).etag).toEqual(expect.any(String));

    // An outage: no delivery arrives while 130 issues are edited and 20 created.
    for (let number = 1; number <= 130; number += 1) repo.editIssue(number, { title: `Edited during the outage ${number}` });
    repo.addIssues(20, (index) => ({ title: `Created during the outage ${index}`, state: 'open' }));
    const changed = 150;
    github.clearRequests();
    const report = await staleCheck({ clock: later(2) }).tick();
    expect(report).toMatchObject({ stale: 1, started: 1, failed: 0 });
    const [backfill] = await staleBackfills(connection.id);
    expect(backfill).toMatchObject({ syncType: 'issues' });
    expect(await jobs.waitFor(backfill!.id)).toMatchObject({ status: 'completed', results: { created: 20, updated: 130 } });

    const stored = await database.db.prisma.issue.count({ where: { repositoryId: connection.id, title: { contains: 'during the outage' } } });
    expect(stored).toBe(changed);
    const requests = github.requests.filter((request) => request.path.startsWith('/repos/octo/outage'));
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(changed / 100) + 3);
    expect(requests[0]).toMatchObject({ status: 200, path: expect.stringMatching(/\/issues\?.*sort=updated/) });
    expect(await row(connection.id)).toMatchObject({
      webhookStatus: 'stale',
      webhookReason: expect.stringMatching(/^GitHub shows issue changes up to .* that no webhook delivery brought; an incremental sync was started/),
    });
  });

  it("checks a quiet repository with a 304 that costs no point, with the ETag a new provider reads from the database", async () => {
    const connection = await syncedConnection('quiet', 40);
    await staleCheck({ clock: later(1) }).tick();
    const etag = (await row(connection.id)).etag;
    expect(etag).toEqual(expect.any(String));

    github.clearRequests();
    const before = await pointsUsed();
    // Another checker (as after a restart), whose opener makes a new provider for every check.
    const report = await staleCheck({ clock: later(2) }).tick();
    const spent = (await pointsUsed()) - before - 1;
    expect(report).toMatchObject({ stale: 0, started: 0, failed: 0 });
    const quiet = github.requests.filter((request) => request.path.startsWith('/repos/octo/quiet'));
    expect(quiet).toEqual([expect.objectContaining({ status: 304 })]);
    expect(spent).toBe(0);
    expect(await row(connection.id)).toMatchObject({ etag, webhookStatus: 'active' });
    expect(await staleBackfills(connection.id)).toHaveLength(0);
  });

  it('does not call a change stale when its delivery stored it', async () => {
    const connection = await syncedConnection('delivered', 5);
    await staleCheck({ clock: later(1) }).tick();
    const repo = github.repo('octo', 'delivered');
    repo.editIssue(2, { title: 'Edited and delivered' });
    // As a delivery stores it: the item, not the watermark.
    await database.db.prisma.issue.updateMany({
      where: { repositoryId: connection.id, title: 'Issue 2' },
      data: { title: 'Edited and delivered', externalUpdatedAt: new Date(repo.issue(2).updated_at as string) },
    });
    expect(await staleCheck({ clock: later(2) }).tick()).toMatchObject({ stale: 0, started: 0, failed: 0 });
    expect((await row(connection.id)).webhookStatus).toBe('active');
  });

  it('marks stale and backfills once when two replicas check at the same time, then leaves it to the backfill', async () => {
    const connection = await syncedConnection('replicas', 30);
    await staleCheck({ clock: later(1) }).tick();
    github.repo('octo', 'replicas').editIssue(7, { title: 'Edited while two replicas look' });

    const [one, two] = await Promise.all([staleCheck({ clock: later(2) }).tick(), staleCheck({ clock: later(2) }).tick()]);
    expect(one.stale + two.stale).toBe(1);
    expect(one.started + two.started).toBe(1);
    const backfills = await staleBackfills(connection.id);
    expect(backfills).toHaveLength(1);
    expect(await jobs.waitFor(backfills[0]!.id)).toMatchObject({ status: 'completed', results: { updated: 1 } });

    // The next interval: the ETag stored with the change answers 304, nothing more is started.
    expect(await staleCheck({ clock: later(3) }).tick()).toMatchObject({ started: 0, stale: 0, failed: 0 });
    expect(await staleBackfills(connection.id)).toHaveLength(1);
    expect((await row(connection.id)).webhookStatus).toBe('stale');
  });

  it('marks stale but starts nothing more while a sync of the repository is already running', async () => {
    const connection = await syncedConnection('busy', 10);
    await staleCheck({ clock: later(1) }).tick();
    github.repo('octo', 'busy').editIssue(3, { title: 'Edited while a sync runs' });
    const held = gate();
    github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/busy/issues' && url.searchParams.get('per_page') === '100') await held.wait;
    });
    try {
      const running = await jobs.start({
        projectId: connection.projectId, repositoryId: connection.id, syncType: 'issues', includeClosed: false, trigger: 'manual',
      });
      expect(await staleCheck({ clock: later(2) }).tick()).toMatchObject({ stale: 1, started: 0, alreadyRunning: 1, failed: 0 });
      held.open();
      expect(await jobs.waitFor(running.operation.id)).toMatchObject({ status: 'completed' });
    } finally {
      held.open();
      github.onRequest(null);
    }
    expect(await staleBackfills(connection.id)).toHaveLength(0);
    expect((await row(connection.id)).webhookStatus).toBe('stale');
  });

  it('checks the newest Dependabot alert of a repository that syncs alerts, and backfills only the alerts', async () => {
    const { prisma } = database.db;
    const repo = github.repo('octo', 'alerts', { issues: 4, alerts: 3 });
    const project = await prisma.project.create({ data: { slug: 'stale-alerts', name: 'alerts' } });
    const connection = await prisma.repositoryConnection.create({
      data: { projectId: project.id, provider: 'github', fullPath: 'octo/alerts', url: 'https://github.com/octo/alerts', apiUrl: github.url, encryptedToken: api.cipher.encrypt(GITHUB_TOKEN) },
    });
    const first = await jobs.start({ projectId: project.id, repositoryId: connection.id, syncType: 'all', includeClosed: true, trigger: 'manual' });
    expect(await jobs.waitFor(first.operation.id)).toMatchObject({ status: 'completed', results: { created: 7 } });
    await createWebhookHealthStore(database.db).recordDelivery(connection.id, new Date());
    expect((await row(connection.id)).alertsWatermark).not.toBeNull();
    await staleCheck({ clock: later(1) }).tick();

    repo.editAlert(2, { state: 'dismissed' });
    github.clearRequests();
    expect(await staleCheck({ clock: later(2) }).tick()).toMatchObject({ stale: 1, started: 1, failed: 0 });
    const checks = github.requests.filter((request) => request.path.startsWith('/repos/octo/alerts'));
    // The newest issues (this simulator's ETags change with any edit), then the newest alert.
    expect(checks.slice(0, 2)).toEqual([
      expect.objectContaining({ status: 200, path: expect.stringMatching(/\/issues\?/) }),
      expect.objectContaining({ status: 200, path: expect.stringMatching(/\/dependabot\/alerts\?.*per_page=1/) }),
    ]);
    const [backfill] = await staleBackfills(connection.id);
    expect(await jobs.waitFor(backfill!.id)).toMatchObject({ status: 'completed', syncType: 'security', results: { updated: 1 } });
    expect(await row(connection.id)).toMatchObject({ webhookStatus: 'stale', webhookReason: expect.stringMatching(/^GitHub shows Dependabot alert changes/) });
  });

  it('is found by POST /api/admin/backfill {"staleOnly":true}', async () => {
    const stale = await database.db.prisma.repositoryConnection.findMany({ where: { webhookStatus: 'stale' }, orderBy: { createdAt: 'asc' } });
    expect(stale.map((connection) => connection.fullPath)).toEqual(['octo/outage', 'octo/replicas', 'octo/busy', 'octo/alerts']);
    const answer = await api.request('POST', '/api/admin/backfill', { token: ADMIN_TOKEN, json: { staleOnly: true } });
    expect(answer.status).toBe(202);
    expect(answer.body.operations.map((operation: { repositoryId: string }) => operation.repositoryId)).toEqual(stale.map((connection) => connection.id));
    await Promise.all(answer.body.operations.map((operation: { operationId: string }) => api.jobs.waitFor(operation.operationId)));
  });

  it('skips a repository never synced, and holds checks back within the budget and while the quota is low', async () => {
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'stale-never', name: 'never' } });
    github.repo('octo', 'never', { issues: 2 });
    await prisma.repositoryConnection.create({
      data: { projectId: project.id, provider: 'github', fullPath: 'octo/never', url: 'https://github.com/octo/never', apiUrl: github.url, encryptedToken: api.cipher.encrypt(GITHUB_TOKEN) },
    });
    expect(await staleCheck({ clock: later(10) }).tick()).toMatchObject({ skipped: 1, failed: 0 });

    // A token with 40 points an hour: 5% is 2 points of checks.
    const small = await startGitHubSimulator({ token: GITHUB_TOKEN, rateLimit: 40 });
    try {
      const names = ['budget-1', 'budget-2', 'budget-3', 'budget-4'];
      for (const name of names) await syncedConnection(name, 3, small);
      await prisma.repositoryConnection.updateMany({ where: { fullPath: { startsWith: 'octo/budget-' } }, data: { lastCheckedAt: null } });
      await prisma.repositoryConnection.updateMany({ where: { NOT: { fullPath: { startsWith: 'octo/budget-' } } }, data: { active: false } });
      small.clearRequests();
      // The real clock here: the budget's window ends at the host's reset time.
      const config = { hosts: loadConfig({}).hosts, staleCheckIntervalSeconds: 60 };
      const checker = staleCheck({ config });
      // Each first check is a 200 (no ETag yet): two fit in the budget, two wait.
      expect(await checker.tick()).toMatchObject({ checked: 2, heldBack: 2, failed: 0 });
      expect(small.requests).toHaveLength(2);
      // Still within the same hour: the held-back two stay due and wait.
      expect(await checker.tick()).toMatchObject({ checked: 0, heldBack: 2 });

      // A new checker learns the quota from its first check: with 2 points left (syncs spent the
      // rest), it backs off and leaves them to the syncs.
      while ((await pointsUsed(small)) < 37);
      await prisma.repositoryConnection.updateMany({ where: { fullPath: { startsWith: 'octo/budget-' } }, data: { lastCheckedAt: null } });
      const low = staleCheck({ config });
      expect(await low.tick()).toMatchObject({ checked: 1, heldBack: 3, failed: 0 });
    } finally {
      await small.close();
    }
  });
});
