/**
 * The polite HTTP client (retries, Retry-After, quota waits, request counting) set up for one GitLab
 * instance: where its REST and GraphQL APIs are, how the token is sent, its `RateLimit-*` headers, and
 * what to tell a person when GitLab refuses.
 *
 * Every GitLab request of issue-sync goes through here, page by page. @gitbeaker's `.all()` is not
 * used: it buffers every page under one timeout and retries 429s in milliseconds without reading
 * Retry-After (docs/providers.md, pitfalls 2 and 3).
 */
import type { RateLimitInfo } from '../../domain/items.js';
import type { ProviderOptions } from '../definition.js';
import { createPoliteHttp, injectedInto, numberHeader, type PoliteHttp } from '../http/polite-http.js';

export const DEFAULT_GITLAB_URL = 'https://gitlab.com';

/** The instance's web origin (and path prefix, for a GitLab under `/gitlab`), tolerating an `/api/v4` suffix. */
export function gitLabInstanceUrl(apiUrl: string | undefined): string {
  return (apiUrl ?? DEFAULT_GITLAB_URL)
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/api\/(v4|graphql)$/, '');
}

/** `:id` of the REST routes: a numeric id as it is, a path `group/sub/name` encoded as one segment. */
export function projectRouteId(repo: string): string {
  return /^\d+$/.test(repo) ? repo : encodeURIComponent(repo);
}

/**
 * `RateLimit-Reset` is unix seconds. The Projects API omits the headers (docs/providers.md), so a
 * response without any of them says nothing rather than "unlimited".
 */
export function gitLabRateLimitOf(headers: Headers): RateLimitInfo | null {
  const limit = numberHeader(headers, 'ratelimit-limit');
  const remaining = numberHeader(headers, 'ratelimit-remaining');
  const reset = numberHeader(headers, 'ratelimit-reset');
  if (limit === null && remaining === null && reset === null) return null;
  return { limit, remaining, resetAt: reset === null ? null : new Date(reset * 1000) };
}

function gitLabMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const { message, error } = body as { message?: unknown; error?: unknown };
  const text = typeof message === 'string' ? message : typeof error === 'string' ? error : null;
  return text?.trim() || null;
}

export interface GitLabHttp extends PoliteHttp {
  /** `https://gitlab.example.com/api/graphql`, to pass as an absolute path. */
  readonly graphqlUrl: string;
  readonly instanceUrl: string;
}

/**
 * `Authorization: Bearer` carries personal, project and group access tokens as well as OAuth tokens,
 * so one header serves them all (`PRIVATE-TOKEN` would not take an OAuth token).
 */
export function createGitLabHttp(options: ProviderOptions, repo: string): GitLabHttp {
  const instanceUrl = gitLabInstanceUrl(options.apiUrl);
  const http = createPoliteHttp({
    provider: 'gitlab',
    label: 'GitLab',
    repo,
    baseUrl: `${instanceUrl}/api/v4`,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    rateLimitOf: gitLabRateLimitOf,
    describe: ({ status, operation, body }) => {
      const said = gitLabMessage(body);
      if (status === 401) {
        return `GitLab at ${instanceUrl} refused the token while ${operation} for ${repo} (401): check that it is valid, not expired or revoked, and has the read_api scope.`;
      }
      if (status === 403) {
        return `GitLab denied access while ${operation} for ${repo} (403${said ? `: ${said}` : ''}): the token's role on the project is too low for this.`;
      }
      if (status === 404) {
        return `GitLab at ${instanceUrl} has no project ${repo}, or the token cannot see it (404): check the path (group/sub/name) or id and that the token's user is a member.`;
      }
      if (status === 400 || status === 422) {
        return `GitLab rejected the request while ${operation} for ${repo} (${status}${said ? `: ${said}` : ''}).`;
      }
      return undefined;
    },
    ...injectedInto(options),
  });
  return { ...http, graphqlUrl: `${instanceUrl}/api/graphql`, instanceUrl };
}
