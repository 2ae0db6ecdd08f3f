/**
 * A manual link: a local issue takes an external issue's identity (`customFields.externalId`,
 * with `provider` and `issueId` so a repository rename carries it along) and its repository, and is
 * no longer `unlinked`. `externalUpdatedAt` is cleared so the next sync or webhook writes the
 * external issue's fields over it. An externalId is unique per project: when another issue holds
 * it, nothing changes and that issue is named.
 */
import type { Database } from '../db/client.js';

export interface LinkInput {
  projectId: string;
  issueId: string;
  externalId: string;
  provider: string;
  externalIssueId: string;
  repositoryId: string;
  repositoryUrl: string;
}

export type LinkOutcome = { status: 'linked' } | { status: 'already_linked'; issueId: string } | { status: 'not_found' };

const LINK_SQL = `
UPDATE "Issue"
   SET "customFields" = "customFields" || jsonb_build_object('externalId', $3::text, 'provider', $4::text, 'issueId', $5::text),
       unlinked = false, "repositoryId" = $6::uuid, "repositoryUrl" = $7, "externalUpdatedAt" = NULL, "updatedAt" = now()
 WHERE id = $1::uuid AND "projectId" = $2::uuid
RETURNING id`;

export async function linkIssue(db: Database, input: LinkInput): Promise<LinkOutcome> {
  const holder = () => findHolder(db, input);
  const other = await holder();
  if (other) return { status: 'already_linked', issueId: other };
  try {
    const { rowCount } = await db.pool.query(LINK_SQL, [
      input.issueId,
      input.projectId,
      input.externalId,
      input.provider,
      input.externalIssueId,
      input.repositoryId,
      input.repositoryUrl,
    ]);
    return rowCount === 0 ? { status: 'not_found' } : { status: 'linked' };
  } catch (error) {
    // Linked elsewhere between the check and the update.
    const raced = (error as { code?: string }).code === '23505' ? await holder() : null;
    if (raced) return { status: 'already_linked', issueId: raced };
    throw error;
  }
}

async function findHolder(db: Database, input: LinkInput): Promise<string | null> {
  const { rows } = await db.pool.query<{ id: string }>(
    'SELECT id FROM "Issue" WHERE "projectId" = $1::uuid AND "externalId" = $2 AND id <> $3::uuid LIMIT 1',
    [input.projectId, input.externalId, input.issueId],
  );
  return rows[0]?.id ?? null;
}
