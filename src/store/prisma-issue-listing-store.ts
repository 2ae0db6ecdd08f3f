/**
 * Stored issues in the order people read them: by repository, then issues before security alerts,
 * then by number as a number (#2 before #10), local issues (no number) last. The sort key is
 * computed, so no keyset cursor fits it: the rows are read through one server-side cursor instead,
 * a page at a time, and any number of issues prints in bounded memory.
 */
import type { Database } from '../db/client.js';
import { issueListSelect, type IssueListItem } from './list-issues.js';

export interface ListedIssue extends IssueListItem {
  /** The connected repository's path (`owner/name`), else the path in the issue's repository URL. */
  repositoryPath: string | null;
}

export interface IssueListingStore {
  /** Pages of at most `pageSize` issues of the project (of one repository when given), in reading order. */
  byRepository(filter: { projectId: string; repositoryId?: string; pageSize?: number }): AsyncIterable<ListedIssue[]>;
}

const columns = Object.keys(issueListSelect)
  .map((name) => `i."${name}"`)
  .join(', ');

export function createIssueListingStore(db: Database): IssueListingStore {
  return {
    async *byRepository({ projectId, repositoryId, pageSize = 500 }) {
      const client = await db.pool.connect();
      let open = false;
      try {
        await client.query('BEGIN READ ONLY');
        open = true;
        await client.query(
          `DECLARE issue_listing NO SCROLL CURSOR FOR
             SELECT ${columns},
                    coalesce(r."fullPath", regexp_replace(i."repositoryUrl", '^[a-z+]+://[^/]+/', '')) AS "repositoryPath"
               FROM "Issue" i
               LEFT JOIN "RepositoryConnection" r ON r.id = i."repositoryId"
              WHERE i."projectId" = $1::uuid AND ($2::uuid IS NULL OR i."repositoryId" = $2::uuid)
              ORDER BY lower(coalesce(r."fullPath", regexp_replace(i."repositoryUrl", '^[a-z+]+://[^/]+/', ''))) NULLS LAST,
                       i."repositoryId", i.kind,
                       substring(i."externalId" from '(\\d+)$')::numeric NULLS LAST, i."externalId", i.id`,
          [projectId, repositoryId ?? null],
        );
        for (;;) {
          const { rows } = await client.query<ListedIssue>(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM issue_listing`);
          if (rows.length === 0) break;
          yield rows;
        }
      } finally {
        if (open) await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    },
  };
}
