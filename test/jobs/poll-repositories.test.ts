/**
 * The poller of GitLab and Bitbucket repositories, through the real pg-boss runner against the hosts'
 * loopback simulators: a first poll syncs in full, a later one picks up an edit that no webhook
 * delivered (and says the webhook is stale), nothing is polled before its interval, and GitLab's own
 * word on a disabled hook is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createRepositoryPoller } from '../../src/jobs/poll-repositories.js';
import type { PgBossSyncJobs } from '../../src/jobs/pg-boss-sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { fastProviderOpener, startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase } from '../support/test-database.js';

const GITLAB_TOKEN = 'glpat-poller';
const BITBUCKET_TOKEN = 'bitbucket-poller';
const cipher = createTokenCipher(Buffer.alloc(32, 4));
const log = silentLogger();

let gitlab: GitLabSimulator;
let bitbucket: BitbucketSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let jobs: PgBossSyncJobs;

beforeAll(async () => {
  [gitlab, bitbucket, database] = await Promise.all([
    createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: 'maintainer' } }),
    startBitbucketSimulator({ accessToken: BITBUCKET_TOKEN }),
    createTestDatabase(),
  ]);
  jobs = await startTestRunner(database.db, { cipher, log });
});

afterAll(async () => {
  await jobs?.close();
  await gitlab?.close();
  await bitbucket?.close();
  await database?.drop();
});

async function connection(slug: string, input: { provider: 'gitlab' | 'bitbucket'; fullPath: string; url: string; apiUrl: string; token: string }) {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug, name: slug } });
  return prisma.repositoryConnection.create({
    data: {
      projectId: project.id,
      provider: input.provider,
      fullPath: input.fullPath,
      url: input.url,
      apiUrl: input.apiUrl,
      encryptedToken: cipher.encrypt(input.token),
    },
  });
}

/** Waits for the repository's latest operation to finish and returns it. */
async function latestFinished(repositoryId: string) {
  const latest = await database.db.prisma.syncOperation.findFirstOrThrow({ where: { repositoryId }, orderBy: { createdAt: 'desc' } });
  return jobs.waitFor(latest.id);
}

const row = (id: string) => database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id } });

