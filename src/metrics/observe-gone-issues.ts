/**
 * The store of issues that left their repository, counting each it closed (deleted on the host, or
 * transferred to another repository), so the App's handlers need no metrics. A stored copy newer
 * than the event, or none stored, closes nothing and counts nothing.
 */
import type { ProviderKind } from '../domain/items.js';
import type { GoneIssue, GoneIssueStore } from '../store/prisma-gone-issue-store.js';

export function observeGoneIssues(
  store: GoneIssueStore,
  provider: ProviderKind,
  record: (provider: ProviderKind, reason: GoneIssue['reason']) => void,
): GoneIssueStore {
  return {
    async markGone(issue) {
      const closed = await store.markGone(issue);
      if (closed) record(provider, issue.reason);
      return closed;
    },
  };
}
