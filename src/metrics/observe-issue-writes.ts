/**
 * The issue store, counting what it writes: every batch of a sync and every live webhook event goes
 * through `writeBatch` (and a complete listing's resolved items through `resolveMissing`, counted as
 * updated, as the sync counts them), so the engine itself needs no metrics.
 */
import type { ProviderKind } from '../domain/items.js';
import type { BatchCounts, IssueStore } from '../store/issue-store.js';

export function observeIssueWrites(store: IssueStore, record: (provider: ProviderKind, counts: BatchCounts) => void): IssueStore {
  return {
    ...store,
    async writeBatch(scope, items, claims) {
      const result = await store.writeBatch(scope, items, claims);
      // A batch is one page of one repository: one provider.
      const provider = items[0]?.provider;
      if (provider) record(provider, result);
      return result;
    },
    async resolveMissing(input) {
      const resolved = await store.resolveMissing(input);
      if (resolved > 0) record(input.provider, { created: 0, updated: resolved, skipped: 0, failed: 0 });
      return resolved;
    },
  };
}
