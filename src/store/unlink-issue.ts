/**
 * Undoes a link: the issue loses its external identity (`externalId`, `issueId`) and is marked
 * `unlinked`, so the title rule never claims it again; the external issue, at its next sync, is
 * stored as an issue of its own.
 */
import type { Database } from '../db/client.js';

export async function unlinkIssue(
  db: Database,
  projectId: string,
  issueId: string,
): Promise<'unlinked' | 'not_linked' | 'not_found'> {
  const { rowCount } = await db.pool.query(
    `UPDATE "Issue" SET "customFields" = "customFields" - 'externalId' - 'issueId', unlinked = true, "updatedAt" = now()
      WHERE id = $1::uuid AND "projectId" = $2::uuid AND "externalId" IS NOT NULL`,
    [issueId, projectId],
  );
  if (rowCount) return 'unlinked';
  const { rows } = await db.pool.query('SELECT 1 FROM "Issue" WHERE id = $1::uuid AND "projectId" = $2::uuid', [issueId, projectId]);
  return rows.length > 0 ? 'not_linked' : 'not_found';
}
