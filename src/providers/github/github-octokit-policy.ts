/**
 * How every GitHub client of ours retries and waits, written once: the provider's own client
 * (github-octokit.ts) and the GitHub App's Probot class (src/github-app/probot-octokit-class.ts)
 * both pass their constructor options through `withGitHubOctokitPolicy`.
 */
import { createRateLimitHandlers, type RateLimitHandlers, type RateLimitPolicy } from './github-rate-limit-handlers.js';

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

export type OctokitOptions = Record<string, unknown> & { throttle?: object; retry?: object };

type WithPolicy<T> = Omit<T, 'throttle' | 'retry'> & {
  throttle: Record<string, unknown> & RateLimitHandlers & { enabled: true };
  retry: Record<string, unknown>;
};

/**
 * Octokit options with our throttling and retry settings over whatever `throttle`/`retry` they
 * already carry (the throttle `id`, Probot's defaults): the handlers and the retry policy always win.
 */
export function withGitHubOctokitPolicy(policy: GitHubOctokitPolicy): <T extends OctokitOptions>(options: T) => WithPolicy<T> {
  const handlers = createRateLimitHandlers(policy);
  return (options) => ({
    ...options,
    // No delay of the plugin's own: the handlers wait (github-rate-limit-handlers.ts).
    throttle: { ...options.throttle, enabled: true, retryAfterBaseValue: 0, ...handlers },
    retry: { ...options.retry, retries: RETRIES, retryAfterBaseValue: policy.retryBaseMs, doNotRetry: DO_NOT_RETRY },
  });
}
