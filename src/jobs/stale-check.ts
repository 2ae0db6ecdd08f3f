/**
 * The stale check of GitHub repositories, whose webhooks we cannot ask about: on every tick (a
 * pg-boss queue one replica at a time runs: `every` in pg-boss-sync-jobs.ts), every active GitHub
 * connection whose last check is older than `STALE_CHECK_INTERVAL_S` is asked `freshness` with the ETag its last check stored. On
 * GitHub that is a conditional request: a quiet repository answers 304, which costs no rate-limit
 * point. When the host shows an update newer than the watermark that no delivery brought (nothing
 * stored is that new), the webhook is marked `stale` with the reason and ONE incremental backfill is
 * started (`since` = watermarks, trigger `stale_webhook`); a sync already running is enough.
 *
 * Two checkers (replicas, or a tick that outlasts the next) never check a repository twice in one
 * interval: each takes the repository's check in the database first (`claimCheck`). A repository
 * never synced is left to its first sync (the install backfill); a failed check is logged.
 *
 * Budget, per quota (an App installation, or a token on a host), in each rate-limit window (GitHub's
 * hour, until `x-ratelimit-reset`), from the rate-limit headers the checks themselves see:
 * - the checks spend at most `budgetShare` (default 5%) of the window's limit: 250 points of a
 *   token's 5,000, 750 of an installation's 15,000. A 304 spends nothing, so quiet repositories are
 *   checked however many there are; only changes (and alerts without an ETag) spend;
 * - and they back off while the quota is low: when no more than that same share of the limit
 *   remains (syncs spent the rest), the checks wait for the reset and leave what is left to the syncs;
 * - a check told it is rate limited waits for the reset it names.
 * A held-back repository stays due, first in line at the next tick. A quota not seen yet lets one
 * check through to learn it; a host that sends no rate-limit headers is not limited. The account is
 * kept per process (a replica that takes over a tick starts from the headers it sees).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { TokenCipher } from '../crypto/token-cipher.js';
import { ProviderError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Freshness, Provider, RateLimitInfo } from '../providers/provider.js';
import type { RepositoryRecord, SyncType } from '../store/issue-store.js';
import type { CheckedRepository, WebhookHealthStore } from '../store/webhook-health-store.js';
import { dueCutoff } from './due-cutoff.js';
import type { SyncJobs } from './sync-jobs.js';

export interface StaleCheckDeps {
  health: WebhookHealthStore;
  /** The same opener the sync jobs use: the App's installation client, or the connection's token. */
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  jobs: Pick<SyncJobs, 'start'>;
  cipher: TokenCipher;
  config: Pick<Config, 'hosts' | 'staleCheckIntervalSeconds'>;
  log: Logger;
  clock?: () => Date;
  /** Share of each quota's hourly limit the checks may spend (default 0.05). */
  budgetShare?: number;
}

export interface StaleCheckReport {
  checked: number;
  /** Checks that found an update no delivery brought: marked stale. */
  stale: number;
  /** Backfills started (a stale repository whose sync was already running is not counted). */
  started: number;
  alreadyRunning: number;
  /** Due repositories left for a later tick by the budget. */
  heldBack: number;
  /** Never synced: left to their first sync. */
  skipped: number;
  failed: number;
}

/** The stale check's pg-boss queue; it ticks at least every minute, more often for a shorter interval. */
export const STALE_CHECK_QUEUE = 'github-stale-check';

const DEFAULT_BUDGET_SHARE = 0.05;

interface Quota {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
  /** Points the checks spent in the window ending at `resetAt`. */
  spent: number;
}

