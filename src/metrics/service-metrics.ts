/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * two services in one process, as in the tests, never share or collide. The composition root
 * creates one per service and hands its recorders down the way it hands down the logger: the job
 * runner's operation listener (its supervisor's failures included), the request observer of the
 * providers, the GitLab webhook check and the GitHub App's Octokit clients, the issue store's write
 * counts and the App's closings of deleted or transferred issues, and the webhook routes' middleware. Gauges of state (repositories by webhook health, the job queues)
 * are read from their sources at each scrape.
 *
 * Labels never hold a token: a quota is named by the App installation, or by a short digest of
 * the token (quota-label.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProviderKind } from '../domain/items.js';
import type { OperationListener } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { RequestObserver } from '../providers/http/polite-http.js';
import type { BatchCounts, OperationRecord } from '../store/issue-store.js';
import type { WebhookStatusCount } from '../store/webhook-status-counts.js';
import { quotaLabelOf, type QuotaOwner } from './quota-label.js';

/** Jobs of one pg-boss queue, as pg-boss last counted them. */
export interface QueueDepth {
  queue: string;
  /** Ready to run now. */
  ready: number;
  /** Waiting for their `startAfter` (a retry's backoff, a rate limit's reset). */
  deferred: number;
  active: number;
}

export interface MetricsSources {
  /** Active repositories per host and webhook health. */
  webhookStatusCounts(): Promise<WebhookStatusCount[]>;
  /** The job queues' depths. */
  queueDepths(): Promise<QueueDepth[]>;
  log: Logger;
  clock?: () => Date;
}

/** What a webhook delivery came to: the receiver's own word, or what its HTTP answer says. */
export type WebhookResult = 'processed' | 'duplicate' | 'ignored' | 'queued' | 'unauthorized' | 'rejected' | 'unavailable' | 'failed';

export interface ServiceMetrics {
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The exposition text, gauges of state read now. */
  scrape(): Promise<string>;
  /** Counts each sync this process ran once it has ended, with its duration. */
  onOperation: OperationListener;
  /** The observer for a provider opened for this repository (and token, digested for its quota label). */
  observeRequests(owner: QuotaOwner, token: string | undefined): RequestObserver;
  itemsWritten(provider: ProviderKind, counts: BatchCounts): void;
  /** A stored item closed because the host says it was deleted or moved to another repository. */
  itemGone(provider: ProviderKind, reason: 'deleted' | 'transferred'): void;
  /** A delivery's result and, when the payload tells when its event happened, how late it came. */
  webhookDelivery(host: ProviderKind, result: WebhookResult, lagSeconds: number | null): void;
  close(): void;
}

const FINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
/** Operations already counted; an end is told once, but a second telling must not count twice. */
const REMEMBERED = 10_000;

