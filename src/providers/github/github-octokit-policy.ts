/**
 * How every GitHub client of ours retries and waits, written once: the provider's own client
 * (github-octokit.ts) and the GitHub App's Probot class (src/github-app/probot-octokit-class.ts)
 * both pass their constructor options through `withGitHubOctokitPolicy`.
 */
import './bottleneck-prompt-yield.js';
import { createRateLimitHandlers, type RateLimitHandlers, type RateLimitPolicy } from './github-rate-limit-handlers.js';

/**
 * plugin-retry retries 429 with its own 1, 4, 9 × base backoff and ignores `Retry-After`; a 429 is
 * left to the throttling handlers (secondary limits) and to the provider's own Retry-After wait.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
const RETRIES = 3;

/**
 * The worst case for one GitHub request, stated once. Three layers retry, each one kind of failure,
 * so a request that keeps failing the same way is sent at most 4 times:
 * - 5xx and network failures: plugin-retry, RETRIES (3) more times, backoff 1, 4, 9 × `retryBaseMs`;
 * - secondary limits (429, or 403 saying so): plugin-throttling, `maxSecondaryRetries` (3) more times,
 *   each after its `Retry-After`; a primary limit once, and only when its reset is within
 *   `maxRateLimitWaitMs` (else the job waits in the queue until the reset);
 * - a 403/429 with `Retry-After` that throttling does not recognise: github-request.ts, 3 more times.
 * The layers nest, so a host that alternates kinds of failure could see up to 4 × 4 × 4 sends in
 * theory; each retry waits as asked, so the host is never hammered. GitLab and Bitbucket go through
 * one layer with one cap (src/providers/http/polite-http.ts, MAX_ATTEMPTS = 4).
 * test/providers/github.test.ts ("gives up after 4 attempts") checks each kind.
 */
export const MAX_ATTEMPTS_PER_FAILURE_KIND = RETRIES + 1;

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
