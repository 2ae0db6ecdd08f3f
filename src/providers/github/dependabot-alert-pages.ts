/**
 * Dependabot alerts as pages of `security_alert` items. GitHub pages this endpoint by cursor only
 * (`after`, from `Link rel="next"`; `page` is refused). With `since`, the newest-updated come first
 * and the walk stops at the first alert older than `since`.
 */
import { ProviderError } from '../../errors.js';
import type { ListOptions, Page, StateFilter } from '../provider.js';
import { dependabotAlertListSchema } from './github-schema.js';
import { normalizeDependabotAlert } from './normalize-dependabot-alert.js';
import { parseGitHubBody } from './parse-github-body.js';
import { rateLimitOf } from './github-request.js';
import type { GitHubListingContext } from './github-listing-context.js';
import { decodeAlertCursor, encodeCursor, parseLinkHeader, toSinceParameter } from './github-paging.js';
import {
  gitHubMessage,
  isPrimaryRateLimit,
  isSecondaryRateLimit,
  type GitHubRequestError,
} from './github-error.js';

const PER_PAGE = 100;
const ALERTS_ROUTE = '/repos/{owner}/{repo}/dependabot/alerts';

const STATES: Record<StateFilter, string | null> = {
  open: 'open',
  closed: 'auto_dismissed,dismissed,fixed',
  all: null,
};

export async function* dependabotAlertPages(context: GitHubListingContext, options: ListOptions): AsyncGenerator<Page> {
  const repository = await context.repository(options.signal);
  const sinceMs = options.since ? Date.parse(toSinceParameter(options.since)) : null;
  const state = STATES[options.state];
  let after = options.cursor ? decodeAlertCursor(options.cursor).after : null;
  for (;;) {
    const query = {
      per_page: PER_PAGE,
      ...(state ? { state } : {}),
      ...(sinceMs !== null ? { sort: 'updated', direction: 'desc' } : {}),
      ...(after ? { after } : {}),
    };
    const response = await context.get(ALERTS_ROUTE, { ...query, ...context.route }, {
      operation: 'listing Dependabot alerts',
      signal: options.signal,
      mapError: (error) => unavailable(context.repo, error),
    });
    const alerts = parseGitHubBody(dependabotAlertListSchema, response.data, {
      repo: context.repo,
      what: 'a Dependabot alert list',
    });
    const fresh = sinceMs === null ? alerts : alerts.filter((alert) => Date.parse(alert.updated_at) >= sinceMs);
    const reachedOlder = fresh.length < alerts.length;
    const nextAfter = reachedOlder ? null : (parseLinkHeader(response.headers.link).get('next')?.searchParams.get('after') ?? null);
    yield {
      items: fresh.map((alert) => normalizeDependabotAlert(alert, repository.url)),
      cursor: nextAfter ? encodeCursor({ after: nextAfter }) : null,
      rateLimit: rateLimitOf(response.headers),
    };
    if (!nextAfter) return;
    after = nextAfter;
  }
}

/**
 * Alerts switched off, or a token not allowed to read them, is not a failed sync: the engine
 * reports the part as skipped with this reason. The repository itself was read just before, so a
 * 404 here is about the alerts, not the repository.
 */
function unavailable(repo: string, error: GitHubRequestError): ProviderError | undefined {
  const options = { provider: 'github', repo, status: error.status, cause: error };
  if (error.status === 403 && !isPrimaryRateLimit(error) && !isSecondaryRateLimit(error)) {
    const message = gitHubMessage(error);
    if (/disabled/i.test(message)) {
      return new ProviderError(
        'unavailable',
        `Dependabot alerts are disabled for ${repo}; turn them on in the repository's security settings to sync them.`,
        options,
      );
    }
    return new ProviderError(
      'unavailable',
      `The token may not read Dependabot alerts of ${repo} (403: ${message}); a GitHub App needs the "Dependabot alerts: read" permission, a classic token the security_events scope.`,
      options,
    );
  }
  if (error.status === 404) {
    return new ProviderError(
      'unavailable',
      `Dependabot alerts of ${repo} are not available to this token or on this GitHub host (404).`,
      options,
    );
  }
  return undefined;
}
