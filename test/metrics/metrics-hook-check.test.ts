/**
 * The requests of the GitLab webhook check (the poller asking GitLab whether it paused or switched
 * off our hook) in GET /metrics' provider request counter and quota gauge, as every other request
 * to GitLab is: the real poller, metrics, stores and pg-boss runner, the loopback GitLab simulator.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import type { PgBossSyncJobs } from '../../src/jobs/pg-boss-sync-jobs.js';
import { createRepositoryPoller } from '../../src/jobs/poll-repositories.js';
import { silentLogger } from '../../src/logger.js';
import { createServiceMetrics, type ServiceMetrics } from '../../src/metrics/service-metrics.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { createWebhookStatusCounts } from '../../src/store/webhook-status-counts.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { fastProviderOpener, startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { parseExposition } from './exposition.js';

const GITLAB_TOKEN = 'glpat-hook-check-metrics';
const cipher = createTokenCipher(Buffer.alloc(32, 6));
const log = silentLogger();

let gitlab: GitLabSimulator;
let database: TestDatabase;
let jobs: PgBossSyncJobs;
let metrics: ServiceMetrics;

beforeAll(async () => {
  [gitlab, database] = await Promise.all([createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: 'maintainer' } }), createTestDatabase()]);
  jobs = await startTestRunner(database.db, { cipher, log });
  metrics = createServiceMetrics({ webhookStatusCounts: createWebhookStatusCounts(database.db).count, queueDepths: async () => [], log });
});

afterAll(async () => {
  metrics?.close();
  await jobs?.close();
  await gitlab?.close();
  await database?.drop();
});

describe('GET /metrics and the GitLab webhook check', () => {
  it('counts the check\'s requests by host and status and reports the token\'s quota from them', async () => {
    const project = gitlab.project('hooks/paused', { issues: 2 });
    const hook = project.addHook({ id: 77, alertStatus: 'temporarily_disabled', disabledUntil: new Date(Date.now() + 60_000) });
    const { prisma } = database.db;
    const owner = await prisma.project.create({ data: { slug: 'hook-check', name: 'hook-check' } });
    const repository = await prisma.repositoryConnection.create({
      data: {
        projectId: owner.id,
        provider: 'gitlab',
        fullPath: 'hooks/paused',
        url: project.webUrl,
        apiUrl: gitlab.url,
        encryptedToken: cipher.encrypt(GITLAB_TOKEN),
        webhookId: String(hook.id),
      },
    });
    const poller = createRepositoryPoller({
      health: createWebhookHealthStore(database.db),
      jobs,
      // The syncs' own requests are not counted here: what the counter shows is the check's alone.
      openProvider: fastProviderOpener(cipher, log),
      cipher,
      config: { hosts: loadConfig({}).hosts, pollIntervalSeconds: 300 },
      log,
      observeRequests: metrics.observeRequests,
    });

    expect(await poller.tick()).toMatchObject({ checked: 1, failed: 0 });

    expect(await prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repository.id } })).toMatchObject({ webhookStatus: 'stale' });
    const checks = gitlab.requests.filter((request) => request.path.startsWith(`/api/v4/projects/hooks%2Fpaused/hooks/${hook.id}`));
    expect(checks).toHaveLength(1);
    const scraped = parseExposition(await metrics.scrape());
    const host = new URL(gitlab.url).host;
    expect(scraped.sum('issue_sync_provider_requests_total', { provider: 'gitlab', host })).toBe(1);
    expect(scraped.value('issue_sync_provider_requests_total', { provider: 'gitlab', host, status: '200' })).toBe(1);
    const digest = createHash('sha256').update(GITLAB_TOKEN).digest('hex').slice(0, 12);
    expect(scraped.value('issue_sync_provider_quota_remaining', { provider: 'gitlab', host, quota: `token:${digest}`, resource: 'default' })).toBeGreaterThan(0);
    // The sync the tick started ends before the runner closes.
    const started = await prisma.syncOperation.findFirstOrThrow({ where: { repositoryId: repository.id } });
    await jobs.waitFor(started.id);
  });
});