export function createServiceMetrics(sources: MetricsSources): ServiceMetrics {
  const clock = sources.clock ?? (() => new Date());
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const syncs = new Counter({
    name: 'issue_sync_syncs_total',
    help: 'Syncs this process ran to their end or its supervisor failed (their process gone), by trigger, sync type and result (completed, failed, cancelled).',
    labelNames: ['trigger', 'sync_type', 'result'],
    registers,
  });
  const syncDuration = new Histogram({
    name: 'issue_sync_sync_duration_seconds',
    help: 'Time from a sync\'s start to its end (rate-limit waits included), by sync type and result.',
    labelNames: ['sync_type', 'result'],
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers,
  });
  const items = new Counter({
    name: 'issue_sync_items_written_total',
    help: 'Issues and security alerts written by syncs and webhooks, by provider and result (created, updated, skipped: unchanged, failed, closed_deleted and closed_transferred: closed because the host deleted the item or moved it to another repository).',
    labelNames: ['provider', 'result'],
    registers,
  });
  const requests = new Counter({
    name: 'issue_sync_provider_requests_total',
    help: 'HTTP requests sent to the Git hosts (each retry counts), by provider, host and status (error: no answer).',
    labelNames: ['provider', 'host', 'status'],
    registers,
  });
  const quota = new Gauge({
    name: 'issue_sync_provider_quota_remaining',
    help: 'Requests left in the rate-limit window, as the last answer reported, per installation or token (a digest, never the token).',
    labelNames: ['provider', 'host', 'quota', 'resource'],
    registers,
  });
  const deliveries = new Counter({
    name: 'issue_sync_webhook_deliveries_total',
    help: 'Webhook deliveries received, by host and result.',
    labelNames: ['host', 'result'],
    registers,
  });
  const lag = new Histogram({
    name: 'issue_sync_webhook_lag_seconds',
    help: 'From the change a delivery carries (the issue, comment or alert updated_at) to its receipt, by host.',
    labelNames: ['host'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400],
    registers,
  });
  new Gauge({
    name: 'issue_sync_repositories',
    help: 'Active repository connections by host and webhook health (active, stale: changes came that no delivery brought, inactive).',
    labelNames: ['provider', 'webhook_status'],
    registers,
    async collect() {
      try {
        const counts = await sources.webhookStatusCounts();
        this.reset();
        for (const count of counts) this.set({ provider: count.provider, webhook_status: count.status }, count.repositories);
      } catch (error) {
        this.reset();
        sources.log.warn({ err: error }, 'metrics: repositories by webhook health could not be read');
      }
    },
  });
  new Gauge({
    name: 'issue_sync_job_queue_jobs',
    help: 'Jobs per pg-boss queue and state (ready, deferred, active), as pg-boss last counted them (every minute).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      try {
        const depths = await sources.queueDepths();
        this.reset();
        for (const depth of depths) {
          this.set({ queue: depth.queue, state: 'ready' }, depth.ready);
          this.set({ queue: depth.queue, state: 'deferred' }, depth.deferred);
          this.set({ queue: depth.queue, state: 'active' }, depth.active);
        }
      } catch (error) {
        this.reset();
        sources.log.warn({ err: error }, 'metrics: job queue depths could not be read');
      }
    },
  });

  const counted = new Set<string>();
  const countOnce = (operation: OperationRecord): boolean => {
    if (counted.has(operation.id)) return false;
    if (counted.size >= REMEMBERED) counted.clear();
    counted.add(operation.id);
    return true;
  };

  return {
    contentType: registry.contentType,
    scrape: () => registry.metrics(),

    onOperation(operation, event) {
      if (event !== 'finished' || !FINAL.has(operation.status) || !countOnce(operation)) return;
      syncs.inc({ trigger: operation.trigger, sync_type: operation.syncType, result: operation.status });
      const started = operation.startedAt ?? operation.createdAt;
      const ended = operation.completedAt ?? clock();
      syncDuration.observe({ sync_type: operation.syncType, result: operation.status }, Math.max(0, ended.getTime() - started.getTime()) / 1000);
    },

    observeRequests(owner, token) {
      const quotaLabel = quotaLabelOf(owner, token);
      return ({ host, status, remaining, resource }) => {
        requests.inc({ provider: owner.provider, host, status: status === null ? 'error' : String(status) });
        if (remaining !== null) quota.set({ provider: owner.provider, host, quota: quotaLabel, resource: resource ?? 'default' }, remaining);
      };
    },

    itemsWritten(provider, counts) {
      for (const result of ['created', 'updated', 'skipped', 'failed'] as const) {
        if (counts[result] > 0) items.inc({ provider, result }, counts[result]);
      }
    },

    itemGone(provider, reason) {
      items.inc({ provider, result: `closed_${reason}` });
    },

    webhookDelivery(host, result, lagSeconds) {
      deliveries.inc({ host, result });
      if (lagSeconds !== null) lag.observe({ host }, Math.max(0, lagSeconds));
    },

    close() {
      registry.clear();
    },
  };
}
