/**
 * Probot's Octokit (throttling, retry and pagination plugins) with our rate-limit decisions.
 *
 * Only the function form of `defaults` works here: Probot's own defaults (and the installation
 * clients Probot builds with `getProbotOctokitWithDefaults`) merge their `throttle` options over an
 * object given to `defaults`, while a function runs last and sees what they set, so its handlers win.
 */
import { ProbotOctokit } from 'probot';
import { createRateLimitHandlers, type RateLimitPolicy } from './github-rate-limit-handlers.js';
import type { GitHubOctokit, ProviderLog } from './github-provider-options.js';

/**
 * plugin-retry retries 429 with its own 1, 4, 9 × base backoff and ignores `Retry-After`; a 429 is
 * left to the throttling handlers (secondary limits) and to the provider's own Retry-After wait.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
const RETRIES = 3;

export interface GitHubOctokitPolicy extends RateLimitPolicy {
  /** Base of plugin-retry's backoff for 5xx and network errors. */
  retryBaseMs: number;
}

type OctokitOptions = Record<string, unknown> & { throttle?: object; retry?: object };

/** The Octokit class to build clients from; the GitHub App can hand it to Probot as `Octokit`. */
export function createGitHubOctokitClass(policy: GitHubOctokitPolicy): typeof ProbotOctokit {
  const handlers = createRateLimitHandlers(policy);
  return ProbotOctokit.defaults((options: OctokitOptions) => ({
    ...options,
    throttle: { ...options.throttle, enabled: true, retryAfterBaseValue: 0, ...handlers },
    retry: { ...options.retry, retries: RETRIES, retryAfterBaseValue: policy.retryBaseMs, doNotRetry: DO_NOT_RETRY },
  }));
}

export function createGitHubOctokit(
  options: GitHubOctokitPolicy & { apiUrl: string; token: string | undefined; fetch: typeof fetch; repo: string },
): GitHubOctokit {
  const Octokit = createGitHubOctokitClass(options);
  return new Octokit({
    baseUrl: options.apiUrl,
    // plugin-throttling keeps its limiters at module scope, keyed by this id: without one, every
    // client in the process would share a single "no-id" queue of 10 concurrent requests.
    throttle: { id: `${new URL(options.apiUrl).host}/${options.repo}` },
    // Probot's auth strategy: a token authenticates every request, no token means anonymous.
    auth: options.token ? { token: options.token } : {},
    request: { fetch: options.fetch },
    log: octokitLog(options.log),
  });
}

/**
 * Octokit's plugins log both ways, `(message, detail)` and pino's `(fields, message)`; both end up
 * as pino-style calls. Octokit also fills in missing methods by mutating the object, so it gets its own.
 */
function octokitLog(log: ProviderLog) {
  const adapt =
    (write: (fields: object, message: string) => void) =>
    (first: unknown, second?: unknown): void => {
      if (typeof first === 'string') write(second instanceof Error ? { err: second } : { detail: second }, first);
      else write(typeof first === 'object' && first !== null ? first : {}, String(second ?? ''));
    };
  const debug = adapt(log.debug.bind(log));
  const warn = adapt(log.warn.bind(log));
  return { debug, info: debug, warn, error: warn };
}
