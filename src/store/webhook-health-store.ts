/**
 * Webhook health per repository connection, for every host alike: `active` while deliveries arrive
 * or the host says its hook works, `stale` when the host shows changes no delivery brought,
 * `inactive` when there is no working hook (never configured, disabled by the host, removed). The
 * reason is kept in plain words for the API, `doctor` and the dashboard.
 */
import type { Database } from '../db/client.js';
import type { ProviderKind } from '../domain/items.js';
import type { RepositoryRecord } from './issue-store.js';
import { toRepositoryRecord } from './prisma-repository-store.js';

export type WebhookHealthStatus = 'active' | 'stale' | 'inactive';

export interface PolledRepository extends RepositoryRecord {
  webhookId: string | null;
  webhookStatus: WebhookHealthStatus;
  webhookReason: string | null;
  lastWebhookAt: Date | null;
  lastCheckedAt: Date | null;
}

export interface WebhookHealthStore {
  /** A delivery for this repository was applied: active, and the time of the last delivery moves forward. */
  recordDelivery(repositoryId: string, at: Date): Promise<void>;
  /** What a check found; `checkedAt` is stored as the last check, a `webhookId` the check found is kept. */
  setHealth(
    repositoryId: string,
    health: { status: WebhookHealthStatus; reason: string | null; checkedAt: Date; webhookId?: string | undefined },
  ): Promise<void>;
  /** Marks an `active` webhook `stale` (one that is already inactive or stale keeps its status and reason). */
  markStale(repositoryId: string, reason: string, at: Date): Promise<void>;
  /** Active connections of these hosts, oldest check first (the poller's work list). */
  listForPolling(kinds: readonly ProviderKind[]): Promise<PolledRepository[]>;
}

export function createWebhookHealthStore(db: Database): WebhookHealthStore {
  const { pool, prisma } = db;
  return {
    async recordDelivery(repositoryId, at) {
      await pool.query(
        `UPDATE "RepositoryConnection"
            SET "lastWebhookAt" = GREATEST("lastWebhookAt", $2::timestamptz), "webhookStatus" = 'active',
                "webhookReason" = NULL, "updatedAt" = now()
          WHERE id = $1::uuid AND active`,
        [repositoryId, at],
      );
    },

    async setHealth(repositoryId, health) {
      await pool.query(
        `UPDATE "RepositoryConnection"
            SET "webhookStatus" = $2::"WebhookStatus", "webhookReason" = $3, "lastCheckedAt" = $4::timestamptz,
                "webhookId" = COALESCE($5, "webhookId"), "updatedAt" = now()
          WHERE id = $1::uuid`,
        [repositoryId, health.status, health.reason, health.checkedAt, health.webhookId ?? null],
      );
    },

    async markStale(repositoryId, reason, at) {
      await pool.query(
        `UPDATE "RepositoryConnection"
            SET "webhookStatus" = 'stale', "webhookReason" = $2, "lastCheckedAt" = $3::timestamptz, "updatedAt" = now()
          WHERE id = $1::uuid AND "webhookStatus" = 'active'`,
        [repositoryId, reason, at],
      );
    },

    async listForPolling(kinds) {
      const rows = await prisma.repositoryConnection.findMany({
        where: { active: true, provider: { in: [...kinds] } },
        orderBy: [{ lastCheckedAt: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
      });
      return rows.map((row) => ({
        ...toRepositoryRecord(row),
        webhookId: row.webhookId,
        webhookStatus: row.webhookStatus,
        webhookReason: row.webhookReason,
        lastWebhookAt: row.lastWebhookAt,
        lastCheckedAt: row.lastCheckedAt,
      }));
    },
  };
}
