/**
 * GET /metrics on the real service (`startService` on a test database, pg-boss jobs, the loopback
 * GitHub and GitLab simulators): each test does what an operator would watch (a sync, webhook
 * deliveries, a repository going stale) and scrapes before and after, asserting what moved.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { cipher, issueHook, noteHook, SECRET as GITLAB_SECRET, TOKEN as GITLAB_TOKEN, TOKEN_USER } from '../providers/gitlab-webhook-app.js';
import { parseExposition, type Exposition } from './exposition.js';

const GITHUB_TOKEN = 'ghp_metricsTokenNeverInALabel';
const BITBUCKET_SECRET = 'bb-metrics-secret-2026';

let github: GitHubSimulator;
let gitlab: GitLabSimulator;
let database: TestDatabase;
let service: RunningService;

beforeAll(async () => {
  [github, gitlab, database] = await Promise.all([
    startGitHubSimulator({ token: GITHUB_TOKEN }),
    createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: TOKEN_USER } }),
    createTestDatabase(),
  ]);
  service = await startService({
    config: loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      GITLAB_WEBHOOK_SECRET: GITLAB_SECRET,
      GITLAB_URL: gitlab.url,
      BITBUCKET_WEBHOOK_SECRET: BITBUCKET_SECRET,
      // The poller and the stale check stay out of the way: every request and sync here is the test's.
      POLL_INTERVAL_S: '3600',
      STALE_CHECK_INTERVAL_S: '3600',
    }),
    log: silentLogger(),
    db: database.db,
    cipher,
    stores: createStores(database.db),
  });
});

afterAll(async () => {
  await service?.close();
  await github?.close();
  await gitlab?.close();
  await database?.drop();
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  for (const secret of [GITHUB_TOKEN, GITLAB_TOKEN, GITLAB_SECRET, BITBUCKET_SECRET]) expect(text).not.toContain(secret);
  return parseExposition(text);
}

async function connection(provider: 'github' | 'gitlab', fullPath: string, options: { url: string; apiUrl: string; token: string }) {
  const { prisma } = database.db;
  const slug = `m-${provider}-${fullPath.replaceAll('/', '-')}`;
  const project = await prisma.project.create({ data: { slug, name: slug } });
  return prisma.repositoryConnection.create({
    data: {
      projectId: project.id,
      provider,
      fullPath,
      url: options.url,
      apiUrl: options.apiUrl,
      encryptedToken: cipher.encrypt(options.token),
      webhookStatus: 'active',
      lastWebhookAt: new Date(),
      lastCheckedAt: new Date(),
    },
  });
}

async function sync(repository: { id: string; projectId: string }, trigger: 'manual' | 'admin') {
  const started = await service.jobs.start({
    projectId: repository.projectId,
    repositoryId: repository.id,
    syncType: 'issues',
    includeClosed: false,
    trigger,
  });
  return service.jobs.waitFor(started.operation.id);
}

const postGitLab = (payload: unknown, headers: Record<string, string>) =>
  fetch(`${service.url}/api/gitlab/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', ...headers },
    body: JSON.stringify(payload),
  });

describe('GET /metrics', () => {
  it('answers in Prometheus text format, without authentication, with the process defaults and every issue-sync family', async () => {
    const metrics = await scrape();
    expect(metrics.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(metrics.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(Object.fromEntries([...metrics.types].filter(([name]) => name.startsWith('issue_sync_')))).toEqual({
      issue_sync_syncs_total: 'counter',
      issue_sync_sync_duration_seconds: 'histogram',
      issue_sync_items_written_total: 'counter',
      issue_sync_provider_requests_total: 'counter',
      issue_sync_provider_quota_remaining: 'gauge',
      issue_sync_webhook_deliveries_total: 'counter',
      issue_sync_webhook_lag_seconds: 'histogram',
      issue_sync_repositories: 'gauge',
      issue_sync_job_queue_jobs: 'gauge',
    });
    // pg-boss's queues, read at the scrape: the sync queue is there from the start.
    for (const state of ['ready', 'deferred', 'active']) {
      expect(metrics.value('issue_sync_job_queue_jobs', { queue: 'sync', state })).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts a GitHub sync: its result by trigger, its duration, the items it created, its requests by status and the quota left', async () => {
    github.repo('octo', 'metrics', { issues: 130 });
    const repository = await connection('github', 'octo/metrics', {
      url: 'https://github.com/octo/metrics',
      apiUrl: github.url,
      token: GITHUB_TOKEN,
    });
    // One page answered 502 first: retried, and counted with its status.
    github.fault({ ...githubFaults.serverError(502), path: '/repos/octo/metrics/issues' });
    const before = await scrape();
    github.clearRequests();

    const operation = await sync(repository, 'manual');
    expect(operation?.status).toBe('completed');
    const created = operation!.results.created;
    expect(created).toBeGreaterThan(50);

    const after = await scrape();
    const host = new URL(github.url).host;
    const delta = (name: string, labels: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);
    expect(delta('issue_sync_syncs_total', { trigger: 'manual', sync_type: 'issues', result: 'completed' })).toBe(1);
    expect(delta('issue_sync_sync_duration_seconds_count', { sync_type: 'issues', result: 'completed' })).toBe(1);
    expect(delta('issue_sync_items_written_total', { provider: 'github', result: 'created' })).toBe(created);
    expect(delta('issue_sync_provider_requests_total', { provider: 'github', host, status: '502' })).toBe(1);
    const answered = github.requests.filter((request) => request.status === 200).length;
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(delta('issue_sync_provider_requests_total', { provider: 'github', host, status: '200' })).toBe(answered);

    // Named by a digest of the token, never the token.
    const digest = createHash('sha256').update(GITHUB_TOKEN).digest('hex').slice(0, 12);
    const remaining = after.value('issue_sync_provider_quota_remaining', { provider: 'github', host, quota: `token:${digest}`, resource: 'core' });
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(5000);
  });

  it('counts GitLab deliveries by result, observes the lag of an applied one, and counts its item as written', async () => {
    const project = gitlab.project('metrics/app', { issues: 2 });
    await connection('gitlab', 'metrics/app', { url: project.webUrl, apiUrl: gitlab.url, token: GITLAB_TOKEN });
    const before = await scrape();

    // Changed on GitLab three seconds before it arrives.
    const hook = issueHook(project, project.issue(1), { action: 'update', patch: { updated_at: new Date(Date.now() - 3000).toISOString() } });
    expect((await postGitLab(hook, { 'x-gitlab-token': GITLAB_SECRET, 'idempotency-key': 'metrics-1' })).status).toBe(200);
    expect(await (await postGitLab(hook, { 'x-gitlab-token': GITLAB_SECRET, 'idempotency-key': 'metrics-1' })).json()).toMatchObject({
      status: 'duplicate',
    });
    expect((await postGitLab(hook, { 'x-gitlab-token': 'not-the-secret' })).status).toBe(401);
    expect((await postGitLab({ object_kind: 'push' }, { 'x-gitlab-token': GITLAB_SECRET, 'x-gitlab-event': 'Push Hook' })).status).toBe(200);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);
    for (const [result, count] of [['processed', 1], ['duplicate', 1], ['unauthorized', 1], ['ignored', 1]] as const) {
      expect(delta('issue_sync_webhook_deliveries_total', { host: 'gitlab', result }), result).toBe(count);
    }
    expect(delta('issue_sync_webhook_lag_seconds_count', { host: 'gitlab' })).toBe(1);
    const lag = delta('issue_sync_webhook_lag_seconds_sum', { host: 'gitlab' });
    expect(lag).toBeGreaterThanOrEqual(2.9);
    expect(lag).toBeLessThan(30);
    expect(delta('issue_sync_webhook_lag_seconds_bucket', { host: 'gitlab', le: '2.5' })).toBe(0);
    expect(delta('issue_sync_webhook_lag_seconds_bucket', { host: 'gitlab', le: '5' })).toBe(1);
    expect(delta('issue_sync_items_written_total', { provider: 'gitlab', result: 'created' })).toBe(1);
  });

  it('counts Bitbucket deliveries refused for their signature apart from those not handled', async () => {
    const before = await scrape();
    const body = JSON.stringify({ repository: { full_name: 'ws/shop' } });
    const post = (signature: string) =>
      fetch(`${service.url}/api/bitbucket/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-event-key': 'repo:fork', 'x-request-uuid': 'metrics-bb-1', 'x-hub-signature': signature },
        body,
      });
    expect((await post('sha256=0000')).status).toBe(401);
    expect((await post(`sha256=${createHmac('sha256', BITBUCKET_SECRET).update(body).digest('hex')}`)).status).toBe(200);

    const after = await scrape();
    const delta = (result: string) =>
      after.sum('issue_sync_webhook_deliveries_total', { host: 'bitbucket', result }) - before.sum('issue_sync_webhook_deliveries_total', { host: 'bitbucket', result });
    expect(delta('unauthorized')).toBe(1);
    expect(delta('ignored')).toBe(1);
    expect(after.sum('issue_sync_webhook_lag_seconds_count', { host: 'bitbucket' })).toBe(0);
  });

  it('counts a GitLab sync under its trigger, with requests by host and the token\'s quota from RateLimit-Remaining', async () => {
    const project = gitlab.project('metrics/polled', { issues: 5 });
    const repository = await connection('gitlab', 'metrics/polled', { url: project.webUrl, apiUrl: gitlab.url, token: GITLAB_TOKEN });
    const before = await scrape();

    expect(await sync(repository, 'admin')).toMatchObject({ status: 'completed' });

    const after = await scrape();
    const host = new URL(gitlab.url).host;
    const delta = (name: string, labels: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);
    expect(delta('issue_sync_syncs_total', { trigger: 'admin', sync_type: 'issues', result: 'completed' })).toBe(1);
    expect(delta('issue_sync_items_written_total', { provider: 'gitlab', result: 'created' })).toBe(5);
    expect(delta('issue_sync_provider_requests_total', { provider: 'gitlab', host, status: '200' })).toBeGreaterThanOrEqual(1);
    const digest = createHash('sha256').update(GITLAB_TOKEN).digest('hex').slice(0, 12);
    expect(after.value('issue_sync_provider_quota_remaining', { provider: 'gitlab', host, quota: `token:${digest}`, resource: 'default' })).toBeGreaterThan(0);
  });

  it('counts the requests a GitLab /sync reply sends with the connection\'s token', async () => {
    const project = gitlab.project('metrics/slash', { issues: 0 });
    project.setMember(64, { username: 'maya', role: 'maintainer' });
    const [issue] = project.addIssues(1, { title: 'Where /sync is asked' });
    await connection('gitlab', 'metrics/slash', { url: project.webUrl, apiUrl: gitlab.url, token: GITLAB_TOKEN });
    const before = await scrape();
    gitlab.clearRequests();

    const hook = noteHook(project, issue!, { note: '/sync help', user: { id: 64, username: 'maya' }, noteId: 7501 });
    expect((await postGitLab(hook, { 'x-gitlab-token': GITLAB_SECRET, 'x-gitlab-event': 'Note Hook' })).status).toBe(200);
    // The answer is sent after the delivery is acknowledged: a thumbs up and one note.
    await expect.poll(() => gitlab.emoji.filter((emoji) => emoji.projectId === project.id).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => gitlab.notes.filter((note) => note.projectId === project.id).length, { timeout: 10_000 }).toBe(1);

    const host = new URL(gitlab.url).host;
    const sent = gitlab.requests.length;
    expect(sent).toBeGreaterThanOrEqual(2);
    // The last answer may reach the simulator's log a moment before the service has read it.
    const counted = async () => (await scrape()).sum('issue_sync_provider_requests_total', { provider: 'gitlab', host }) - before.sum('issue_sync_provider_requests_total', { provider: 'gitlab', host });
    await expect.poll(counted, { timeout: 5_000 }).toBe(sent);
  });

  it('counts a sync the supervisor fails, its process gone and its takeovers used up, as failed', async () => {
    const repository = await connection('github', 'octo/taken-over', {
      url: 'https://github.com/octo/taken-over',
      apiUrl: github.url,
      token: GITHUB_TOKEN,
    });
    // A worker of this host that has exited, on a job already taken over five times (the limit).
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const jobId = randomUUID();
    const operation = await database.db.prisma.syncOperation.create({
      data: {
        projectId: repository.projectId,
        repositoryId: repository.id,
        syncType: 'issues',
        trigger: 'stale_webhook',
        status: 'running',
        startedAt: new Date(Date.now() - 60_000),
        heartbeatAt: new Date(Date.now() - 60_000),
        jobId: `pgboss:${jobId}@serve:${hostname()}:${deadPid}`,
      },
    });
    await database.db.pool.query(
      `INSERT INTO pgboss.job (id, name, data, state, started_on, singleton_key) VALUES ($1, 'sync', $2, 'active', now(), $3)`,
      [jobId, JSON.stringify({ operationId: operation.id, since: null, takeovers: 5 }), repository.id],
    );
    const before = await scrape();

    // The service's supervisor runs every 2 s.
    await expect
      .poll(() => database.db.prisma.syncOperation.findUniqueOrThrow({ where: { id: operation.id } }), { timeout: 15_000, interval: 200 })
      .toMatchObject({ status: 'failed', error: expect.stringMatching(/taken over 5 times/) });

    const failed = { trigger: 'stale_webhook', sync_type: 'issues', result: 'failed' };
    await expect.poll(async () => (await scrape()).sum('issue_sync_syncs_total', failed) - before.sum('issue_sync_syncs_total', failed), { timeout: 5_000 }).toBe(1);
    const after = await scrape();
    expect(after.sum('issue_sync_sync_duration_seconds_count', { sync_type: 'issues', result: 'failed' })).toBe(
      before.sum('issue_sync_sync_duration_seconds_count', { sync_type: 'issues', result: 'failed' }) + 1,
    );
  });

  it('shows a repository that goes stale in the repositories gauge, read from the database at the scrape', async () => {
    const repository = await connection('github', 'octo/goes-stale', {
      url: 'https://github.com/octo/goes-stale',
      apiUrl: github.url,
      token: GITHUB_TOKEN,
    });
    const before = await scrape();
    expect(before.value('issue_sync_repositories', { provider: 'bitbucket', webhook_status: 'stale' })).toBe(0);

    await createWebhookHealthStore(database.db).markStale(repository.id, 'an update arrived that no delivery brought', new Date());

    const after = await scrape();
    const stale = { provider: 'github', webhook_status: 'stale' };
    const active = { provider: 'github', webhook_status: 'active' };
    expect(after.value('issue_sync_repositories', stale)).toBe(before.value('issue_sync_repositories', stale)! + 1);
    expect(after.value('issue_sync_repositories', active)).toBe(before.value('issue_sync_repositories', active)! - 1);
  });
});
