/**
 * A repository connection of one project, by id or by its web URL (case-insensitive), with its
 * webhook health: null for an unknown one and for a connection of another project alike, so a
 * route cannot tell the two apart.
 */
import type { Database } from '../db/client.js';
import type { RepositoryRecord } from './issue-store.js';
import { toRepositoryRecord } from './prisma-repository-store.js';

export type WebhookStatus = 'active' | 'stale' | 'inactive';

export async function findProjectRepository(
  db: Database,
  projectId: string,
  by: { id: string } | { url: string },
): Promise<{ repository: RepositoryRecord; webhookStatus: WebhookStatus } | null> {
  const row = await db.prisma.repositoryConnection.findFirst({
    where: 'id' in by ? { id: by.id, projectId } : { projectId, url: { equals: by.url, mode: 'insensitive' } },
    orderBy: [{ active: 'desc' }, { createdAt: 'asc' }],
  });
  return row ? { repository: toRepositoryRecord(row), webhookStatus: row.webhookStatus } : null;
}
