/**
 * The issue store on PostgreSQL. Matching lookups are one query each; writes are one bulk
 * `INSERT … ON CONFLICT ("projectId", "externalId") DO UPDATE … WHERE stored < new` per batch, with the
 * batch's rows passed as one JSON parameter, so a batch of 50 costs one round trip.
 */
import type { Database } from '../db/client.js';
import { preparedStatement } from '../db/prepared-statement.js';
import { WITHOUT_FLUSH } from '../db/without-flush.js';
import type { Logger } from '../logger.js';
import type { BatchResult, IssueStore, IssueWrite, MatchLookups, TitleCandidate, WriteScope } from './issue-store.js';

// PostgreSQL text cannot hold NUL; hosts occasionally send it in bodies.
const clean = (value: string): string => value.replaceAll('\u0000', '');
/**
 * Serializes a batch's rows as one JSON parameter, every string (nested ones too) without NUL. A NUL
 * shows in JSON as the escape \u0000, so the plain (fast) serialization serves unless it has one; the
 * replacer, called for every value of the batch, runs only then.
 */
const toJsonParameter = (rows: unknown): string => {
  const text = JSON.stringify(rows);
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'string' ? clean(value) : value));
};

interface Row {
  externalId: string;
  repositoryUrl: string;
  kind: string;
  title: string;
  body: string | null;
  state: string;
  url: string;
  labels: string[];
  author: string | null;
  customFields: Record<string, unknown>;
  externalCreatedAt: string;
  externalUpdatedAt: string;
  externalClosedAt: string | null;
}

function toRow(item: IssueWrite): Row {
  return {
    externalId: item.externalId,
    repositoryUrl: item.repositoryUrl,
    kind: item.kind,
    title: item.title,
    body: item.body,
    state: item.state,
    url: item.url,
    labels: item.labels,
    author: item.author,
    customFields: { ...item.extra, provider: item.provider, issueId: item.issueId, externalId: item.externalId },
    externalCreatedAt: item.createdAt.toISOString(),
    externalUpdatedAt: item.updatedAt.toISOString(),
    externalClosedAt: item.closedAt?.toISOString() ?? null,
  };
}

const CLAIM_SQL = `
UPDATE "Issue" AS i
   SET "customFields" = i."customFields" || jsonb_build_object('externalId', c."externalId"),
       "repositoryId" = COALESCE(i."repositoryId", $3::uuid),
       "updatedAt" = now()
  FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, "externalId" text)
 WHERE i.id = c.id AND i."projectId" = $2::uuid AND i."externalId" IS NULL AND NOT i.unlinked`;

/** The upsert of a batch; `fromMore` joins more to its FROM list (WITHOUT_FLUSH). */
function upsertIssuesSql(fromMore: string): string {
  return `
INSERT INTO "Issue" ("projectId", "repositoryId", "repositoryUrl", kind, title, body, state, url, labels, author,
                     "customFields", "externalCreatedAt", "externalUpdatedAt", "externalClosedAt")
SELECT $2::uuid, $3::uuid, r."repositoryUrl", r.kind, r.title, r.body, r.state, r.url, r.labels, r.author,
       r."customFields", r."externalCreatedAt", r."externalUpdatedAt", r."externalClosedAt"
  FROM jsonb_to_recordset($1::jsonb) AS r(
         "repositoryUrl" text, kind "IssueKind", title text, body text, state "IssueState", url text, labels text[],
         author text, "customFields" jsonb, "externalCreatedAt" timestamptz, "externalUpdatedAt" timestamptz,
         "externalClosedAt" timestamptz)${fromMore}
ON CONFLICT ("projectId", "externalId") DO UPDATE
   SET "repositoryId" = COALESCE(EXCLUDED."repositoryId", "Issue"."repositoryId"),
       "repositoryUrl" = EXCLUDED."repositoryUrl",
       kind = EXCLUDED.kind,
       title = EXCLUDED.title,
       body = EXCLUDED.body,
       state = EXCLUDED.state,
       url = EXCLUDED.url,
       labels = EXCLUDED.labels,
       author = EXCLUDED.author,
       "customFields" = "Issue"."customFields" || EXCLUDED."customFields",
       "externalCreatedAt" = EXCLUDED."externalCreatedAt",
       "externalUpdatedAt" = EXCLUDED."externalUpdatedAt",
       "externalClosedAt" = EXCLUDED."externalClosedAt",
       "updatedAt" = now()
 WHERE "Issue"."externalUpdatedAt" IS NULL OR "Issue"."externalUpdatedAt" < EXCLUDED."externalUpdatedAt"
RETURNING (xmax = 0) AS inserted`;
}

