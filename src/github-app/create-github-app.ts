/**
 * The GitHub App: a Probot instance (our Octokit class, so installation clients get our rate-limit
 * handling) loaded with the installation, repository, issue, Dependabot and slash command handlers,
 * and the webhook receiver the HTTP route hands deliveries to. Nothing lives at module level: every
 * call builds its own app.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Probot } from 'probot';
import type { GitHubOctokit } from '../providers/github/github-provider-options.js';
import { createGitHubProvider } from '../providers/github/github-provider.js';
import type { Provider } from '../providers/provider.js';
import type { RepositoryRecord } from '../store/issue-store.js';
import { observeGoneIssues } from '../metrics/observe-gone-issues.js';
import { createGitHubDeliveryClaim } from '../store/github-delivery-claim.js';
import { createGoneIssueStore } from '../store/prisma-gone-issue-store.js';
import { createInstallationRepositoryStore } from '../store/prisma-installation-repository-store.js';
import { createInstallationStore } from '../store/prisma-installation-store.js';
import { createWebhookDeliveryStore } from '../store/prisma-webhook-delivery-store.js';
import { createServiceStateStore } from '../store/service-state-store.js';
import { createWebhookHealthStore } from '../store/webhook-health-store.js';
import { createDeliveryLogReader, type DeliveryLogReport } from './delivery-log.js';
import { createDeliveryTargets } from './delivery-targets.js';
import { createBackgroundTasks } from '../webhooks/background-tasks.js';
import type { AppRequestObservers } from './observe-octokit-requests.js';
import { createProbotOctokitClass } from './probot-octokit-class.js';
import type { GitHubAppDeps } from './github-app-deps.js';
import type { GitHubAppConfig } from './github-app-settings.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import { createGitHubWebhookReceiver, type ReceiveGitHubWebhook } from './receive-github-webhook.js';
import { registerDependabotHandlers } from './register-dependabot-handlers.js';
import { registerInstallationHandlers } from './register-installation-handlers.js';
import { registerIssueHandlers } from './register-issue-handlers.js';
import { registerRepositoryHandlers } from './register-repository-handlers.js';
import { registerSlashCommands } from './slash-command.js';
import { WebhookRejectedError } from './webhook-rejected-error.js';

export interface GitHubApp {
  appId: string;
  probot: Probot;
  /** An installation client for an Installation row id (the backfills' provider uses it). */
  installationOctokit(installationRowId: string): Promise<GitHubOctokit>;
  /** The provider for a repository that came with an installation, reading through its client; null for any other. */
  installationProvider(repository: RepositoryRecord): Promise<Provider> | null;
  /** Verifies, records and applies one delivery (POST /api/github/webhooks). */
  receive: ReceiveGitHubWebhook;
  /**
   * One pass over the App's webhook delivery log: failed deliveries redelivered, or their
   * repositories backfilled (delivery-log.ts). The service runs it on a schedule.
   */
  readDeliveryLog(): Promise<DeliveryLogReport>;
  /** Refuses new deliveries and waits for those being applied and the backfills being launched. */
  close(): Promise<void>;
}

export async function createGitHubApp(config: GitHubAppConfig, deps: GitHubAppDeps): Promise<GitHubApp> {
  const log = deps.log.child({ component: 'github-app', appId: config.appId });
  const clock = deps.clock ?? (() => new Date());
  const observe = deps.observeRequests;
  // Every client Probot builds counts its requests: the App's own (JWT) and each installation's.
  const observers: AppRequestObservers | undefined = observe && {
    app: observe({ provider: 'github', installationId: null, appId: config.appId }, undefined),
    installation: (githubInstallationId) => observe({ provider: 'github', installationId: githubInstallationId }, undefined),
  };
  const Octokit = createProbotOctokitClass({
    sleep: async (ms, signal) => {
      await delay(ms, undefined, signal ? { signal } : undefined);
    },
    log,
    maxRateLimitWaitMs: 60_000,
    maxSecondaryRetries: 3,
    retryBaseMs: 500,
  }, observers);
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    // Probot checks no signature here (receive-github-webhook.ts checks each of the secrets).
    secret: config.webhookSecrets.at(-1) ?? config.webhookSecret,
    baseUrl: config.apiUrl,
    Octokit,
    log,
  });
  const events: GitHubEventDeps = {
    ...deps,
    clock,
    installations: createInstallationStore(deps.db),
    installationRepositories: createInstallationRepositoryStore(deps.db),
    goneIssues: deps.itemGone ? observeGoneIssues(createGoneIssueStore(deps.db), 'github', deps.itemGone) : createGoneIssueStore(deps.db),
    apiUrl: config.apiUrl,
    background: createBackgroundTasks(log),
    deliveryTargets: createDeliveryTargets(),
  };
  await probot.load((app: Probot) => {
    registerInstallationHandlers(app, events);
    registerRepositoryHandlers(app, events);
    registerIssueHandlers(app, events);
    registerDependabotHandlers(app, events);
    registerSlashCommands(app, deps);
  });
  const receiveDelivery = createGitHubWebhookReceiver({
    probot,
    secrets: config.webhookSecrets,
    claim: createGitHubDeliveryClaim(deps.db),
    deliveries: createWebhookDeliveryStore(deps.db),
    targets: events.deliveryTargets,
    installationRepositories: events.installationRepositories,
    health: createWebhookHealthStore(deps.db),
    clock,
    log,
  });

  const deliveryLog = createDeliveryLogReader({
    // Probot's client for the App itself (its JWT): the delivery log answers no installation token.
    appOctokit: () => probot.auth(),
    findRepository: (installationId, externalRepoId) => events.installationRepositories.findId(installationId, externalRepoId),
    repositories: deps.stores.repositories,
    health: createWebhookHealthStore(deps.db),
    jobs: deps.jobs,
    state: createServiceStateStore(deps.db),
    log,
    clock,
  });

  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  const installationOctokit = async (installationRowId: string): Promise<GitHubOctokit> => {
    const installation = await events.installations.get(installationRowId);
    if (!installation) throw new Error(`GitHub App installation ${installationRowId} is not known.`);
    if (!installation.active) {
      throw new Error(
        `The GitHub App installation on ${installation.accountLogin} is suspended or was removed: reinstall or unsuspend the App to sync its repositories.`,
      );
    }
    return probot.auth(installation.githubInstallationId);
  };
  return {
    appId: config.appId,
    probot,
    installationOctokit,

    readDeliveryLog: () => deliveryLog.tick(),

    installationProvider(repository) {
      if (repository.provider !== 'github' || !repository.installationId) return null;
      const installationRowId = repository.installationId;
      return (async () => {
        // Its requests go out through the client's fetch, which counts them (under the installation).
        const octokit = await installationOctokit(installationRowId);
        return createGitHubProvider({
          repo: repository.fullPath,
          octokit,
          log: deps.log.child({ provider: repository.provider, repo: repository.fullPath }),
        });
      })();
    },

    async receive(delivery) {
      if (closing) throw new WebhookRejectedError(503, 'shutting_down', 'The service is stopping; GitHub can redeliver this delivery.');
      const receiving = receiveDelivery(delivery);
      inFlight.add(receiving);
      try {
        return await receiving;
      } finally {
        inFlight.delete(receiving);
      }
    },

    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
      await events.background.drain();
    },
  };
}