describe('the repository poller', () => {
  it('syncs in full first, then picks up an edit no webhook delivered and calls the webhook stale', async () => {
    const project = gitlab.project('poll/app', { issues: 20 });
    const bitbucketRepo = bitbucket.repo('poll', 'shop');
    bitbucketRepo.securityReport('snyk', 3);
    const gl = await connection('poll-gl', { provider: 'gitlab', fullPath: 'poll/app', url: project.webUrl, apiUrl: gitlab.url, token: GITLAB_TOKEN });
    const bb = await connection('poll-bb', {
      provider: 'bitbucket', fullPath: 'poll/shop', url: bitbucketRepo.htmlUrl, apiUrl: bitbucket.url, token: BITBUCKET_TOKEN,
    });
    let now = new Date();
    const health = createWebhookHealthStore(database.db);
    const poller = createRepositoryPoller({
      health,
      jobs,
      openProvider: fastProviderOpener(cipher, log),
      cipher,
      config: { hosts: loadConfig({}).hosts, pollIntervalSeconds: 300 },
      log,
      clock: () => now,
    });
    jobs.addListener(poller.listener);

    const first = await poller.tick();
    expect(first).toMatchObject({ checked: 2, started: 2, failed: 0 });
    const [glFirst, bbFirst] = [await latestFinished(gl.id), await latestFinished(bb.id)];
    expect(glFirst).toMatchObject({ status: 'completed', trigger: 'schedule', syncType: 'all', results: { created: 20 } });
    // Bitbucket is polled for its findings only: its issue tracker is gone.
    expect(bbFirst).toMatchObject({ status: 'completed', trigger: 'schedule', syncType: 'security', results: { created: 3 } });
    expect(await row(gl.id)).toMatchObject({
      webhookStatus: 'inactive',
      webhookReason: expect.stringMatching(/No GitLab webhook delivery has arrived yet; .*every 5 minutes/),
      lastCheckedAt: now,
    });

    // Before the interval is over nothing is polled again.
    now = new Date(now.getTime() + 60_000);
    expect(await poller.tick()).toMatchObject({ checked: 0, started: 0 });

    // A delivery arrives, then the webhook goes quiet while the project changes.
    await health.recordDelivery(gl.id, now);
    project.editIssue(5, { title: 'Edited while no webhook came' });
    project.addIssues(1, { title: 'Created while no webhook came' });
    gitlab.clearRequests();
    now = new Date(now.getTime() + 300_000);
    // Bitbucket's head has not moved since the last sync: one look at the head, no sync.
    const bitbucketRequests = bitbucket.requests.length;
    expect(await poller.tick()).toMatchObject({ checked: 2, started: 1, unchanged: 1 });
    expect(bitbucket.requests.slice(bitbucketRequests).map((request) => request.path)).toEqual([
      expect.stringMatching(/\/repositories\/poll\/shop$/),
      expect.stringMatching(/\/refs\/branches\/main$/),
    ]);
    const glSecond = await latestFinished(gl.id);
    expect(glSecond).toMatchObject({ status: 'completed', results: { created: 1, updated: 1 } });
    const titles = await database.db.prisma.issue.findMany({ where: { repositoryId: gl.id, title: { contains: 'no webhook came' } } });
    expect(titles).toHaveLength(2);
    expect(await row(gl.id)).toMatchObject({
      webhookStatus: 'stale',
      webhookReason: expect.stringMatching(/^Polling found 2 changes that no webhook delivery had brought/),
    });
    // Incremental: one page of issues since the watermark, not the whole project.
    const issuePages = gitlab.requests.filter((request) => /\/issues\?/.test(request.path));
    expect(issuePages.length).toBeLessThanOrEqual(2);
    expect(issuePages.every((request) => request.path.includes('updated_after='))).toBe(true);

    // A push moves Bitbucket's head without a webhook: the next poll syncs it, and resolves the dropped
    // finding; it does not call the webhook stale (push hooks only ask for a refresh).
    bitbucketRepo.push({ drop: ['snyk-f1'] });
    now = new Date(now.getTime() + 300_000);
    expect(await poller.tick()).toMatchObject({ checked: 2, started: 2, unchanged: 0 });
    expect(await latestFinished(bb.id)).toMatchObject({ status: 'completed', syncType: 'security' });
    expect(await database.db.prisma.issue.count({ where: { repositoryId: bb.id, state: 'closed' } })).toBe(1);
    expect((await row(bb.id)).webhookStatus).toBe('inactive');
    await latestFinished(gl.id);
  });

  it("finds the project's hook to issue-sync and records GitLab's word that it switched the hook off", async () => {
    const project = gitlab.project('poll/hooked', { issues: 2 });
    project.addHook({ id: 76, url: 'https://ci.example/hooks/gitlab', alertStatus: 'executable' });
    project.addHook({ id: 77, url: 'https://sync.example/api/gitlab/webhooks', alertStatus: 'disabled' });
    const gl = await connection('poll-hooked', {
      provider: 'gitlab', fullPath: 'poll/hooked', url: project.webUrl, apiUrl: gitlab.url, token: GITLAB_TOKEN,
    });
    await database.db.prisma.repositoryConnection.update({ where: { id: gl.id }, data: { webhookStatus: 'active' } });
    const poller = createRepositoryPoller({
      health: createWebhookHealthStore(database.db),
      jobs,
      openProvider: fastProviderOpener(cipher, log),
      cipher,
      config: { hosts: loadConfig({}).hosts, pollIntervalSeconds: 300 },
      log,
    });
    const report = await poller.tick();
    expect(report.failed).toBe(0);
    await latestFinished(gl.id);
    expect(await row(gl.id)).toMatchObject({
      webhookStatus: 'inactive',
      webhookReason: expect.stringMatching(/switched webhook 77 .* off/),
      webhookId: '77',
    });
  });
});
