/**
 * GitHub's owner-wide freshness signal: what changed in any repository of one owner, in one or two
 * requests, so the stale check asks single repositories only where this shows a change or cannot see.
 *
 * - Issues: `GET /search/issues?q=user:OWNER is:issue updated:>=SINCE`, newest first. One request of
 *   the search quota (30 a minute), none of the core quota. The index may lag a little behind an edit:
 *   the caller asks from a little before its last check, so an edit the index missed then is seen now.
 *   A full page (more than 100 updates) shows only the newest, back to its oldest item.
 * - Dependabot alerts: `GET /orgs/OWNER/dependabot/alerts?sort=updated&direction=desc` with the ETag
 *   of the last answer: 304 (no point spent) when no alert of the organisation changed, and then the
 *   last answer's summary (kept with the ETag) still holds. A user account (404) or an App without
 *   the organisation permission (403) cannot be asked: alerts are then not seen.
 */
import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import type { OwnerChanges, OwnerChangesOptions, OwnerPartChanges, RateLimitInfo } from '../provider.js';
import type { GitHubListingContext } from './github-listing-context.js';
import { rateLimitOf } from './github-request.js';
import { parseGitHubBody } from './parse-github-body.js';

const PAGE_SIZE = 100;

const searchSchema = z.object({
  total_count: z.number(),
  incomplete_results: z.boolean().optional(),
  items: z.array(z.object({ repository_url: z.string(), updated_at: z.string() })),
});

const organizationAlertsSchema = z.array(
  z.object({ updated_at: z.string(), repository: z.object({ id: z.union([z.number(), z.string()]) }) }),
);

/** What `alertsState` holds: the ETag and what that answer showed. */
interface AlertsState {
  etag: string;
  /** Newest alert update per repository id (ISO). */
  newest: Record<string, string>;
  /** How far back the answer reached (ISO), null when it held every alert. */
  seenSince: string | null;
}

export async function gitHubOwnerChanges(context: GitHubListingContext, options: OwnerChangesOptions): Promise<OwnerChanges> {
  const owner = context.route.owner;
  const notes: string[] = [];
  let pointsSpent = 0;
  let rateLimit: RateLimitInfo | null = null;

  let signalRateLimit: RateLimitInfo | null = null;
  let issues: OwnerPartChanges | null = null;
  try {
    const response = await context.get(
      '/search/issues',
      { q: `user:${owner} is:issue updated:>=${isoSeconds(options.since)}`, sort: 'updated', order: 'desc', per_page: PAGE_SIZE },
      { operation: `searching the issues of ${owner}`, signal: options.signal },
    );
    signalRateLimit = rateLimitOf(response.headers);
    const body = parseGitHubBody(searchSchema, response.data, { repo: context.repo, what: 'an issue search' });
    const newest = new Map<string, Date>();
    for (const item of body.items) {
      const name = repositoryName(item.repository_url);
      const updated = new Date(item.updated_at);
      if (name && !(updated <= (newest.get(name) ?? new Date(0)))) newest.set(name, updated);
    }
    // More updates than one page: the page shows the newest, back to its oldest item.
    const partial = body.incomplete_results === true || body.total_count > body.items.length;
    const oldest = body.items.at(-1);
    issues = { newest, seenSince: partial ? (oldest ? new Date(oldest.updated_at) : new Date()) : null };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    if (error.code === 'rate_limited') signalRateLimit = { limit: null, remaining: 0, resetAt: error.resetAt ?? null };
    notes.push(`the issue search failed: ${error.message}`);
  }

  let alerts: OwnerPartChanges | null = null;
  let alertsState: string | null = options.alertsState;
  if (options.alerts) {
    const stored = parseAlertsState(options.alertsState);
    try {
      const response = await context.get(
        '/orgs/{org}/dependabot/alerts',
        { org: owner, sort: 'updated', direction: 'desc', per_page: PAGE_SIZE },
        {
          operation: `checking the Dependabot alerts of ${owner}`,
          signal: options.signal,
          headers: stored ? { 'if-none-match': stored.etag } : {},
          allowNotModified: true,
        },
      );
      rateLimit = rateLimitOf(response.headers);
      let seen: AlertsState | null = stored;
      if (response.status !== 304) {
        pointsSpent += 1;
        const items = parseGitHubBody(organizationAlertsSchema, response.data, { repo: context.repo, what: 'a Dependabot alert list' });
        const newest: Record<string, string> = {};
        for (const item of items) {
          const id = String(item.repository.id);
          if (!newest[id] || Date.parse(newest[id]) < Date.parse(item.updated_at)) newest[id] = item.updated_at;
        }
        const partial = items.length >= PAGE_SIZE || typeof response.headers.link === 'string';
        const etag = typeof response.headers.etag === 'string' && response.headers.etag ? response.headers.etag : null;
        seen = { etag: etag ?? '', newest, seenSince: partial ? (items.at(-1)?.updated_at ?? null) : null };
        alertsState = etag ? JSON.stringify(seen) : null;
      }
      if (seen) {
        alerts = {
          newest: new Map(Object.entries(seen.newest).map(([id, at]) => [id, new Date(at)])),
          seenSince: seen.seenSince ? new Date(seen.seenSince) : null,
        };
      }
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.status !== undefined) pointsSpent += 1;
      notes.push(`the organisation's Dependabot alerts could not be read: ${error.message}`);
    }
  }

  return { issues, alerts, alertsState, pointsSpent, rateLimit, signalRateLimit, notes };
}

/** `https://api.github.com/repos/OWNER/NAME` → `owner/name`. */
function repositoryName(repositoryUrl: string): string | null {
  const match = /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(repositoryUrl);
  return match ? `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`.toLowerCase() : null;
}

function isoSeconds(at: Date): string {
  return new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function parseAlertsState(stored: string | null): AlertsState | null {
  if (!stored) return null;
  try {
    const value = JSON.parse(stored) as Partial<AlertsState>;
    if (typeof value.etag === 'string' && value.etag && typeof value.newest === 'object' && value.newest !== null) {
      return { etag: value.etag, newest: value.newest, seenSince: typeof value.seenSince === 'string' ? value.seenSince : null };
    }
  } catch {
    // not ours: asked afresh
  }
  return null;
}
