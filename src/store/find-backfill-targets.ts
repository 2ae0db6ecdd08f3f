/**
 * The repository connections an admin backfill starts: in the given projects (null: all), the given
 * ids or else every active connection, only stale ones when asked. Ids outside that scope are
 * reported as missing, so the caller can refuse the request before starting anything.
 */
import type { Database } from '../db/client.js';

export interface BackfillTarget {
  id: string;
  projectId: string;
  issuesWatermark: Date | null;
  alertsWatermark: Date | null;
}

export async function findBackfillTargets(
  db: Database,
  scope: { projectIds: string[] | null; repositoryIds?: string[] | undefined; staleOnly: boolean },
): Promise<{ targets: BackfillTarget[]; missing: string[] }> {
  const rows = await db.prisma.repositoryConnection.findMany({
    where: {
      ...(scope.projectIds ? { projectId: { in: scope.projectIds } } : {}),
      ...(scope.repositoryIds ? { id: { in: scope.repositoryIds } } : { active: true }),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, projectId: true, webhookStatus: true, issuesWatermark: true, alertsWatermark: true },
  });
  const known = new Set(rows.map((row) => row.id));
  return {
    targets: rows
      .filter((row) => !scope.staleOnly || row.webhookStatus === 'stale')
      .map(({ id, projectId, issuesWatermark, alertsWatermark }) => ({ id, projectId, issuesWatermark, alertsWatermark })),
    missing: (scope.repositoryIds ?? []).filter((id) => !known.has(id)),
  };
}
