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
  const counted: typeof fetch = async (input, init) => {
    const caller = init?.signal;
    // Octokit retries any failed fetch except an AbortError: a cancelled sync must not be retried.
    const cancelled = () => new DOMException('The request was cancelled.', 'AbortError');
    if (caller?.aborted) throw cancelled();
    sent += 1;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await base(input, { ...init, signal: caller ? AbortSignal.any([caller, timeout]) : timeout });
    } catch (error) {
      if (caller?.aborted) throw cancelled();
      throw error;
    }
  };
  return { fetch: counted, count: () => sent };
}
