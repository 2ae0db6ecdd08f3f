/**
 * The stale check of GitHub repositories, whose webhooks we cannot ask about: on every tick (a
 * pg-boss queue one replica at a time runs: `every` in pg-boss-sync-jobs.ts), every active GitHub
 * connection whose last check is older than `STALE_CHECK_INTERVAL_S` is asked `freshness` with the ETag its last check stored. On
 * GitHub that is a conditional request: a quiet repository answers 304, which costs no rate-limit
 * point. When the host shows an update newer than the watermark that no delivery brought (nothing
 * stored is that new), the webhook is marked `stale` with the reason and ONE incremental backfill is
 * started (`since` = watermarks, trigger `stale_webhook`); a sync already running is enough.
 *
 * Many repositories of one owner (an installation's account, or one token's repositories of an
 * owner) are first asked about together (`Provider.ownerChanges`: on GitHub one issue search and one
 * conditional read of the organisation's Dependabot alerts), from a little before their last check
 * (the search index may lag an edit). A repository the signal shows quiet is settled with no request
 * of its own; one where it shows an update is judged as above; only one it cannot see (a first
 * check, a search with more updates than a page, alerts of a user account) is checked alone. Each
 * repository is still checked alone about once an hour (`SWEEP_PERIOD_MS`, spread over the rounds),
 * which catches what a search cannot name (a renamed repository) or saw late.
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
import type { Freshness, OwnerPartChanges, Provider, RateLimitInfo } from '../providers/provider.js';
import type { RepositoryRecord, SyncType } from '../store/issue-store.js';
import type { ServiceStateStore } from '../store/service-state-store.js';
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
  /** Where an owner's signal keeps what it must hand back next time (an ETag and what it showed). */
  state: ServiceStateStore;
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
  /** Owner-wide signals asked (one per owner and quota with enough due repositories). */
  ownerSignals: number;
  /** Repositories settled through their owner's signal, with no request of their own. */
  throughSignal: number;
}

/** The stale check's pg-boss queue; it ticks at least every minute, more often for a shorter interval. */
export const STALE_CHECK_QUEUE = 'github-stale-check';

const DEFAULT_BUDGET_SHARE = 0.05;
/** An owner's signal is asked when at least this many of its repositories are due (fewer are cheaper alone). */
const MIN_OWNER_GROUP = 3;
/** Requests of the signal's own quota left to other uses of it: at or below this many, repositories are checked alone. */
const SIGNAL_QUOTA_RESERVE = 2;
/** How far before the last check the search looks: an edit the index had not seen then is seen now. */
const SEARCH_LAG_MARGIN_MS = 15 * 60_000;
/** Every repository is checked alone at least this often, whatever its owner's signal says. */
export const SWEEP_PERIOD_MS = 60 * 60_000;

