/**
 * Issues that left their repository: deleted on GitHub, or transferred to another repository. The
 * stored issue is kept, closed, with `customFields.deletedAt` or `transferredTo` (the new issue's
 * URL) saying why. Newer wins here too: a stored copy newer than the event is left alone, and the
 * closure moves `externalUpdatedAt` forward so an older redelivered edit cannot reopen it.
 */
import type { Database } from '../db/client.js';

export interface GoneIssue {
  projectId: string;
  externalId: string;
  /** When it left: never before the issue's last `updated_at`. */
  at: Date;
  reason: 'deleted' | 'transferred';
  /** The issue's URL in its new repository (transfers). */
  transferredTo?: string | null;
}

export interface GoneIssueStore {
  /** True when a stored issue was closed; false when none is stored or the stored one is newer. */
  markGone(issue: GoneIssue): Promise<boolean>;
}

export function createGoneIssueStore(db: Database): GoneIssueStore {
  return {
    async markGone(issue) {
      const at = issue.at.toISOString();
      const fields =
        issue.reason === 'deleted'
          ? { deletedAt: at }
          : { transferredAt: at, transferredTo: issue.transferredTo ?? null };
      const result = await db.pool.query(
        `UPDATE "Issue"
            SET state = 'closed', "customFields" = "customFields" || $3::jsonb,
                "externalClosedAt" = COALESCE("externalClosedAt", $4::timestamptz),
                "externalUpdatedAt" = $4::timestamptz, "updatedAt" = now()
          WHERE "projectId" = $1::uuid AND "externalId" = $2
            AND ("externalUpdatedAt" IS NULL OR "externalUpdatedAt" <= $4::timestamptz)`,
        [issue.projectId, issue.externalId, JSON.stringify(fields), at],
      );
      return (result.rowCount ?? 0) > 0;
    },
  };
}
