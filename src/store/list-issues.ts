/**
 * Stored issues of a project, oldest first, in pages with a keyset cursor (createdAt, id), so
 * listing 100,000 issues never holds more than one page. Filters: repository, kind, state and a
 * case-insensitive text in the title. A cursor this listing did not give out is a UsageError.
 */
import type { Database } from '../db/client.js';
import { UsageError } from '../errors.js';

export interface IssueListItem {
  id: string;
  externalId: string | null;
  repositoryId: string | null;
  repositoryUrl: string | null;
  kind: 'issue' | 'security_alert';
  state: 'open' | 'closed';
  title: string;
  url: string | null;
  labels: string[];
  author: string | null;
  /** Unlinked by hand: the sync never claims it by title again. */
  unlinked: boolean;
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

/** The columns of an `IssueListItem`, for every query that returns one. */
export const issueListSelect = {
  id: true,
  externalId: true,
  repositoryId: true,
  repositoryUrl: true,
  kind: true,
  state: true,
  title: true,
  url: true,
  labels: true,
  author: true,
  unlinked: true,
  externalUpdatedAt: true,
  createdAt: true,
} as const;

export async function listIssues(
  db: Database,
  filter: IssueListFilter,
): Promise<{ items: IssueListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const after = filter.after ? decodeCursor(filter.after) : null;
  if (filter.after && !after) throw new UsageError('The cursor is not one this listing gave out; start again without it.');
  const rows = await db.prisma.issue.findMany({
    where: {
      projectId: filter.projectId,
      ...(filter.repositoryId ? { repositoryId: filter.repositoryId } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      // Prisma passes `contains` to ILIKE as it is: % and _ would be wildcards.
      ...(filter.q ? { title: { contains: filter.q.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' as const } } : {}),
      ...(after
        ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    select: issueListSelect,
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  const year = createdAt.getUTCFullYear();
  if (!id || !UUID.test(id) || rest.length > 0 || !(year >= 1 && year <= 9999)) return null;
  return { createdAt, id };
}
