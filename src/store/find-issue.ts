/**
 * One stored issue of a project, as the issue listing shows it; null for an unknown id and for an
 * issue of another project alike.
 */
import type { Database } from '../db/client.js';
import { issueListSelect, type IssueListItem } from './list-issues.js';

export async function findIssue(db: Database, projectId: string, issueId: string): Promise<IssueListItem | null> {
  return db.prisma.issue.findFirst({ where: { id: issueId, projectId }, select: issueListSelect });
}
