/**
 * The poller of hosts whose webhooks we cannot watch from our side (GitLab, Bitbucket): on every tick
 * (a pg-boss queue one replica at a time runs: `every` in pg-boss-sync-jobs.ts), every active
 * connection of a polled host whose last check is older than `POLL_INTERVAL_S` is
 *
 * 1. asked about its webhook where the host can tell (GitLab's hook `alert_status`: a disabled hook
 *    is told apart from a quiet project), and
 * 2. synced incrementally from its watermarks, one job per repository (trigger `schedule`), through
 *    the same sync jobs as everything else, so a running sync is never doubled. A host whose listings
 *    are whole every time (Bitbucket) is asked first whether its version (head commit) moved since
 *    the last completed sync, and left alone when it did not.
 *
 * Webhook health is recorded host-neutrally: what the host says about its hook; `inactive` when no
 * delivery ever arrived; `stale` when a poll stored changes that no delivery had brought.
 */
import type { ProviderKind } from '../domain/items.js';
import { tokenRequestObserver, type ObserveRequests } from '../metrics/quota-label.js';
import type { Config } from '../config.js';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Logger } from '../logger.js';
import { PROVIDER_DEFINITIONS, providerDefinition } from '../providers/index.js';
import type { HookHealth } from '../providers/definition.js';
import type { Provider } from '../providers/provider.js';
import type { OperationRecord, RepositoryRecord } from '../store/issue-store.js';
import type { PolledRepository, WebhookHealthStore } from '../store/webhook-health-store.js';
import { dueCutoff } from './due-cutoff.js';
import type { OperationListener, SyncJobs } from './sync-jobs.js';

export interface RepositoryPollerDeps {
  health: WebhookHealthStore;
  /** The same opener the sync jobs use (for the freshness check of hosts that need one). */
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  jobs: Pick<SyncJobs, 'start'>;
  cipher: TokenCipher;
  config: Pick<Config, 'hosts' | 'pollIntervalSeconds'>;
  log: Logger;
  clock?: () => Date;
  /** The metrics' observer of the requests sent for this repository with this token (the hook check's). */
  observeRequests?: ObserveRequests;
}

export interface PollReport {
  checked: number;
  started: number;
  /** Repositories whose host showed the same version as the last completed sync: not synced. */
  unchanged: number;
  alreadyRunning: number;
  failed: number;
}

/** The poller's pg-boss queue; it ticks at least every minute, more often for a shorter interval. */
export const POLL_QUEUE = 'repository-poll';

export function createRepositoryPoller(deps: RepositoryPollerDeps) {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'poller' });
  const polledKinds: ProviderKind[] = PROVIDER_DEFINITIONS.filter((host) => host.pollSyncType !== null).map((host) => host.kind);
  const intervalMs = deps.config.pollIntervalSeconds * 1000;
  /**
   * Incremental syncs this poller started of hosts whose deliveries carry the items. Only their
   * changes say a delivery was missed (a first, full sync creates everything); the runner that
   * finishes one is usually this process, and a sync finished by another replica is not judged.
   */
  const incremental = new Set<string>();

  const hookHealth = async (repository: PolledRepository): Promise<HookHealth> => {
    const definition = providerDefinition(repository.provider);
    const token = repository.encryptedToken ? deps.cipher.decrypt(repository.encryptedToken) : undefined;
    const said = await definition
      .checkHook?.({
        options: {
          repo: repository.fullPath,
          apiUrl: repository.apiUrl ?? deps.config.hosts[repository.provider].apiUrl,
          ...(token ? { token } : {}),
          log,
          ...tokenRequestObserver(deps.observeRequests, repository.provider, token),
        },
        webhookId: repository.webhookId,
      })
      .catch((error: unknown) => {
        log.warn({ repositoryId: repository.id, err: error }, 'webhook check failed');
        return null;
      });
    if (said) return said;
    if (repository.webhookStatus === 'stale' && repository.webhookReason) {
      return { status: 'stale', reason: repository.webhookReason };
    }
    if (!repository.lastWebhookAt) {
      return {
        status: 'inactive',
        reason: `No ${definition.label} webhook delivery has arrived yet; changes are picked up by polling every ${describeInterval(intervalMs)}.`,
      };
    }
    return { status: 'active', reason: `Last delivery at ${repository.lastWebhookAt.toISOString()}.` };
  };

  return {
    /** One pass over the due repositories. */
    async tick(): Promise<PollReport> {
      const report: PollReport = { checked: 0, started: 0, unchanged: 0, alreadyRunning: 0, failed: 0 };
      const now = clock();
      const cutoff = dueCutoff(now, intervalMs);
      for (const repository of await deps.health.listForPolling(polledKinds)) {
        if (repository.lastCheckedAt && repository.lastCheckedAt > cutoff) continue;
        report.checked += 1;
        try {
          const health = await hookHealth(repository);
          await deps.health.setHealth(repository.id, { ...health, checkedAt: now });
          const definition = providerDefinition(repository.provider);
          const syncType = definition.pollSyncType ?? 'all';
          const neverSynced = repository.lastSyncAt === null;
          if (definition.pollOnlyWhenVersionChanged && repository.version && !neverSynced) {
            const provider = await deps.openProvider(repository);
            const fresh = await provider.freshness({ watermark: null, etag: null });
            if (fresh.version === repository.version) {
              report.unchanged += 1;
              continue;
            }
          }
          const started = await deps.jobs.start({
            projectId: repository.projectId,
            repositoryId: repository.id,
            syncType,
            includeClosed: false,
            trigger: 'schedule',
            // A repository never synced gets its first full sync; after that, only what changed.
            since: neverSynced ? null : { issues: repository.issuesWatermark, security: repository.alertsWatermark },
          });
          if (started.status === 'started' && !neverSynced && definition.webhookDeliversItems) incremental.add(started.operation.id);
          if (started.status === 'started') report.started += 1;
          else report.alreadyRunning += 1;
        } catch (error) {
          report.failed += 1;
          log.warn({ repositoryId: repository.id, err: error }, 'poll of a repository failed');
        }
      }
      if (report.checked > 0) log.info(report, 'poll tick');
      return report;
    },

    /**
     * Marks a repository `stale` when its scheduled sync stored changes: its webhook did not bring
     * them (an applied delivery makes the same write a no-op, so the poll would have found nothing).
     */
    listener: (async (operation: OperationRecord, event) => {
      if (event !== 'finished' || !incremental.delete(operation.id)) return;
      if (operation.status !== 'completed' || !operation.repositoryId) return;
      const changed = operation.results.created + operation.results.updated;
      if (changed === 0) return;
      const reason = `Polling found ${changed} change${changed === 1 ? '' : 's'} that no webhook delivery had brought; check the webhook at the host.`;
      await deps.health
        .markStale(operation.repositoryId, reason, clock())
        .catch((error: unknown) => log.warn({ repositoryId: operation.repositoryId, err: error }, 'could not record webhook health'));
    }) satisfies OperationListener,
  };
}

function describeInterval(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 1 && Number.isInteger(minutes) ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}