type Part = 'issues' | 'security';
/** What a check found for one repository: the newest update of each part it looked at (null: none). */
type Seen = { issues: Date | null; security?: Date | null };

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
  /** The owner's signal's own quota (GitHub's search) per quota key, as its last answer showed it. */
  const signalQuotas = new Map<string, RateLimitInfo>();

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
  const missedParts = async (repository: CheckedRepository, seen: Seen): Promise<Part[]> => {
    const missed: Part[] = [];
    const candidates = [
      ['issues', seen.issues, repository.issuesWatermark, 'issue'],
      ['security', seen.security, repository.alertsWatermark, 'security_alert'],
    ] as const;
    for (const [part, latest, watermark, kind] of candidates) {
      if (!latest || (watermark && latest <= watermark)) continue;
      // Deliveries store items without moving the watermark (only syncs do): an item that new is stored.
      if (await deps.health.hasStoredSince(repository.id, kind, latest)) continue;
      missed.push(part);
    }
    return missed;
  };

  /** Marks the webhook stale and starts one incremental backfill of the missed parts. */
  const heal = async (repository: CheckedRepository, missed: Part[], seen: Seen, now: Date, report: StaleCheckReport) => {
    report.stale += 1;
    const newest = [seen.issues, seen.security].reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);
    const what = missed.map((part) => (part === 'issues' ? 'issue' : 'Dependabot alert')).join(' and ');
    await deps.health.setHealth(repository.id, {
      status: 'stale',
      reason: `GitHub shows ${what} changes up to ${newest?.toISOString() ?? 'unknown'} that no webhook delivery brought; an incremental sync was started to catch up. Check the App's recent deliveries on GitHub.`,
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
  };

  const quotaOf = (key: string): Quota => {
    let quota = quotas.get(key);
    if (!quota) quotas.set(key, (quota = { limit: null, remaining: null, resetAt: null, spent: 0 }));
    return quota;
  };

  const noteRateLimited = (quota: Quota, error: unknown, now: Date) => {
    if (error instanceof ProviderError && error.code === 'rate_limited') {
      quota.remaining = 0;
      quota.resetAt = error.resetAt ?? new Date(now.getTime() + 60 * 60_000);
    }
  };

  /** A repository checked alone: the conditional requests of `freshness`, with the ETag its last check stored. */
  const probe = async (repository: CheckedRepository, key: string, now: Date, dueBefore: Date, report: StaleCheckReport) => {
    const quota = quotaOf(key);
    const checksAlerts = repository.alertsWatermark !== null;
    const waiting = holdBack(quota, checksAlerts ? 2 : 1, now);
    if (waiting) {
      report.heldBack += 1;
      log.debug({ repositoryId: repository.id, quota: key, reason: waiting }, 'stale check held back');
      return;
    }
    if (!(await deps.health.claimCheck(repository.id, dueBefore, now))) return;
    report.checked += 1;
    try {
      const provider = await deps.openProvider(repository);
      const fresh = await provider.freshness({
        watermark: repository.issuesWatermark,
        ...(checksAlerts ? { securityWatermark: repository.alertsWatermark } : {}),
        etag: repository.etag,
      });
      account(quota, fresh);
      if (fresh.changed) {
        const seen: Seen = fresh.parts
          ? { issues: fresh.parts.issues ?? null, ...('security' in fresh.parts ? { security: fresh.parts.security ?? null } : {}) }
          : { issues: fresh.latestUpdatedAt };
        const missed = await missedParts(repository, seen);
        if (missed.length > 0) await heal(repository, missed, seen, now, report);
      }
      // Stored only once a change it shows is handled: a failed start is seen again next time.
      await deps.health.recordCheck(repository.id, { etag: fresh.etag, checkedAt: now, probed: true });
    } catch (error) {
      report.failed += 1;
      noteRateLimited(quota, error, now);
      await deps.health.releaseCheck(repository.id, now, repository.lastCheckedAt).catch(() => undefined);
      log.warn({ repositoryId: repository.id, err: error }, 'stale check of a repository failed');
    }
  };

  /**
   * Asks the owner's signal about a group of due repositories; settles those it shows (quiet or
   * changed) and returns the ones it cannot see, to be checked alone.
   */
  const throughOwner = async (
    group: CheckedRepository[],
    key: string,
    now: Date,
    dueBefore: Date,
    report: StaleCheckReport,
  ): Promise<CheckedRepository[]> => {
    const quota = quotaOf(key);
    if (holdBack(quota, 1, now)) return group;
    // The search has a quota of its own (30 a minute): spent, the owner's repositories are checked alone.
    const searchQuota = signalQuotas.get(key);
    if (searchQuota && searchQuota.remaining !== null && searchQuota.remaining <= SIGNAL_QUOTA_RESERVE && (!searchQuota.resetAt || now < searchQuota.resetAt)) {
      log.debug({ quota: key, resetAt: searchQuota.resetAt }, "owner's signal waits for its quota; checking repositories alone");
      return group;
    }
    const provider = await deps.openProvider(group[0]!);
    if (!provider.ownerChanges) return group;
    const oldestCheck = Math.min(...group.map((repository) => repository.lastCheckedAt!.getTime()));
    const stateKey = `stale-check:owner-alerts:${createHash('sha256').update(`${key}|${ownerOf(group[0]!)}`).digest('hex').slice(0, 24)}`;
    const storedState = await deps.state.get(stateKey);
    const alerts = group.some((repository) => repository.alertsWatermark !== null);
    let signal;
    try {
      signal = await provider.ownerChanges({
        since: new Date(oldestCheck - SEARCH_LAG_MARGIN_MS),
        alerts,
        alertsState: typeof storedState === 'string' ? storedState : null,
      });
    } catch (error) {
      noteRateLimited(quota, error, now);
      log.warn({ owner: ownerOf(group[0]!), err: error }, 'owner-wide stale signal failed; checking its repositories one by one');
      return group;
    }
    report.ownerSignals += 1;
    account(quota, signal);
    if (signal.signalRateLimit) signalQuotas.set(key, signal.signalRateLimit);
    if (signal.notes.length > 0) log.info({ owner: ownerOf(group[0]!), notes: signal.notes }, 'owner-wide stale signal sees only part');

    const unseen: CheckedRepository[] = [];
    for (const repository of group) {
      const knownUpTo = Math.max(repository.lastCheckedAt!.getTime() - SEARCH_LAG_MARGIN_MS, repository.issuesWatermark?.getTime() ?? -Infinity);
      const issues = partSeen(signal.issues, repository.fullPath.toLowerCase(), knownUpTo);
      const tracksAlerts = repository.alertsWatermark !== null;
      const alertsKnownUpTo = Math.max(repository.lastCheckedAt!.getTime() - SEARCH_LAG_MARGIN_MS, repository.alertsWatermark?.getTime() ?? -Infinity);
      const security = tracksAlerts ? partSeen(signal.alerts, repository.externalRepoId, alertsKnownUpTo) : null;
      if (issues === undefined || security === undefined) {
        unseen.push(repository);
        continue;
      }
      if (!(await deps.health.claimCheck(repository.id, dueBefore, now))) continue;
      report.checked += 1;
      report.throughSignal += 1;
      try {
        const seen: Seen = { issues, ...(tracksAlerts ? { security } : {}) };
        const missed = await missedParts(repository, seen);
        if (missed.length > 0) await heal(repository, missed, seen, now, report);
        await deps.health.recordCheck(repository.id, { etag: repository.etag, checkedAt: now, probed: false });
      } catch (error) {
        report.failed += 1;
        await deps.health.releaseCheck(repository.id, now, repository.lastCheckedAt).catch(() => undefined);
        log.warn({ repositoryId: repository.id, err: error }, 'stale check of a repository failed');
      }
    }
    // Kept once what it showed is handled: a 304 next time means the same, already handled.
    if (signal.alertsState !== storedState) await deps.state.set(stateKey, signal.alertsState);
    return unseen;
  };

  return {
    /** One pass over the due repositories. */
    async tick(): Promise<StaleCheckReport> {
      const report: StaleCheckReport = {
        checked: 0, stale: 0, started: 0, alreadyRunning: 0, heldBack: 0, skipped: 0, failed: 0, ownerSignals: 0, throughSignal: 0,
      };
      const now = clock();
      const dueBefore = dueCutoff(now, intervalMs);
      const groups = new Map<string, { key: string; repositories: CheckedRepository[] }>();
      for (const repository of await deps.health.listDueForCheck(['github'], dueBefore)) {
        if (repository.lastSyncAt === null) {
          report.skipped += 1;
          continue;
        }
        try {
          const key = quotaKey(repository);
          const groupKey = `${key}|${ownerOf(repository)}`;
          let group = groups.get(groupKey);
          if (!group) groups.set(groupKey, (group = { key, repositories: [] }));
          group.repositories.push(repository);
        } catch (error) {
          report.failed += 1;
          log.warn({ repositoryId: repository.id, err: error }, 'stale check of a repository failed');
        }
      }
      for (const { key, repositories } of groups.values()) {
        const { alone, together } = splitGroup(repositories, now, intervalMs);
        let unseen = together;
        if (together.length >= MIN_OWNER_GROUP) {
          try {
            unseen = await throughOwner(together, key, now, dueBefore, report);
          } catch (error) {
            // The owner's client could not be opened, or its stored state not read: each is checked alone.
            log.warn({ owner: ownerOf(together[0]!), err: error }, "owner-wide stale signal could not be asked; checking its repositories one by one");
          }
        }
        for (const repository of [...alone, ...unseen]) await probe(repository, key, now, dueBefore, report);
      }
      if (report.checked + report.heldBack + report.failed > 0) log.info(report, 'stale check tick');
      return report;
    },
  };
}

