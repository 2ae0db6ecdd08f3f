/**
 * Writes one page of provider items: one query for what the duplicate rules need (the externalIds
 * already stored, the title candidates of the new items), then one bulk upsert per batch, the
 * batches at once.
 */
import type { ExternalIssue } from '../domain/items.js';
import type { BatchResult, IssueStore, IssueWrite, WriteScope } from '../store/issue-store.js';
import { externalIdOf } from './external-id.js';
import { matchIssues } from './match-issue.js';

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
  // A page's items share one repository URL. Candidates of items left out below are looked up too,
  // in the same query; they only match titles of items that are not written, so none is claimed.
  const lookups = await store.findMatchLookups(scope.projectId, all[0]!.repositoryUrl, all);
  const writes: IssueWrite[] = [];
  const leftOut: IssueWrite[] = [];
  for (const item of all) (!options.skipNewClosed || item.state === 'open' || lookups.existing.has(item.externalId) ? writes : leftOut).push(item);
  const claims = matchIssues(writes, lookups);
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
