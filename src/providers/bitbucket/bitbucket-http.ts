/**
 * The polite HTTP client (retries, Retry-After, request counting) set up for Bitbucket Cloud:
 * authentication, its quota headers, and what to tell a person when it refuses.
 */
import type { RateLimitInfo } from '../../domain/items.js';
import { ProviderError } from '../../errors.js';
import type { ProviderOptions } from '../definition.js';
import { createPoliteHttp, injectedInto, numberHeader, type PoliteHttp } from '../http/polite-http.js';

export const DEFAULT_BITBUCKET_API_URL = 'https://api.bitbucket.org/2.0';

/**
 * An Atlassian API token is sent with the account's email (`email:token`, Basic); repository,
 * project and workspace access tokens alone (Bearer). App passwords stopped working on 2026-06-09,
 * so a `user:app_password` pair is not told apart: Bitbucket refuses it with a 401 like any dead token.
 */
export function authorizationOf(token: string | undefined): Record<string, string> {
  if (!token) return {};
  return token.includes(':')
    ? { authorization: `Basic ${Buffer.from(token).toString('base64')}` }
    : { authorization: `Bearer ${token}` };
}

/**
 * Only scaled rate limits (Standard and Premium workspaces, access tokens) come with headers, and
 * they tell the limit, not what is left; without them nothing is known until a 429.
 */
export function bitbucketRateLimitOf(headers: Headers): RateLimitInfo | null {
  const limit = numberHeader(headers, 'x-ratelimit-limit');
  if (limit === null) return null;
  return { limit, remaining: null, resetAt: null };
}

export function createBitbucketHttp(options: ProviderOptions, repo: string): PoliteHttp {
  return createPoliteHttp({
    provider: 'bitbucket',
    label: 'Bitbucket',
    repo,
    baseUrl: options.apiUrl ?? DEFAULT_BITBUCKET_API_URL,
    headers: authorizationOf(options.token),
    rateLimitOf: bitbucketRateLimitOf,
    describe: ({ status, operation }) => {
      if (status === 401) {
        return `Bitbucket refused the token while ${operation} for ${repo} (401): use an API token as email:token, or a repository, project or workspace access token; app passwords no longer work.`;
      }
      if (status === 403) {
        return `Bitbucket denied access while ${operation} for ${repo} (403): the token needs the repository read scope.`;
      }
      return undefined;
    },
    ...injectedInto(options),
  });
}

/**
 * A `next` link is followed only on the API's own origin: the request carries the token, and an
 * answer must not be able to send it elsewhere.
 */
export function checkedNext(next: string | null | undefined, apiUrl: string, repo: string): string | null {
  if (!next) return null;
  const origin = new URL(apiUrl).origin;
  let url: URL;
  try {
    url = new URL(next, apiUrl);
  } catch {
    url = new URL('invalid:');
  }
  if (url.origin !== origin) {
    throw new ProviderError('bad_response', `Bitbucket sent a next-page link for ${repo} outside ${origin}; it was not followed.`, {
      provider: 'bitbucket',
      repo,
    });
  }
  return url.toString();
}