const UPSERT = preparedStatement('upsert_issues', upsertIssuesSql(''));
// A sync's batch with nothing to claim: its own transaction, committed without waiting for the WAL
// flush (see WriteScope.deferFlush), in one round trip instead of BEGIN, upsert and COMMIT.
const UPSERT_WITHOUT_FLUSH = preparedStatement('upsert_issues_without_flush', upsertIssuesSql(`, ${WITHOUT_FLUSH}`));

// The stored externalIds among $2 (rows with an externalId), then the local issues that may be
// claimed by title (rows with an id): a title among $4, this repository URL, no externalId, not
// unlinked by hand. $4 holds every item's title, stored ones' too: a candidate found only through a
// stored item's title is claimed by no one (matchIssues skips stored items, and an item that is not
// stored and has that title asks for it anyway), so the answer is that of asking for the others'.
// Not prepared: a generic plan made while the table was small or unanalyzed can pick the index on
// the project alone and then read every issue of the project for each new item. Planned per call.
const FIND_MATCH_LOOKUPS = `
SELECT "externalId", NULL::uuid AS id, NULL AS title, NULL::timestamptz AS "createdAt" FROM "Issue"
 WHERE "projectId" = $1::uuid AND "externalId" = ANY($2::text[])
UNION ALL
SELECT NULL, id, title, "createdAt" FROM "Issue"
 WHERE "projectId" = $1::uuid AND "repositoryUrl" = $3 AND "externalId" IS NULL AND NOT unlinked
   AND title = ANY($4::text[])`;

// The repository's items are those whose externalId starts with `<provider>:<repositoryUrl>:`
// (compared with left(), so no character of the URL acts as a LIKE pattern).
const RESOLVE_MISSING_SQL = `
UPDATE "Issue"
   SET state = 'closed',
       "externalClosedAt" = $5::timestamptz,
       "externalUpdatedAt" = $5::timestamptz,
       "customFields" = "customFields" || jsonb_build_object('resolvedReason', $6::text, 'resolvedAt', $5::timestamptz),
       "updatedAt" = now()
 WHERE "projectId" = $1::uuid AND "repositoryUrl" = $2 AND kind = $3::"IssueKind" AND state = 'open'
   AND left("externalId", length($4::text)) = $4::text
   AND NOT ("externalId" = ANY($7::text[]))`;

/** PostgreSQL rejected the data itself (SQLSTATE class 22 data exception, 23 constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/** Keeps the newest copy of each externalId: one statement may not touch a row twice. */
function newestPerExternalId(items: readonly IssueWrite[]): IssueWrite[] {
  const byId = new Map<string, IssueWrite>();
  for (const item of items) {
    const seen = byId.get(item.externalId);
    if (!seen || seen.updatedAt < item.updatedAt) byId.set(item.externalId, item);
  }
  return [...byId.values()];
}

