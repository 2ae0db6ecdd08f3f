/**
 * How many items the repository's last completed sync went through (issues plus security alerts),
 * or null when it never completed one: the cheap estimate the sync route uses to decide between
 * running a sync inline and queueing it. An incremental sync counts only what changed, so this
 * can underestimate; the route's inline wait is capped for that reason.
 */
import type { Database } from '../db/client.js';

export async function lastSyncSize(db: Database, repositoryId: string): Promise<number | null> {
  const { rows } = await db.pool.query<{ size: string | null }>(
    `SELECT COALESCE((results->>'issues')::bigint, 0) + COALESCE((results->>'securityAlerts')::bigint, 0) AS size
       FROM "SyncOperation"
      WHERE "repositoryId" = $1::uuid AND status = 'completed'
      ORDER BY "completedAt" DESC NULLS LAST
      LIMIT 1`,
    [repositoryId],
  );
  const size = rows[0]?.size;
  return size === undefined || size === null ? null : Number(size);
}
