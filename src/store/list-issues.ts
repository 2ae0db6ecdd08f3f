/**
 * Stored issues of a project, oldest first, in pages with a keyset cursor (createdAt, id), so
 * listing 100,000 issues never holds more than one page.
 */
import type { Database } from '../db/client.js';

export interface IssueListItem {
  id: string;
  externalId: string | null;
  repositoryUrl: string | null;
  kind: 'issue' | 'security_alert';
  state: 'open' | 'closed';
  title: string;
  url: string | null;
  labels: string[];
  author: string | null;
  externalUpdatedAt: Date | null;
  createdAt: Date;
}

export interface IssueListFilter {
  projectId: string;
  repositoryId?: string;
  kind?: 'issue' | 'security_alert';
  state?: 'open' | 'closed';
  /** Case-insensitive text in the title. */
  q?: string;
  /** The `nextCursor` of the previous page. */
  after?: string | null;
  limit?: number;
}

export async function listIssues(
  db: Database,
  filter: IssueListFilter,
): Promise<{ items: IssueListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const after = filter.after ? decodeCursor(filter.after) : null;
  const rows = await db.prisma.issue.findMany({
    where: {
      projectId: filter.projectId,
      ...(filter.repositoryId ? { repositoryId: filter.repositoryId } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.q ? { title: { contains: filter.q, mode: 'insensitive' as const } } : {}),
      ...(after
        ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    select: {
      id: true,
      externalId: true,
      repositoryUrl: true,
      kind: true,
      state: true,
      title: true,
      url: true,
      labels: true,
      author: true,
      externalUpdatedAt: true,
      createdAt: true,
    },
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id };
}
