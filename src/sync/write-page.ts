/**
 * Writes one page of provider items: one query for the externalIds already stored, one for title
 * candidates (only when some items are new), then one bulk upsert per batch, the batches at once.
 */
import type { ExternalIssue } from '../domain/items.js';
import type { BatchResult, IssueStore, IssueWrite, WriteScope } from '../store/issue-store.js';
import { externalIdOf } from './external-id.js';
import { matchIssues, unmatchedItems } from './match-issue.js';

export interface WritePageOptions {
  store: IssueStore;
  scope: WriteScope;
  batchSize: number;
  /**
   * Closed items that are not stored yet are left out (an open-only sync that lists every state
   * to see closures): they are neither created nor counted.
   */
  skipNewClosed: boolean;
  /** After every batch, with what it wrote and the items it covered. */
  onBatch(result: BatchResult, batch: readonly IssueWrite[]): Promise<void>;
}

/**
 * Writes a page in batches. Returns the items left out on purpose (new and closed, while closed
 * items are not imported): they are handled, so the caller's watermark may pass them.
 */
export async function writePage(items: readonly ExternalIssue[], options: WritePageOptions): Promise<readonly IssueWrite[]> {
  if (items.length === 0) return [];
  const { store, scope } = options;
  const all: IssueWrite[] = items.map((item) => ({ ...item, externalId: externalIdOf(item) }));
  const existing = await store.findExistingExternalIds(
    scope.projectId,
    all.map((item) => item.externalId),
  );
  const writes: IssueWrite[] = [];
  const leftOut: IssueWrite[] = [];
  for (const item of all) (!options.skipNewClosed || item.state === 'open' || existing.has(item.externalId) ? writes : leftOut).push(item);
  const unmatched = unmatchedItems(writes, existing);
  const candidates =
    unmatched.length === 0
      ? []
      : await store.findTitleCandidates(
          scope.projectId,
          unmatched[0]!.repositoryUrl,
          [...new Set(unmatched.map((item) => item.title))],
        );
  const claims = matchIssues(writes, { existing, candidates });
  // A page's batches go to the database together, each on a connection of its own: they touch
  // different rows (an item appears once per page, a local issue is claimed once), so the page
  // costs one batch's round trips instead of one per batch. Every batch is settled before an error
  // is passed on, so none is still writing when the sync records its end.
  const writing: Promise<void>[] = [];
  for (let start = 0; start < writes.length; start += options.batchSize) {
    const batch = writes.slice(start, start + options.batchSize);
    const batchClaims = new Map<string, string>();
    for (const item of batch) {
      const claimed = claims.get(item.externalId);
      if (claimed) batchClaims.set(item.externalId, claimed);
    }
    writing.push(store.writeBatch(scope, batch, batchClaims).then((result) => options.onBatch(result, batch)));
  }
  const failed = (await Promise.allSettled(writing)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return leftOut;
}
