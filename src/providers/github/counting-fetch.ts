/**
 * Wraps `fetch` to count every request that actually goes out (retries included, since the Octokit
 * plugins call it again for each attempt) and to give each attempt its own timeout, so one stalled
 * connection cannot hang a sync and a retry is not born already expired. An observer, when given,
 * hears of each attempt's host, status and the quota its answer reports (the service's metrics).
 */
import type { RequestObserver } from '../http/polite-http.js';

export interface CountingFetch {
  fetch: typeof fetch;
  count(): number;
}

export function createCountingFetch(base: typeof fetch, timeoutMs: number, observe?: RequestObserver): CountingFetch {
  let sent = 0;
  const counted: typeof fetch = async (input, init) => {
    const caller = init?.signal;
    // Octokit retries any failed fetch except an AbortError: a cancelled sync must not be retried.
    const cancelled = () => new DOMException('The request was cancelled.', 'AbortError');
    if (caller?.aborted) throw cancelled();
    sent += 1;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await base(input, { ...init, signal: caller ? AbortSignal.any([caller, timeout]) : timeout });
      if (observe) observeGitHubAnswer(observe, input, response);
      return response;
    } catch (error) {
      if (observe) observeGitHubAnswer(observe, input, null);
      if (caller?.aborted) throw cancelled();
      throw error;
    }
  };
  return { fetch: counted, count: () => sent };
}

/** Tells `observe` of one attempt: its host, and its status and the quota it reports (null: no answer came). */
export function observeGitHubAnswer(observe: RequestObserver, input: Parameters<typeof fetch>[0], response: Response | null): void {
  if (!response) {
    observe({ host: hostOf(input), status: null, remaining: null, resource: null });
    return;
  }
  const remaining = response.headers.get('x-ratelimit-remaining');
  observe({
    host: hostOf(input),
    status: response.status,
    remaining: remaining === null || remaining === '' || !Number.isFinite(Number(remaining)) ? null : Number(remaining),
    resource: response.headers.get('x-ratelimit-resource') ?? (remaining === null ? null : 'core'),
  });
}

function hostOf(input: Parameters<typeof fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(url).host;
  } catch {
    return 'unknown';
  }
}