/** The owner of a repository (`owner` of `owner/name`), lower case. */
function ownerOf(repository: CheckedRepository): string {
  return repository.fullPath.split('/')[0]!.toLowerCase();
}

/**
 * Which due repositories of one owner are checked alone: those never checked (the signal looks from
 * the last check), and this round's share of the sweep (the longest not checked alone, so that each
 * is checked alone about once per `SWEEP_PERIOD_MS`). The rest go through the owner's signal.
 */
function splitGroup(repositories: CheckedRepository[], now: Date, intervalMs: number) {
  const alone: CheckedRepository[] = [];
  const rest: CheckedRepository[] = [];
  for (const repository of repositories) (repository.lastCheckedAt === null || repository.lastProbedAt === null ? alone : rest).push(repository);
  const rounds = Math.max(1, Math.floor(SWEEP_PERIOD_MS / Math.max(1, intervalMs)));
  const share = Math.ceil(repositories.length / rounds);
  const sweepBefore = now.getTime() - SWEEP_PERIOD_MS;
  rest.sort((a, b) => a.lastProbedAt!.getTime() - b.lastProbedAt!.getTime());
  let swept = 0;
  while (swept < share && rest.length > 0 && rest[0]!.lastProbedAt!.getTime() <= sweepBefore) {
    alone.push(rest.shift()!);
    swept += 1;
  }
  return { alone, together: rest };
}

/**
 * What an owner's signal shows of one part of one repository: its newest update (null: none since
 * it was last known), or undefined when the signal cannot see it (not asked, not readable, or the
 * signal reaches back less far than what is known of the repository).
 */
function partSeen(part: OwnerPartChanges | null, key: string | null, knownUpTo: number): Date | null | undefined {
  if (!part || key === null) return undefined;
  const newest = part.newest.get(key);
  if (newest) return newest;
  return part.seenSince === null || part.seenSince.getTime() <= knownUpTo ? null : undefined;
}
