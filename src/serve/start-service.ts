/**
 * Everything `serve` runs, wired once: the sync jobs on pg-boss, the GitHub App (when configured)
 * whose installation clients the jobs' provider opener uses, the HTTP server with its routes, and the
 * smee webhook proxy in development. `close()` stops them in order: no new requests or deliveries,
 * running syncs stopped between pages and queued again for the next replica, then the server.
 */
import type { Config } from '../config.js';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Database } from '../db/client.js';
import type { GitHubApp } from '../github-app/create-github-app.js';
import { loadGitHubAppConfig } from '../github-app/github-app-settings.js';
import { createApp } from '../http/app.js';
import { GITHUB_WEBHOOK_PATH } from '../http/routes/github-webhooks.js';
import { createPgBossSyncJobs } from '../jobs/pg-boss-sync-jobs.js';
import { createRepositoryProviderOpener } from '../jobs/open-repository-provider.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import { observeIssueWrites } from '../metrics/observe-issue-writes.js';
import { createServiceMetrics } from '../metrics/service-metrics.js';
import type { Runtime } from '../runtime.js';
import type { RepositoryRecord } from '../store/issue-store.js';
import { createRepositoryPoller, POLL_QUEUE } from '../jobs/poll-repositories.js';
import { createStaleCheck, STALE_CHECK_QUEUE } from '../jobs/stale-check.js';
import { createServiceStateStore } from '../store/service-state-store.js';
import { createWebhookDeliveryStore } from '../store/prisma-webhook-delivery-store.js';
import { createWebhookHealthStore } from '../store/webhook-health-store.js';
import { createWebhookStatusCounts } from '../store/webhook-status-counts.js';
import type { ProviderKind } from '../domain/items.js';
import { PROVIDER_DEFINITIONS } from '../providers/index.js';
import type { HostWebhookDeps } from '../providers/webhook-deps.js';
import { createBackgroundTasks } from '../webhooks/background-tasks.js';
import { listen } from './listen.js';
import { startWebhookProxy, type WebhookProxy } from './start-webhook-proxy.js';

/** The GitHub App's delivery log is read every minute through this queue, by one replica at a time. */
const DELIVERY_LOG_QUEUE = 'github-delivery-log';

export interface ServiceDeps {
  config: Config;
  log: Logger;
  db: Database;
  cipher: TokenCipher;
  stores: Runtime['stores'];
}

export interface RunningService {
  /** `http://localhost:PORT`. */
  url: string;
  port: number;
  jobs: SyncJobs;
  /** Null when the GitHub App is not configured. */
  github: GitHubApp | null;
  /** Where GitHub deliveries are received (also when the App is off: they get a 503 there). */
  webhookUrl: string;
  /** The smee channel forwarded to `webhookUrl`, when one runs. */
  webhookProxyUrl: string | null;
  close(): Promise<void>;
}

