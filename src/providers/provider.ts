/**
 * The one interface every Git host implements. A provider is bound to one repository
 * (no state at module level) and turns the host's API into async iterables of pages of
 * normalized items, so memory stays bounded by one page whatever the repository size.
 */
import type { ExternalIssue, ProviderKind, RateLimitInfo, StateFilter } from '../domain/items.js';

export type { ExternalIssue, IssueKind, IssueState, ProviderKind, RateLimitInfo, StateFilter } from '../domain/items.js';

export interface Page {
  items: ExternalIssue[];
  /**
   * Opaque position after this page. Passing it back as `cursor` resumes the listing with the
   * next page, so a checkpoint saved after a page refetches at most that page. `null` at the end.
   */
  cursor: string | null;
  rateLimit: RateLimitInfo | null;
  /** Items the host returned but that are not ours to sync (e.g. pull requests). */
  ignored?: number;
  /** The host's count (or estimate) of items in the whole listing, when it tells; for progress. */
  total?: number | null;
  /**
   * What a whole listing is a snapshot of, where the host has such a thing (Bitbucket: the head
   * commit). Recorded with the repository after a completed sync, so a poll whose `freshness` shows
   * the same version knows nothing changed.
   */
  version?: string | null;
}

export interface ListOptions {
  state: StateFilter;
  /** Only items updated at or after this instant (incremental sync). */
  since?: Date | null;
  /** Resume position from a previous page's `cursor`. */
  cursor?: string | null;
  signal?: AbortSignal;
}

export interface RepositoryInfo {
  /** The host's id of the repository (stable across renames). */
  id: string;
  /** `owner/name`, `group/sub/name` or `workspace/repo`. */
  fullName: string;
  url: string;
  defaultBranch: string | null;
  private: boolean;
  /** Open issues as the host counts them (GitHub counts open pull requests too); a hint only. */
  openIssuesHint: number | null;
}

export interface FreshnessOptions {
  /** The newest update already synced (the issues' watermark, or the host's whole listing's); null: none yet. */
  watermark: Date | null;
  /**
   * Where the host has security alerts that can be asked the same way (GitHub's Dependabot alerts):
   * their watermark, to check them too. Absent: alerts are not checked.
   */
  securityWatermark?: Date | null;
  /** What the previous check returned as `etag` (stored with the repository); null on a first check. */
  etag: string | null;
  signal?: AbortSignal | undefined;
}

export interface Freshness {
  /** True when the host shows an update newer than the watermark (or the security watermark). */
  changed: boolean;
  /**
   * The newest update the host shows (of issues, or alerts when those are newer); null when the
   * host shows none, or when a conditional request said nothing changed since the stored `etag`.
   */
  latestUpdatedAt: Date | null;
  /**
   * Opaque: hand it back as `etag` on the next check, so a host that answers conditional requests
   * (GitHub: `If-None-Match`, a 304 costs no rate-limit point) can say "nothing changed" for free.
   * Null where the host has none.
   */
  etag: string | null;
  /** The version a whole listing would now be of (see `Page.version`); absent where the host has none. */
  version?: string | null;
  /**
   * Per part, where the host tells them apart: the newest update it shows (null: none, or nothing
   * changed since the stored `etag`; `security` absent: alerts were not asked about).
   */
  parts?: { issues?: Date | null; security?: Date | null };
  /** The rate-limit headers of the check's last answer, where the host sends them. */
  rateLimit?: RateLimitInfo | null;
  /** Rate-limit points the check spent, where the host tells (a 304 spends none). */
  pointsSpent?: number;
}

/** How a part's listing differs from the default (a `since` filter, then a catch-up after a full listing). */
/**
 * Asks about every repository of one owner at once (an organisation or a user account), before
 * repositories are checked one by one: see `Provider.ownerChanges`.
 */
export interface OwnerChangesOptions {
  /** Issue updates from this time on are asked for (the oldest last check of the owner's due repositories, less a margin). */
  since: Date;
  /** Ask about security alerts too (GitHub: the organisation's Dependabot alerts). */
  alerts: boolean;
  /** What the previous answer returned as `alertsState` (an ETag and what it showed); null on a first ask. */
  alertsState: string | null;
  signal?: AbortSignal | undefined;
}

/**
 * One part (issues or alerts) of an owner-wide signal: the newest update per repository it shows,
 * and how far back it sees. A repository absent from `newest` had no update at or after
 * `seenSince` (issues: at or after the `since` asked when `seenSince` is null; alerts: none at all).
 */
export interface OwnerPartChanges {
  newest: Map<string, Date>;
  seenSince: Date | null;
}

/** What one owner-wide signal shows; a part the signal could not see is null (each repository is then checked alone). */
export interface OwnerChanges {
  /** Keyed by the repository's lower-case full name. */
  issues: OwnerPartChanges | null;
  /** Keyed by the host's repository id (stable across renames). */
  alerts: OwnerPartChanges | null;
  /** To hand back as `alertsState` next time (stored between checks). */
  alertsState: string | null;
  /** Rate-limit points of the main quota spent (a search spends the search quota, a 304 nothing). */
  pointsSpent: number;
  rateLimit: RateLimitInfo | null;
  /** The quota of the signal's own kind of request where it has one (GitHub's search: 30 a minute). */
  signalRateLimit: RateLimitInfo | null;
  /** Why a part could not be seen, for the logs. */
  notes: string[];
}

export interface ListingTraits {
  /**
   * The host cannot filter this part by update time: every listing is the whole set, `since` is
   * ignored, and the sync engine skips the catch-up (it would list everything again).
   */
  ignoresSince?: boolean;
  /**
   * Every listing is the whole current set: a stored item of this part that a whole listing no longer
   * holds is resolved (closed), never deleted (Bitbucket findings gone from a newer head commit).
   */
  complete?: boolean;
}

export interface Provider {
  readonly kind: ProviderKind;
  /** Per part, where its listing differs from the default; absent: both parts are default. */
  readonly listingTraits?: Partial<Record<'issues' | 'security', ListingTraits>>;
  /** `owner/name` (or the host's equivalent) this provider is bound to. */
  readonly repo: string;
  repository(signal?: AbortSignal): Promise<RepositoryInfo>;
  listIssues(options: ListOptions): AsyncIterable<Page>;
  /** Absent where the host has no security alerts API. */
  listSecurityAlerts?(options: ListOptions): AsyncIterable<Page>;
  /**
   * One item by its `issueId` (`12`, `alert-3`, …), e.g. to check a manual link; null when the host
   * has no such item (a pull request counts as none). Absent where a host does not offer it yet.
   */
  getIssue?(issueId: string, signal?: AbortSignal): Promise<ExternalIssue | null>;
  /** The cheapest call that tells whether anything changed since the watermark (and since the stored ETag). */
  freshness(options: FreshnessOptions): Promise<Freshness>;
  /**
   * One or two requests that cover every repository of this provider's repository owner (GitHub: the
   * issue search with `user:` and `updated:>=`, and the organisation's Dependabot alerts with an
   * ETag), so repositories are checked alone only where it shows a change or cannot see. Absent
   * where a host has no such signal.
   */
  ownerChanges?(options: OwnerChangesOptions): Promise<OwnerChanges>;
  /** HTTP requests sent to the host by this provider so far (retries included). */
  requestCount(): number;
}