export function createStaleCheck(deps: StaleCheckDeps) {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'stale-check' });
  const intervalMs = deps.config.staleCheckIntervalSeconds * 1000;
  const share = deps.budgetShare ?? DEFAULT_BUDGET_SHARE;
  const quotas = new Map<string, Quota>();

  const quotaKey = (repository: CheckedRepository): string => {
    if (repository.installationId) return `installation:${repository.installationId}`;
    const apiUrl = repository.apiUrl ?? deps.config.hosts.github.apiUrl;
    if (!repository.encryptedToken) return `anonymous:${apiUrl}`;
    // Keyed by the token itself, not its ciphertext: connections sharing a token share its quota.
    const token = deps.cipher.decrypt(repository.encryptedToken);
    return `token:${apiUrl}:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
  };

  /** Null when the check may go ahead, else why it waits. */
  const holdBack = (quota: Quota, cost: number, now: Date): string | null => {
    if (quota.resetAt && now >= quota.resetAt) {
      quota.spent = 0;
      quota.remaining = quota.limit;
      quota.resetAt = null;
    }
    if (quota.limit === null) return quota.remaining === 0 ? 'rate limited' : null;
    const allowance = Math.max(1, Math.floor(quota.limit * share));
    if (quota.spent + cost > allowance && quota.spent > 0) return 'budget spent';
    if (quota.remaining !== null && quota.remaining <= allowance) return 'quota low';
    return null;
  };

  const account = (quota: Quota, fresh: Pick<Freshness, 'rateLimit' | 'pointsSpent'>) => {
    const seen: RateLimitInfo | null | undefined = fresh.rateLimit;
    if (seen?.resetAt && quota.resetAt && seen.resetAt.getTime() > quota.resetAt.getTime() + 1000) quota.spent = 0;
    quota.spent += fresh.pointsSpent ?? 0;
    if (!seen) return;
    if (seen.limit !== null) quota.limit = seen.limit;
    if (seen.remaining !== null) quota.remaining = seen.remaining;
    if (seen.resetAt) quota.resetAt = seen.resetAt;
  };

  /** The parts whose newest update on the host is newer than the watermark and not stored: missed deliveries. */
  const missedParts = async (repository: CheckedRepository, fresh: Freshness): Promise<Array<'issues' | 'security'>> => {
    if (!fresh.changed) return [];
    const parts = fresh.parts ?? { issues: fresh.latestUpdatedAt };
    const missed: Array<'issues' | 'security'> = [];
    const candidates = [
      ['issues', parts.issues, repository.issuesWatermark, 'issue'],
      ['security', parts.security, repository.alertsWatermark, 'security_alert'],
    ] as const;
    for (const [part, latest, watermark, kind] of candidates) {
      if (!latest || (watermark && latest <= watermark)) continue;
      // Deliveries store items without moving the watermark (only syncs do): an item that new is stored.
      if (await deps.health.hasStoredSince(repository.id, kind, latest)) continue;
      missed.push(part);
    }
    return missed;
  };

  return {
    /** One pass over the due repositories. */
    async tick(): Promise<StaleCheckReport> {
      const report: StaleCheckReport = { checked: 0, stale: 0, started: 0, alreadyRunning: 0, heldBack: 0, skipped: 0, failed: 0 };
      const now = clock();
      const dueBefore = dueCutoff(now, intervalMs);
      for (const repository of await deps.health.listDueForCheck(['github'], dueBefore)) {
        if (repository.lastSyncAt === null) {
          report.skipped += 1;
          continue;
        }
        let quota: Quota | undefined;
        try {
          const key = quotaKey(repository);
          quota = quotas.get(key);
          if (!quota) quotas.set(key, (quota = { limit: null, remaining: null, resetAt: null, spent: 0 }));
          const checksAlerts = repository.alertsWatermark !== null;
          const waiting = holdBack(quota, checksAlerts ? 2 : 1, now);
          if (waiting) {
            report.heldBack += 1;
            log.debug({ repositoryId: repository.id, quota: key, reason: waiting }, 'stale check held back');
            continue;
          }
          if (!(await deps.health.claimCheck(repository.id, dueBefore, now))) continue;
          report.checked += 1;
          const provider = await deps.openProvider(repository);
          const fresh = await provider.freshness({
            watermark: repository.issuesWatermark,
            ...(checksAlerts ? { securityWatermark: repository.alertsWatermark } : {}),
            etag: repository.etag,
          });
          account(quota, fresh);
          const missed = await missedParts(repository, fresh);
          if (missed.length > 0) {
            report.stale += 1;
            const newest = fresh.latestUpdatedAt?.toISOString() ?? 'unknown';
            const what = missed.map((part) => (part === 'issues' ? 'issue' : 'Dependabot alert')).join(' and ');
            await deps.health.setHealth(repository.id, {
              status: 'stale',
              reason: `GitHub shows ${what} changes up to ${newest} that no webhook delivery brought; an incremental sync was started to catch up. Check the App's recent deliveries on GitHub.`,
              checkedAt: now,
            });
            const syncType: SyncType = missed.length === 2 ? 'all' : missed[0]!;
            const started = await deps.jobs.start({
              projectId: repository.projectId,
              repositoryId: repository.id,
              syncType,
              includeClosed: false,
              trigger: 'stale_webhook',
              since: { issues: repository.issuesWatermark, security: repository.alertsWatermark },
            });
            if (started.status === 'started') report.started += 1;
            else report.alreadyRunning += 1;
          }
          // Stored only once a change it shows is handled: a failed start is seen again next time.
          await deps.health.recordCheck(repository.id, { etag: fresh.etag, checkedAt: now });
        } catch (error) {
          report.failed += 1;
          if (quota && error instanceof ProviderError && error.code === 'rate_limited') {
            quota.remaining = 0;
            quota.resetAt = error.resetAt ?? new Date(now.getTime() + 60 * 60_000);
          }
          log.warn({ repositoryId: repository.id, err: error }, 'stale check of a repository failed');
        }
      }
      if (report.checked + report.heldBack + report.failed > 0) log.info(report, 'stale check tick');
      return report;
    },
  };
}