export async function startService(deps: ServiceDeps): Promise<RunningService> {
  const { config, log, db, cipher } = deps;
  // A registry per service; the queue depths are read once the jobs below exist.
  const metrics = createServiceMetrics({ webhookStatusCounts: createWebhookStatusCounts(db).count, queueDepths: () => jobs.queueDepths(), log });
  const stores = { ...deps.stores, issues: observeIssueWrites(deps.stores.issues, metrics.itemsWritten) };
  const githubConfig = await loadGitHubAppConfig(config);
  let github: GitHubApp | null = null;
  // One opener for the jobs and the API (size estimates, repository checks, manual links).
  const openProvider = createRepositoryProviderOpener({
    config,
    cipher,
    log,
    observeRequests: metrics.observeRequests,
    ...(githubConfig
      ? {
          installationProvider: (repository: RepositoryRecord) => {
            if (!github) return repository.installationId ? Promise.reject(new Error('The GitHub App is not running.')) : null;
            return github.installationProvider(repository);
          },
        }
      : {}),
  });
  const jobs = await createPgBossSyncJobs({
    pool: db.pool,
    stores,
    log,
    // Jobs left in the queue by an earlier run may need the GitHub App's clients: work starts below.
    startWorkers: false,
    openProvider,
  });
  jobs.addListener(metrics.onOperation);
  const deliveries = createWebhookDeliveryStore(db);
  const health = createWebhookHealthStore(db);
  const poller = createRepositoryPoller({ health, jobs, openProvider, cipher, config, log, observeRequests: metrics.observeRequests });
  jobs.addListener(poller.listener);
  const staleCheck = createStaleCheck({
    health, jobs, openProvider, cipher, config, log, budgetShare: config.staleCheckBudgetShare, state: createServiceStateStore(db),
  });
  const background = createBackgroundTasks(log);
  const hostWebhooks = (kind: ProviderKind): HostWebhookDeps => ({
    db,
    stores,
    deliveries,
    health,
    jobs,
    cipher,
    secrets: config.hosts[kind].webhookSecrets,
    apiUrl: config.hosts[kind].apiUrl,
    openProvider,
    observeRequests: metrics.observeRequests,
    log: log.child({ component: `${kind}-webhooks` }),
    clock: () => new Date(),
    background,
  });
  let proxy: WebhookProxy | null = null;
  try {
    // Each host's answers to /sync commands (GitLab's reply notes) follow the operations they started.
    for (const host of PROVIDER_DEFINITIONS) {
      if (host.operationListener) jobs.addListener(await host.operationListener(hostWebhooks(host.kind)));
    }
    // Without the App nothing is logged here: `serve` prints what to set, once, and the
    // 'listening' line below records githubApp: null.
    if (githubConfig) {
      // Loaded only here: the App is built on Probot, whose loading costs about half a second that a
      // `serve` without the App would pay for nothing.
      const { createGitHubApp } = await import('../github-app/create-github-app.js');
      github = await createGitHubApp(githubConfig, {
        db, stores, jobs, log, observeRequests: metrics.observeRequests, itemGone: metrics.itemGone,
      });
    }
    const app = createApp({
      log,
      checkDatabase: async () => {
        await db.pool.query('SELECT 1');
      },
      ...(github ? { githubWebhooks: github } : {}),
      api: { db, stores, jobs, openProvider, cipher, adminToken: config.adminToken, log },
      hostWebhooks,
      metrics,
    });
    // The port opens while the workers start (their first supervisor pass takes a while): a sync
    // asked for meanwhile waits in the queue, as it would for a busy worker.
    const [listening, working] = await Promise.allSettled([
      listen(app, config.port),
      jobs
        .startWorkers()
        // A tick at least every minute, or as often as a shorter interval asks; each tick takes only
        // the repositories due.
        .then(() => jobs.every(POLL_QUEUE, Math.min(60, config.pollIntervalSeconds), () => poller.tick()))
        .then(() => jobs.every(STALE_CHECK_QUEUE, Math.min(60, config.staleCheckIntervalSeconds), () => staleCheck.tick()))
        // The App's delivery log: failed deliveries redelivered, or their repositories backfilled.
        .then(() => (github ? jobs.every(DELIVERY_LOG_QUEUE, 60, () => github!.readDeliveryLog()) : undefined)),
    ]);
    if (working.status === 'rejected') {
      if (listening.status === 'fulfilled') await listening.value.close();
      throw working.reason;
    }
    if (listening.status === 'rejected') throw listening.reason;
    const http = listening.value;
    const url = `http://localhost:${http.port}`;
    const webhookUrl = `${url}${GITHUB_WEBHOOK_PATH}`;
    if (config.webhookProxyUrl && github) {
      proxy = await startWebhookProxy({ source: config.webhookProxyUrl, target: webhookUrl, log });
    } else if (config.webhookProxyUrl) {
      log.warn({}, 'WEBHOOK_PROXY_URL is ignored while the GitHub App is not configured');
    }
    log.info({ port: http.port, githubApp: github?.appId ?? null, webhookProxy: proxy !== null }, 'listening');
    const running = proxy;
    return {
      url,
      port: http.port,
      jobs,
      github,
      webhookUrl,
      webhookProxyUrl: running ? config.webhookProxyUrl! : null,
      async close() {
        await running?.stop().catch((error: unknown) => log.warn({ err: error }, 'webhook proxy did not stop cleanly'));
        const serverClosed = http.close();
        await github?.close();
        // /sync answers a delivery started are finished before the jobs close.
        await background.drain();
        await jobs.close();
        await serverClosed;
        metrics.close();
      },
    };
  } catch (error) {
    await proxy?.stop().catch(() => undefined);
    await github?.close().catch(() => undefined);
    await jobs.close().catch(() => undefined);
    metrics.close();
    throw error;
  }
}
