/**
 * Stores the one issue or alert a live event carries, the way a sync stores a page: matched by
 * externalId (then by title for a local issue without one) and written with the same upsert, where
 * a newer `updated_at` wins, so an old redelivery never rolls data back.
 */
import type { Logger } from '../logger.js';
import type { ExternalIssue } from '../domain/items.js';
import type { BatchCounts, IssueStore, RepositoryRecord } from '../store/issue-store.js';
import { writePage } from './write-page.js';

export async function writeLiveItem(
  store: IssueStore,
  repository: Pick<RepositoryRecord, 'id' | 'projectId'>,
  item: ExternalIssue,
  log: Logger,
): Promise<BatchCounts> {
  let counts: BatchCounts = { created: 0, updated: 0, skipped: 0, failed: 0 };
  await writePage([item], {
    store,
    scope: { projectId: repository.projectId, repositoryId: repository.id },
    batchSize: 1,
    skipNewClosed: false,
    onBatch: async (written) => {
      counts = written;
    },
  });
  if (counts.failed > 0) throw new Error(`The ${item.kind === 'issue' ? 'issue' : 'alert'} ${item.issueId} could not be stored.`);
  log.info({ repositoryId: repository.id, issueId: item.issueId, kind: item.kind, ...counts }, 'live event stored');
  return counts;
}
