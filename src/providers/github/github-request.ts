/**
 * One GET through Octokit, as the provider needs it: every attempt goes through the counting fetch,
 * a 403/429 that carries `Retry-After` but that plugin-throttling does not recognise (no "secondary
 * rate limit" message) is retried after exactly that wait, and failures come out as `ProviderError`.
 */
import { ProviderError } from '../../errors.js';
import type { RateLimitInfo } from '../provider.js';
import type { GitHubOctokit, ProviderLog, Sleep } from './github-provider-options.js';
import {
  header,
  isGitHubRequestError,
  isPrimaryRateLimit,
  mentionsSecondaryLimit,
  toGitHubProviderError,
  type GitHubRequestError,
} from './github-error.js';

const MAX_RETRY_AFTER_RETRIES = 3;
/** A body cut off after the headers (a reset mid-answer) is sent again at most this many times. */
const MAX_CUT_BODY_RETRIES = 3;

export type GitHubHeaders = Record<string, string | number | undefined>;

export interface GitHubResponse {
  status: number;
  headers: GitHubHeaders;
  data: unknown;
}

export interface GitHubGetOptions {
  /** What is being done, for messages: `listing issues`. */
  operation: string;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  /** Return a 304 answer instead of failing (conditional requests). */
  allowNotModified?: boolean;
  /** A more specific error for some failures of this endpoint; `undefined` falls back to the usual mapping. */
  mapError?: (error: GitHubRequestError) => ProviderError | undefined;
}

export type GitHubGet = (
  route: string,
  parameters: Record<string, string | number>,
  options: GitHubGetOptions,
) => Promise<GitHubResponse>;

export interface GitHubGetDeps {
  octokit: Pick<GitHubOctokit, 'request'>;
  fetch: typeof fetch;
  sleep: Sleep;
  clock: () => Date;
  log: ProviderLog;
  repo: string;
  apiUrl: string;
  hasToken: boolean;
  maxRateLimitWaitMs: number;
  /** Base of the backoff before a request whose body was cut off is sent again (1, 4, 9 × this). */
  retryBaseMs: number;
}

/** The connection died while the body was read: the headers came, the rest did not. */
class CutBodyError extends Error {
  override name = 'CutBodyError';
}

export function createGitHubGet(deps: GitHubGetDeps): GitHubGet {
  return async (route, parameters, options) => {
    const { signal } = options;
    let cutBodies = 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await deps.octokit.request(`GET ${route}`, {
          ...parameters,
          headers: options.headers ?? {},
          // Octokit's own parser runs every body through a BigInt-preserving JSON reader, which
          // allocates several times the page; GitHub's ids fit in a double, so plain JSON.parse does.
          request: { fetch: deps.fetch, parseSuccessResponseBody: false, ...(signal ? { signal } : {}) },
        });
        return { status: response.status, headers: response.headers as GitHubHeaders, data: await parseBody(response.data, { repo: deps.repo, route }) };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof CutBodyError) {
          // plugin-retry retries a connection that fails before the answer; one cut after the headers is ours to retry.
          if (cutBodies < MAX_CUT_BODY_RETRIES) {
            cutBodies += 1;
            deps.log.warn({ route, attempt: cutBodies }, 'GitHub cut the connection mid-answer; sending the request again');
            await deps.sleep(cutBodies * cutBodies * deps.retryBaseMs, signal);
            continue;
          }
          throw new ProviderError('unreachable', `GitHub cut the connection while answering ${route} for ${deps.repo} (${cutBodies + 1} times in a row).`, {
            provider: 'github',
            repo: deps.repo,
            cause: error.cause,
          });
        }
        if (!isGitHubRequestError(error)) throw error;
        if (error.status === 304 && options.allowNotModified && error.response) {
          return { status: 304, headers: error.response.headers, data: null };
        }
        const waitMs = retryAfterMs(error);
        if (waitMs !== null && attempt < MAX_RETRY_AFTER_RETRIES && waitMs <= deps.maxRateLimitWaitMs) {
          deps.log.warn({ route, status: error.status, waitMs, attempt }, 'GitHub asked to retry later; waiting');
          await deps.sleep(waitMs, signal);
          continue;
        }
        throw (
          options.mapError?.(error) ??
          toGitHubProviderError(error, {
            repo: deps.repo,
            apiUrl: deps.apiUrl,
            hasToken: deps.hasToken,
            operation: options.operation,
            clock: deps.clock,
          })
        );
      }
    }
  };
}

async function parseBody(body: unknown, context: { repo: string; route: string }): Promise<unknown> {
  if (body === null || body === undefined) return null;
  let text: string;
  try {
    text = await new Response(body as ReadableStream).text();
  } catch (cause) {
    throw new CutBodyError(`The answer to ${context.route} for ${context.repo} was cut off.`, { cause });
  }
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProviderError('bad_response', `GitHub answered ${context.route} for ${context.repo} with a body that is not JSON.`, {
      provider: 'github',
      repo: context.repo,
      cause,
    });
  }
}

/**
 * The wait a 403/429 asks for with `Retry-After`, when plugin-throttling left it alone: its
 * secondary-limit handler only fires on the "secondary rate" message, and primary limits
 * (`x-ratelimit-remaining: 0`) are its business too.
 */
function retryAfterMs(error: GitHubRequestError): number | null {
  if (error.status !== 403 && error.status !== 429) return null;
  if (isPrimaryRateLimit(error) || mentionsSecondaryLimit(error)) return null;
  const seconds = Number(header(error, 'retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

export function rateLimitOf(headers: GitHubHeaders): RateLimitInfo | null {
  const limit = numberOrNull(headers['x-ratelimit-limit']);
  const remaining = numberOrNull(headers['x-ratelimit-remaining']);
  const reset = numberOrNull(headers['x-ratelimit-reset']);
  if (limit === null && remaining === null && reset === null) return null;
  return { limit, remaining, resetAt: reset === null ? null : new Date(reset * 1000) };
}

function numberOrNull(value: string | number | undefined): number | null {
  if (value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
