/**
 * The fetch-only floor: what the engine fetches for a full issue sync (the listing, then its
 * catch-up), with the results discarded. A sync cannot be faster than this on the same host.
 */
import type { Provider } from '../src/providers/provider.js';
import { CATCH_UP_MARGIN_MS } from '../src/sync/sync-repository.js';

export async function fetchOnly(provider: Provider, signal: AbortSignal): Promise<{ ms: number; items: number }> {
  const started = performance.now();
  const listStartedAt = Date.now();
  let items = 0;
  for await (const page of provider.listIssues({ state: 'all', signal })) items += page.items.length;
  const since = new Date(listStartedAt - CATCH_UP_MARGIN_MS);
  for await (const page of provider.listIssues({ state: 'all', since, signal })) items += page.items.length;
  return { ms: performance.now() - started, items };
}
