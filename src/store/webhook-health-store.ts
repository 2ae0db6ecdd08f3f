/**
 * Webhook health per repository connection, for every host alike: `active` while deliveries arrive
 * or the host says its hook works, `stale` when the host shows changes no delivery brought,
 * `inactive` when there is no working hook (never configured, disabled by the host, removed). The
 * reason is kept in plain words for the API, `doctor` and the dashboard.
 */
import type { Database } from '../db/client.js';
import type { IssueKind, ProviderKind } from '../domain/items.js';
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

/** A repository as the stale check sees it: with the ETag its last check stored. */
export interface CheckedRepository extends PolledRepository {
  etag: string | null;
  /** The last check of this repository alone (not through its owner's signal). */
  lastProbedAt: Date | null;
  /** The host's id of the repository (stable across renames), when known. */
  externalRepoId: string | null;
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
  /** Active connections of these hosts not checked since `dueBefore` (or never), oldest check first. */
  listDueForCheck(kinds: readonly ProviderKind[], dueBefore: Date): Promise<CheckedRepository[]>;
  /**
   * Takes the check of a repository that is still due (last check before `dueBefore`, or none) by
   * moving its last check to `at`; false when another checker (replica) took it first.
   */
  claimCheck(repositoryId: string, dueBefore: Date, at: Date): Promise<boolean>;
  /**
   * A check that was taken but did not finish (the host failed): its last check goes back to what
   * it was, so the next check looks from there again.
   */
  releaseCheck(repositoryId: string, claimedAt: Date, previous: Date | null): Promise<void>;
  /**
   * What a check returned: when it was checked, and for a check of the repository alone
   * (`probed`) the ETag to send next time; a check through its owner's signal keeps the ETag.
   */
  recordCheck(repositoryId: string, check: { etag: string | null; checkedAt: Date; probed: boolean }): Promise<void>;
  /** Whether an item of this kind updated at or after `at` is stored for the repository (e.g. a delivery brought it). */
  hasStoredSince(repositoryId: string, kind: IssueKind, at: Date): Promise<boolean>;
}

export function createWebhookHealthStore(db: Database): WebhookHealthStore {
  const { pool, prisma } = db;
  /** When this process last recorded a delivery per repository (ms), to skip repeats within a second. */
  const recorded = new Map<string, number>();
  return {
    async recordDelivery(repositoryId, at) {
      // This process wrote it less than a second ago: nothing to say yet (a burst of deliveries).
      const last = recorded.get(repositoryId);
      if (last !== undefined && at.getTime() - last < 1000 && at.getTime() >= last) return;
      if (recorded.size >= 10_000) recorded.clear();
      recorded.set(repositoryId, at.getTime());
      // A burst of deliveries to one repository writes its row about once a second, not once each:
      // the time of the last delivery is shown to the second, and each write would wait for the last.
      await pool.query(
        `UPDATE "RepositoryConnection"
            SET "lastWebhookAt" = GREATEST("lastWebhookAt", $2::timestamptz), "webhookStatus" = 'active',
                "webhookReason" = NULL, "updatedAt" = now()
          WHERE id = $1::uuid AND active
            AND ("webhookStatus" <> 'active' OR "lastWebhookAt" IS NULL OR "lastWebhookAt" < $2::timestamptz - interval '1 second')`,
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
      return rows.map(toPolledRepository);
    },

    async listDueForCheck(kinds, dueBefore) {
      const rows = await prisma.repositoryConnection.findMany({
        where: {
          active: true,
          provider: { in: [...kinds] },
          OR: [{ lastCheckedAt: null }, { lastCheckedAt: { lt: dueBefore } }],
        },
        orderBy: [{ lastCheckedAt: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
      });
      return rows.map((row) => ({ ...toPolledRepository(row), etag: row.etag, lastProbedAt: row.lastProbedAt, externalRepoId: row.externalRepoId }));
    },

    async claimCheck(repositoryId, dueBefore, at) {
      const result = await pool.query(
        `UPDATE "RepositoryConnection" SET "lastCheckedAt" = $3::timestamptz
          WHERE id = $1::uuid AND ("lastCheckedAt" IS NULL OR "lastCheckedAt" < $2::timestamptz)`,
        [repositoryId, dueBefore, at],
      );
      return result.rowCount === 1;
    },

    async releaseCheck(repositoryId, claimedAt, previous) {
      await pool.query(
        `UPDATE "RepositoryConnection" SET "lastCheckedAt" = $3::timestamptz WHERE id = $1::uuid AND "lastCheckedAt" = $2::timestamptz`,
        [repositoryId, claimedAt, previous],
      );
    },

    async recordCheck(repositoryId, check) {
      await pool.query(
        check.probed
          ? `UPDATE "RepositoryConnection" SET etag = $2, "lastCheckedAt" = GREATEST("lastCheckedAt", $3::timestamptz),
                    "lastProbedAt" = $3::timestamptz
              WHERE id = $1::uuid`
          : `UPDATE "RepositoryConnection" SET "lastCheckedAt" = GREATEST("lastCheckedAt", $2::timestamptz) WHERE id = $1::uuid`,
        check.probed ? [repositoryId, check.etag, check.checkedAt] : [repositoryId, check.checkedAt],
      );
    },

    async hasStoredSince(repositoryId, kind, at) {
      const result = await pool.query<{ stored: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM "Issue" WHERE "repositoryId" = $1::uuid AND kind = $2::"IssueKind"
                          AND "externalUpdatedAt" >= $3::timestamptz) AS stored`,
        [repositoryId, kind, at],
      );
      return result.rows[0]?.stored ?? false;
    },
  };
}

function toPolledRepository(row: Parameters<typeof toRepositoryRecord>[0] & {
  webhookId: string | null;
  webhookStatus: WebhookHealthStatus;
  webhookReason: string | null;
  lastWebhookAt: Date | null;
  lastCheckedAt: Date | null;
}): PolledRepository {
  return {
    ...toRepositoryRecord(row),
    webhookId: row.webhookId,
    webhookStatus: row.webhookStatus,
    webhookReason: row.webhookReason,
    lastWebhookAt: row.lastWebhookAt,
    lastCheckedAt: row.lastCheckedAt,
  };
}
