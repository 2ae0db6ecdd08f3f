/**
 * Reads the GitHub App's webhook delivery log (`GET /app/hook/deliveries`, newest first, the last
 * delivery seen kept in ServiceState) and heals what failed to arrive:
 *
 * - A delivery of an event we handle whose latest attempt failed is redelivered
 *   (`POST /app/hook/deliveries/:id/attempts`, one request each) while GitHub still allows it (the
 *   past 3 days); the redelivery then arrives as the original would have.
 * - A repository with more failed deliveries than an incremental backfill costs requests
 *   (BACKFILL_BEYOND), with a delivery too old to redeliver, or with one that kept failing when
 *   redelivered once, is marked `stale` with the reason and gets one incremental backfill from its
 *   watermarks (trigger `stale_webhook`) instead.
 * - The first pass, with no delivery seen yet, reads the past week.
 *
 * One pass reads at most MAX_PAGES pages of the log; what is left is read by the next pass.
 */
import type { Octokit } from '@octokit/core';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { RepositoryStore } from '../store/issue-store.js';
import type { ServiceStateStore } from '../store/service-state-store.js';
import type { WebhookHealthStore } from '../store/webhook-health-store.js';

/** GitHub redelivers deliveries of the past 3 days. */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;
/**
 * An incremental backfill of a repository costs about three requests (the repository, its issues and
 * alerts since the watermark) when little changed; redelivering costs one request per delivery. So
 * more failed deliveries than this for one repository are caught up by a backfill instead.
 */
export const BACKFILL_BEYOND = 3;
/** How far back the first pass reads, before any delivery was seen. */
const FIRST_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_PAGES = 20;
const CURSOR_KEY = 'github.deliveryLog.lastSeenId';
const HANDLED_EVENTS: ReadonlySet<string> = new Set([
  'issues',
  'issue_comment',
  'dependabot_alert',
  'installation',
  'installation_repositories',
  'repository',
]);

export interface LoggedDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  /** An attempt made by a redelivery. */
  redelivery: boolean;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}

export interface DeliveryLogDeps {
  /** The App's own client (its JWT), the only one the delivery log answers. */
  appOctokit(): Promise<Pick<Octokit, 'request'>>;
  /** The connection of a repository of an installation, by GitHub's ids. */
  findRepository(githubInstallationId: number, externalRepoId: string): Promise<string | null>;
  repositories: Pick<RepositoryStore, 'get'>;
  health: Pick<WebhookHealthStore, 'setHealth'>;
  jobs: Pick<SyncJobs, 'start'>;
  state: ServiceStateStore;
  log: Logger;
  clock?: () => Date;
}

export interface DeliveryLogReport {
  read: number;
  failed: number;
  redelivered: number;
  backfilled: number;
}

export function createDeliveryLogReader(deps: DeliveryLogDeps) {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'delivery-log' });

  /** The deliveries newer than the last one seen, newest first. */
  const readNew = async (octokit: Pick<Octokit, 'request'>, lastSeen: number | null, oldest: number) => {
    const found: LoggedDelivery[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response: { data: unknown; headers: Record<string, unknown> } = await octokit.request('GET /app/hook/deliveries', {
        per_page: 100,
        ...(cursor ? { cursor } : {}),
      });
      const deliveries = response.data as LoggedDelivery[];
      for (const delivery of deliveries) {
        if ((lastSeen !== null && delivery.id <= lastSeen) || Date.parse(delivery.delivered_at) < oldest) return found;
        found.push(delivery);
      }
      const next: string | undefined = /<([^>]+)>;\s*rel="next"/.exec(String(response.headers.link ?? ''))?.[1];
      cursor = next ? new URL(next).searchParams.get('cursor') : null;
      if (!cursor || deliveries.length === 0) return found;
    }
    return found;
  };

  const backfill = async (repositoryId: string, reason: string) => {
    const repository = await deps.repositories.get(repositoryId);
    if (!repository?.active) return false;
    await deps.health.setHealth(repositoryId, { status: 'stale', reason, checkedAt: clock() });
    // A repository never synced gets its install backfill; only a synced one is caught up here.
    if (!repository.lastSyncAt) return false;
    const started = await deps.jobs.start({
      projectId: repository.projectId,
      repositoryId,
      syncType: 'all',
      includeClosed: false,
      trigger: 'stale_webhook',
      since: { issues: repository.issuesWatermark, security: repository.alertsWatermark },
    });
    log.info({ repositoryId, operationId: started.operation.id, status: started.status, reason }, 'stale webhook: backfill');
    return true;
  };

  return {
    async tick(): Promise<DeliveryLogReport> {
      const report: DeliveryLogReport = { read: 0, failed: 0, redelivered: 0, backfilled: 0 };
      const now = clock().getTime();
      const stored = await deps.state.get(CURSOR_KEY);
      const lastSeen = typeof stored === 'number' ? stored : null;
      const octokit = await deps.appOctokit();
      const deliveries = await readNew(octokit, lastSeen, lastSeen === null ? now - FIRST_LOOKBACK_MS : 0);
      report.read = deliveries.length;
      if (deliveries.length === 0) return report;

      // Every attempt of a delivery shares its guid: the newest says whether it arrived in the end.
      const attempts = new Map<string, LoggedDelivery[]>();
      for (const delivery of deliveries) {
        if (!HANDLED_EVENTS.has(delivery.event)) continue;
        attempts.set(delivery.guid, [...(attempts.get(delivery.guid) ?? []), delivery]);
      }
      const byRepository = new Map<string, { failed: LoggedDelivery[]; stuck: boolean }>();
      const redeliver: LoggedDelivery[] = [];
      for (const tries of attempts.values()) {
        const latest = tries.reduce((a, b) => (b.id > a.id ? b : a));
        if (latest.status_code >= 200 && latest.status_code < 300) continue;
        report.failed += 1;
        // Too old to redeliver, or failed again when redelivered: only a backfill brings its change.
        const stuck = latest.redelivery || Date.parse(latest.delivered_at) < now - REDELIVERY_WINDOW_MS;
        const repositoryId =
          latest.installation_id !== null && latest.repository_id !== null
            ? await deps.findRepository(latest.installation_id, String(latest.repository_id))
            : null;
        if (!repositoryId) {
          if (!stuck) redeliver.push(latest);
          continue;
        }
        const entry = byRepository.get(repositoryId) ?? { failed: [], stuck: false };
        entry.failed.push(latest);
        entry.stuck ||= stuck;
        byRepository.set(repositoryId, entry);
      }
      for (const [repositoryId, { failed, stuck }] of byRepository) {
        if (failed.length > BACKFILL_BEYOND || stuck) {
          const why = stuck
            ? 'failed and can no longer be redelivered (too old, or failed again when redelivered)'
            : `failed (${failed.length}, more than a backfill costs requests)`;
          if (await backfill(repositoryId, `GitHub webhook deliveries ${why}; caught up from the last sync instead.`)) report.backfilled += 1;
        } else {
          redeliver.push(...failed);
        }
      }
      for (const delivery of redeliver) {
        try {
          await octokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: delivery.id });
          report.redelivered += 1;
        } catch (error) {
          log.warn({ err: error, deliveryId: delivery.guid }, 'redelivery refused');
        }
      }
      await deps.state.set(CURSOR_KEY, Math.max(...deliveries.map((delivery) => delivery.id)));
      log.info(report, 'delivery log read');
      return report;
    },
  };
}
