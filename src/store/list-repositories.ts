/**
 * A project's repository connections with what people check first: webhook health, the last
 * delivery, the last completed sync and the latest operation (whatever its status). Never a token.
 */
import type { ProviderKind } from '../domain/items.js';
import type { Database } from '../db/client.js';
import type { OperationStatus, SyncTrigger, SyncType } from './issue-store.js';
import type { WebhookStatus } from './find-project-repository.js';

export interface RepositoryListItem {
  id: string;
  provider: ProviderKind;
  fullPath: string;
  url: string;
  apiUrl: string | null;
  active: boolean;
  /** Read through the GitHub App's installation, or with a stored token. */
  access: 'github_app' | 'token' | 'anonymous';
  webhookStatus: WebhookStatus;
  /** Why, in plain words (a disabled GitLab hook, changes no delivery brought); null when nothing to say. */
  webhookReason: string | null;
  lastWebhookAt: Date | null;
  /** The last poll or health check. */
  lastCheckedAt: Date | null;
  lastSyncAt: Date | null;
  lastOperation: {
    id: string;
    status: OperationStatus;
    syncType: SyncType;
    trigger: SyncTrigger;
    createdAt: Date;
    completedAt: Date | null;
  } | null;
  createdAt: Date;
}

export async function listRepositories(db: Database, projectId: string): Promise<RepositoryListItem[]> {
  const rows = await db.prisma.repositoryConnection.findMany({
    where: { projectId },
    orderBy: [{ fullPath: 'asc' }, { id: 'asc' }],
    include: {
      operations: {
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 1,
        select: { id: true, status: true, syncType: true, trigger: true, createdAt: true, completedAt: true },
      },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    provider: row.provider,
    fullPath: row.fullPath,
    url: row.url,
    apiUrl: row.apiUrl,
    active: row.active,
    access: row.installationId ? 'github_app' : row.encryptedToken ? 'token' : 'anonymous',
    webhookStatus: row.webhookStatus,
    webhookReason: row.webhookReason,
    lastWebhookAt: row.lastWebhookAt,
    lastCheckedAt: row.lastCheckedAt,
    lastSyncAt: row.lastSyncAt,
    lastOperation: row.operations[0] ?? null,
    createdAt: row.createdAt,
  }));
}
