/**
 * Turns whatever Octokit threw into a `ProviderError` with one line a person can act on. The token
 * never appears: messages are built from the status, the repository and GitHub's own message, and
 * Octokit already redacts the authorization header in the `cause`. The messages name no way of
 * giving a token (a CLI option, a stored connection): they are shown by the CLI, the API, the
 * dashboard's sync dialog and its connect form alike, and a caller that knows where the token came
 * from adds that (the CLI's `sync` does).
 */
import { ProviderError } from '../../errors.js';

/** What Octokit's `RequestError` carries (duck-typed: `@octokit/request-error` is @octokit/core's dependency, not ours). */
export interface GitHubRequestError extends Error {
  status: number;
  response?: { headers: Record<string, string | number | undefined>; data?: unknown };
}

export function isGitHubRequestError(error: unknown): error is GitHubRequestError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

export interface GitHubErrorContext {
  repo: string;
  apiUrl: string;
  hasToken: boolean;
  /** What was being done, e.g. `listing issues`. */
  operation: string;
  clock: () => Date;
}

const SECONDARY_LIMIT = /\bsecondary rate\b/i;

export function header(error: GitHubRequestError, name: string): string | undefined {
  const value = error.response?.headers[name];
  return value === undefined ? undefined : String(value);
}

/** GitHub's `message` field, without Octokit's ` - <documentation_url>` suffix. */
export function gitHubMessage(error: GitHubRequestError): string {
  const data = error.response?.data;
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  return error.message;
}

export function isPrimaryRateLimit(error: GitHubRequestError): boolean {
  return (error.status === 403 || error.status === 429) && header(error, 'x-ratelimit-remaining') === '0';
}

/** The message plugin-throttling's secondary-limit handler reacts to. */
export function mentionsSecondaryLimit(error: GitHubRequestError): boolean {
  return SECONDARY_LIMIT.test(error.message);
}

export function isSecondaryRateLimit(error: GitHubRequestError): boolean {
  return (
    (error.status === 403 || error.status === 429) &&
    !isPrimaryRateLimit(error) &&
    (mentionsSecondaryLimit(error) || header(error, 'retry-after') !== undefined)
  );
}

/** `api.github.com` is shown as `github.com`; other hosts (GHES, a simulator) as they are. */
export function gitHubHost(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === 'api.github.com' ? 'github.com' : host;
}

export function toGitHubProviderError(error: unknown, context: GitHubErrorContext): unknown {
  if (error instanceof ProviderError || !isGitHubRequestError(error)) return error;
  const { repo, operation } = context;
  const base = { provider: 'github', repo, status: error.status, cause: error };
  if (!error.response) {
    return new ProviderError(
      'unreachable',
      `Could not reach GitHub at ${new URL(context.apiUrl).host} while ${operation}: ${networkReason(error)}.`,
      { provider: 'github', repo, cause: error },
    );
  }
  const status = error.status;
  if (status === 401) {
    const message = context.hasToken
      ? `GitHub rejected the token (401) while ${operation} for ${repo}: check that it is the right one and can read the repository; it may be expired or revoked.`
      : `GitHub requires a token (401) to read ${repo}, and none was given.`;
    return new ProviderError('unauthorized', message, base);
  }
  if (isPrimaryRateLimit(error)) {
    const reset = Number(header(error, 'x-ratelimit-reset'));
    const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
    const when = resetAt ? `it resets at ${resetAt.toISOString()}` : 'the reset time is unknown';
    return new ProviderError(
      'rate_limited',
      `GitHub API rate limit exhausted while ${operation} for ${repo}; ${when}.`,
      resetAt ? { ...base, resetAt } : base,
    );
  }
  if (isSecondaryRateLimit(error) || status === 429) {
    const retryAfter = Number(header(error, 'retry-after'));
    const resetAt = new Date(context.clock().getTime() + (Number.isFinite(retryAfter) ? retryAfter : 60) * 1000);
    return new ProviderError(
      'rate_limited',
      `GitHub kept rate limiting requests (${status}, secondary limit) while ${operation} for ${repo}; retry after ${resetAt.toISOString()}.`,
      { ...base, resetAt },
    );
  }
  if (status === 403) {
    return new ProviderError(
      'forbidden',
      `GitHub refused access (403) while ${operation} for ${repo}: ${gitHubMessage(error)}. Check the token's permissions.`,
      base,
    );
  }
  if (status === 404) {
    return new ProviderError(
      'not_found',
      `Repository ${repo} was not found on ${gitHubHost(context.apiUrl)}, or the token cannot see it.`,
      base,
    );
  }
  if (status === 410) {
    return new ProviderError('gone', `GitHub says this is gone (410) while ${operation} for ${repo}: ${gitHubMessage(error)}.`, base);
  }
  if (status >= 500) {
    return new ProviderError(
      'server_error',
      `GitHub answered ${status} while ${operation} for ${repo}, also after retrying; try again later.`,
      base,
    );
  }
  return new ProviderError(
    'bad_response',
    `GitHub answered ${status} while ${operation} for ${repo}: ${gitHubMessage(error)}.`,
    base,
  );
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
};

/** The innermost useful reason in the `cause` chain (fetch wraps the socket error twice). */
function networkReason(error: Error): string {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.name === 'TimeoutError') return 'no answer before the request timeout';
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return NETWORK_REASONS[code] ? `${NETWORK_REASONS[code]} (${code})` : code;
    current = current.cause;
  }
  return error.message;
}
