/**
 * Wraps `fetch` to count every request that actually goes out (retries included, since the Octokit
 * plugins call it again for each attempt) and to give each attempt its own timeout, so one stalled
 * connection cannot hang a sync and a retry is not born already expired.
 */
export interface CountingFetch {
  fetch: typeof fetch;
  count(): number;
}

export function createCountingFetch(base: typeof fetch, timeoutMs: number): CountingFetch {
  let sent = 0;
  const counted: typeof fetch = (input, init) => {
    sent += 1;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return base(input, { ...init, signal });
  };
  return { fetch: counted, count: () => sent };
}
