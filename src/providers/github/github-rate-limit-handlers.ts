/**
 * The decisions plugin-throttling asks its caller to make. Probot's defaults either never retry a
 * secondary limit or wait out a primary limit however far its reset is; here a limit is waited out
 * only when the wait is short, a bounded number of times, with an injected (abortable) sleep. The
 * plugin itself is configured to add no delay of its own (`retryAfterBaseValue: 0`), so the wait
 * happens here and nowhere else.
 */
import type { ProviderLog, Sleep } from './github-provider-options.js';

export interface RateLimitPolicy {
  sleep: Sleep;
  log: ProviderLog;
  /** Longest wait accepted before giving up with `rate_limited`. */
  maxRateLimitWaitMs: number;
  /** Retries after a secondary limit (each waits its `retry-after`). */
  maxSecondaryRetries: number;
}

/** The parts of Octokit's request options the handlers read. */
interface LimitedRequest {
  method: string;
  url: string;
  request?: { signal?: AbortSignal | null };
}

type LimitHandler = (
  retryAfterSeconds: number,
  options: LimitedRequest,
  octokit: unknown,
  retryCount: number,
) => Promise<boolean>;

export interface RateLimitHandlers {
  onRateLimit: LimitHandler;
  onSecondaryRateLimit: LimitHandler;
}

export function createRateLimitHandlers(policy: RateLimitPolicy): RateLimitHandlers {
  const waitThenRetry = async (
    limit: 'primary' | 'secondary',
    maxRetries: number,
    retryAfterSeconds: number,
    options: LimitedRequest,
    retryCount: number,
  ): Promise<boolean> => {
    const waitMs = Math.max(0, retryAfterSeconds) * 1000;
    if (retryCount >= maxRetries || waitMs > policy.maxRateLimitWaitMs) return false;
    policy.log.warn(
      { method: options.method, url: options.url, waitMs, retryCount, limit },
      'GitHub rate limit hit; waiting before retrying',
    );
    try {
      await policy.sleep(waitMs, options.request?.signal ?? undefined);
      return true;
    } catch {
      // Aborted while waiting: give up; the caller sees the signal and stops.
      return false;
    }
  };
  return {
    onRateLimit: (retryAfter, options, _octokit, retryCount) =>
      waitThenRetry('primary', 1, retryAfter, options, retryCount),
    onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) =>
      waitThenRetry('secondary', policy.maxSecondaryRetries, retryAfter, options, retryCount),
  };
}