export function createIssueStore(db: Database, options: { log?: Logger } = {}): IssueStore {
  const { pool } = db;

  async function write(
    scope: WriteScope,
    items: readonly IssueWrite[],
    claims: ReadonlyMap<string, string>,
  ): Promise<{ inserted: number; updated: number }> {
    const claimRows = items
      .filter((item) => claims.has(item.externalId))
      .map((item) => ({ id: claims.get(item.externalId)!, externalId: item.externalId }));
    if (claimRows.length === 0) {
      // One statement is its own transaction: one round trip (a live event's item, most often).
      const upsert = scope.deferFlush ? UPSERT_WITHOUT_FLUSH : UPSERT;
      const result = await pool.query<{ inserted: boolean }>(upsert([toJsonParameter(items.map(toRow)), scope.projectId, scope.repositoryId]));
      const inserted = result.rows.filter((row) => row.inserted).length;
      return { inserted, updated: result.rows.length - inserted };
    }
    const client = await pool.connect();
    try {
      // A sync's commits do not wait for the WAL to reach the disk (a flush per batch, ~5 ms each, was
      // a tenth of a sync's time): see WriteScope.deferFlush.
      await client.query(scope.deferFlush ? 'BEGIN; SET LOCAL synchronous_commit TO off' : 'BEGIN');
      if (claimRows.length > 0) {
        await client.query(CLAIM_SQL, [JSON.stringify(claimRows), scope.projectId, scope.repositoryId]);
      }
      const result = await client.query<{ inserted: boolean }>(UPSERT([toJsonParameter(items.map(toRow)), scope.projectId, scope.repositoryId]));
      await client.query('COMMIT');
      const inserted = result.rows.filter((row) => row.inserted).length;
      return { inserted, updated: result.rows.length - inserted };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async findMatchLookups(projectId, repositoryUrl, items): Promise<MatchLookups> {
      if (items.length === 0) return { existing: new Set(), candidates: [] };
      const { rows } = await pool.query<{ externalId: string | null; id: string | null; title: string | null; createdAt: Date | null }>(FIND_MATCH_LOOKUPS, [
        projectId,
        items.map((item) => item.externalId),
        repositoryUrl,
        [...new Set(items.map((item) => clean(item.title)))],
      ]);
      const existing = new Set<string>();
      const candidates: TitleCandidate[] = [];
      for (const row of rows) {
        if (row.externalId !== null) existing.add(row.externalId);
        else candidates.push({ id: row.id!, title: row.title!, createdAt: row.createdAt! });
      }
      return { existing, candidates };
    },

    async resolveMissing(input) {
      const prefix = `${input.provider}:${input.repositoryUrl}:`;
      const result = await pool.query(RESOLVE_MISSING_SQL, [
        input.projectId,
        input.repositoryUrl,
        input.kind,
        prefix,
        input.at,
        input.reason,
        [...input.seenExternalIds],
      ]);
      return result.rowCount ?? 0;
    },

    async writeBatch(scope, items, claims): Promise<BatchResult> {
      const unique = newestPerExternalId(items);
      const duplicates = items.length - unique.length;
      try {
        const { inserted, updated } = await write(scope, unique, claims);
        const skipped = unique.length - inserted - updated + duplicates;
        return { created: inserted, updated, skipped, failed: 0, failedExternalIds: [] };
      } catch (batchError) {
        if (!isDataError(batchError)) throw batchError;
        options.log?.warn({ err: batchError, items: unique.length }, 'batch write failed; writing its items one by one');
        // One bad item must not cost the others: write them one by one and count the ones that fail.
        const result: BatchResult = { created: 0, updated: 0, skipped: duplicates, failed: 0, failedExternalIds: [] };
        for (const item of unique) {
          try {
            const { inserted, updated } = await write(scope, [item], claims);
            result.created += inserted;
            result.updated += updated;
            result.skipped += 1 - inserted - updated;
          } catch (error) {
            if (!isDataError(error)) throw error;
            options.log?.warn({ err: error, externalId: item.externalId }, 'issue could not be stored');
            result.failed += 1;
            result.failedExternalIds.push(item.externalId);
          }
        }
        return result;
      }
    },
  };
}
