/**
 * GitHub's freshness check: a conditional request (`If-None-Match` with the ETag the last check
 * returned) on the newest-updated issues, and on the newest-updated Dependabot alert when the caller
 * tracks alerts. GitHub answers 304 when nothing changed, and a 304 costs no rate-limit point, so a
 * quiet repository is checked for free. The ETag is handed back to the caller, who stores it with
 * the repository: a provider is made per job and would forget it.
 */
import { ProviderError } from '../../errors.js';
import type { Freshness, FreshnessOptions, RateLimitInfo } from '../provider.js';
import { dependabotAlertListSchema, gitHubIssueListSchema } from './github-schema.js';
import type { GitHubListingContext } from './github-listing-context.js';
import { rateLimitOf, type GitHubHeaders } from './github-request.js';
import { parseGitHubBody } from './parse-github-body.js';

const ISSUES_ROUTE = '/repos/{owner}/{repo}/issues';
const ALERTS_ROUTE = '/repos/{owner}/{repo}/dependabot/alerts';
/**
 * Pull requests share the issues listing (and are not synced): the check reads this many of the
 * newest-updated items, so an issue beneath a few busy pull requests is still seen. One request
 * costs one point whatever its size.
 */
const PROBE_SIZE = 20;

/** What the stored `etag` holds: one ETag per conditional request. */
interface Etags {
  issues?: string;
  alerts?: string;
}

export async function gitHubFreshness(context: GitHubListingContext, options: FreshnessOptions): Promise<Freshness> {
  const stored = parseEtags(options.etag);
  const next: Etags = {};
  let rateLimit: RateLimitInfo | null = null;
  let pointsSpent = 0;
  const probe = async (route: string, query: Record<string, string | number>, etag: string | undefined, operation: string) => {
    try {
      const response = await context.get(route, { ...context.route, ...query }, {
        operation,
        signal: options.signal,
        headers: etag ? { 'if-none-match': etag } : {},
        allowNotModified: true,
      });
      rateLimit = rateLimitOf(response.headers) ?? rateLimit;
      if (response.status !== 304) pointsSpent += 1;
      return response;
    } catch (error) {
      // A refused request spends a point too.
      if (error instanceof ProviderError && error.status !== undefined) pointsSpent += 1;
      throw error;
    }
  };

  const issues = await probe(
    ISSUES_ROUTE,
    { state: 'all', sort: 'updated', direction: 'desc', per_page: PROBE_SIZE },
    stored.issues,
    'checking for changes',
  );
  let issuesLatest: Date | null = null;
  if (issues.status === 304) {
    if (stored.issues) next.issues = stored.issues;
  } else {
    const items = parseGitHubBody(gitHubIssueListSchema, issues.data, { repo: context.repo, what: 'an issue list' });
    // A page of nothing but pull requests hides whether an issue beneath them changed: the oldest of
    // them stands for the issues' newest update, which errs on the side of a sync.
    const newest = items.find((item) => item.pull_request === undefined || item.pull_request === null) ??
      (items.length === PROBE_SIZE ? items.at(-1) : undefined);
    issuesLatest = newest ? new Date(newest.updated_at) : null;
    const etag = etagOf(issues.headers);
    if (etag) next.issues = etag;
  }

  let alertsLatest: Date | null = null;
  if (options.securityWatermark !== undefined) {
    try {
      const alerts = await probe(ALERTS_ROUTE, { sort: 'updated', direction: 'desc', per_page: 1 }, stored.alerts, 'checking Dependabot alerts for changes');
      if (alerts.status === 304) {
        if (stored.alerts) next.alerts = stored.alerts;
      } else {
        const [newest] = parseGitHubBody(dependabotAlertListSchema, alerts.data, { repo: context.repo, what: 'a Dependabot alert list' });
        alertsLatest = newest ? new Date(newest.updated_at) : null;
        const etag = etagOf(alerts.headers);
        if (etag) next.alerts = etag;
      }
    } catch (error) {
      // Alerts switched off or not readable with this token: nothing to check there (a sync says why).
      if (!(error instanceof ProviderError && (error.status === 403 || error.status === 404) && error.code !== 'rate_limited')) throw error;
    }
  }

  const newer = (latest: Date | null, watermark: Date | null | undefined) =>
    latest !== null && (watermark === null || watermark === undefined || latest > watermark);
  const issuesChanged = newer(issuesLatest, options.watermark);
  const alertsChanged = options.securityWatermark !== undefined && newer(alertsLatest, options.securityWatermark);
  const latestUpdatedAt = issuesLatest && alertsLatest ? (issuesLatest > alertsLatest ? issuesLatest : alertsLatest) : (issuesLatest ?? alertsLatest);
  return {
    changed: issuesChanged || alertsChanged,
    latestUpdatedAt,
    etag: serializeEtags(next),
    parts: {
      issues: issuesLatest,
      ...(options.securityWatermark !== undefined ? { security: alertsLatest } : {}),
    },
    rateLimit,
    pointsSpent,
  };
}

function etagOf(headers: GitHubHeaders): string | null {
  const etag = headers.etag;
  return typeof etag === 'string' && etag !== '' ? etag : null;
}

/** Stored as JSON; anything else (an ETag stored by an older version) is a plain issues ETag. */
function parseEtags(stored: string | null): Etags {
  if (!stored) return {};
  try {
    const parsed = JSON.parse(stored) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const { issues, alerts } = parsed as Record<string, unknown>;
      return {
        ...(typeof issues === 'string' ? { issues } : {}),
        ...(typeof alerts === 'string' ? { alerts } : {}),
      };
    }
  } catch {
    // not JSON: below
  }
  return { issues: stored };
}

function serializeEtags(etags: Etags): string | null {
  return etags.issues || etags.alerts ? JSON.stringify(etags) : null;
}
