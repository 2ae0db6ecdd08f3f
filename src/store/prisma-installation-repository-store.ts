/**
 * The repository connections of GitHub App installations. A repository is known by its GitHub id,
 * which survives renames and transfers; its path and URL follow it. Removing a repository from the
 * installation deactivates its connection and keeps its issues.
 */
import type { Database } from '../db/client.js';
import { preparedStatement } from '../db/prepared-statement.js';
import type { RepositoryRecord } from './issue-store.js';

export interface InstalledRepositoryInput {
  /** GitHub's repository id. */
  externalRepoId: string;
  /** `owner/name`. */
  fullPath: string;
  /** Web URL, e.g. `https://github.com/owner/name`. */
  url: string;
}

export interface InstallationRepositoryRecord extends RepositoryRecord {
  externalRepoId: string | null;
}

export interface InstallationRepositoryStore {
  /**
   * Connects the installation's repositories to its project (or reconnects them: active, linked to
   * the installation, path and URL refreshed), all in one statement per step.
   */
  connect(
    installation: { id: string; projectId: string },
    repositories: readonly InstalledRepositoryInput[],
    at: Date,
  ): Promise<InstallationRepositoryRecord[]>;
  /** Repositories removed from the installation: inactive and no longer linked to it; data kept. */
  remove(installationId: string, externalRepoIds: readonly string[]): Promise<number>;
  /** The active connections linked to an installation. */
  listActive(installationId: string): Promise<InstallationRepositoryRecord[]>;
  /**
   * The connection, active or not, of a repository in the installation's project: by GitHub id, or
   * by name for a connection without one (a name match with another id was a deleted repository).
   */
  find(projectId: string, repository: { externalRepoId: string; fullPath: string }): Promise<InstallationRepositoryRecord | null>;
  /** The connection id for a repository of a GitHub installation, for recording deliveries. */
  findId(githubInstallationId: number, externalRepoId: string): Promise<string | null>;
  /**
   * A renamed or transferred repository: new path and URL, and its stored issues' external ids
   * follow (`github:<url>:<number>`), so later events update them instead of creating copies.
   */
  move(id: string, to: { fullPath: string; url: string }): Promise<void>;
  deactivate(id: string): Promise<void>;
}

const INSTALLATION_REPOSITORY_COLUMNS = `id, "projectId", provider, "fullPath", url, "apiUrl", "encryptedToken", "installationId", active,
  "lastSyncAt", "issuesWatermark", "alertsWatermark", "externalRepoId", "headCommit" AS version`;
const qualified = INSTALLATION_REPOSITORY_COLUMNS.split(',').map((column) => `c.${column.trim()}`).join(', ');

const REATTACH_SQL = `
UPDATE "RepositoryConnection" AS c
   SET "fullPath" = r."fullPath", url = r.url, "installationId" = $2::uuid, active = true,
       "webhookStatus" = 'active', "lastWebhookAt" = $4::timestamptz, "updatedAt" = now()
  FROM jsonb_to_recordset($1::jsonb) AS r("externalRepoId" text, "fullPath" text, url text)
 WHERE c."projectId" = $3::uuid AND c.provider = 'github' AND c."externalRepoId" = r."externalRepoId"
RETURNING ${qualified}`;

const UPSERT_SQL = `
INSERT INTO "RepositoryConnection" ("projectId", provider, "fullPath", url, "externalRepoId", "installationId", active,
                                    "webhookStatus", "lastWebhookAt")
SELECT $3::uuid, 'github'::"Provider", r."fullPath", r.url, r."externalRepoId", $2::uuid, true, 'active'::"WebhookStatus",
       $4::timestamptz
  FROM jsonb_to_recordset($1::jsonb) AS r("externalRepoId" text, "fullPath" text, url text)
ON CONFLICT ("projectId", provider, "fullPath") DO UPDATE
   SET url = EXCLUDED.url, "externalRepoId" = EXCLUDED."externalRepoId", "installationId" = EXCLUDED."installationId",
       active = true, "webhookStatus" = 'active', "lastWebhookAt" = EXCLUDED."lastWebhookAt", "updatedAt" = now()
RETURNING ${INSTALLATION_REPOSITORY_COLUMNS}`;

/**
 * A live event's repository in a project: by the host's repository id, else (a connection made by
 * path) by path. The arguments are SQL expressions (parameters, or a subquery for the project).
 */
export function findInstallationRepositorySql(projectId: string, externalRepoId: string, fullPath: string): string {
  return `SELECT ${INSTALLATION_REPOSITORY_COLUMNS} FROM "RepositoryConnection"
    WHERE "projectId" = ${projectId} AND provider = 'github'
      AND ("externalRepoId" = ${externalRepoId} OR ("externalRepoId" IS NULL AND lower("fullPath") = lower(${fullPath})))
    ORDER BY ("externalRepoId" = ${externalRepoId}) DESC NULLS LAST, active DESC, "createdAt"
    LIMIT 1`;
}

const FIND = preparedStatement('find_installation_repository', findInstallationRepositorySql('$1::uuid', '$2', '$3'));

const FIND_ID = preparedStatement(
  'find_installation_repository_id',
  `SELECT c.id FROM "RepositoryConnection" AS c
     JOIN "Installation" AS i ON i."projectId" = c."projectId"
    WHERE i."githubInstallationId" = $1::bigint AND c.provider = 'github' AND c."externalRepoId" = $2
    ORDER BY c.active DESC, c."createdAt" LIMIT 1`,
);

const REWRITE_EXTERNAL_IDS_SQL = `
UPDATE "Issue" AS i
   SET "repositoryUrl" = $3,
       "customFields" = jsonb_set(i."customFields", '{externalId}', to_jsonb('github:' || $3 || ':' || (i."customFields"->>'issueId'))),
       "updatedAt" = now()
 WHERE i."repositoryId" = $1::uuid AND i."repositoryUrl" = $2 AND i."customFields" ? 'issueId'
   AND NOT EXISTS (
         SELECT 1 FROM "Issue" AS j
          WHERE j."projectId" = i."projectId" AND j."externalId" = 'github:' || $3 || ':' || (i."customFields"->>'issueId'))`;

export function createInstallationRepositoryStore(db: Database): InstallationRepositoryStore {
  const { pool } = db;
  return {
    async connect(installation, repositories, at) {
      if (repositories.length === 0) return [];
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const params = (rows: readonly InstalledRepositoryInput[]) => [JSON.stringify(rows), installation.id, installation.projectId, at];
        const reattached = await client.query<InstallationRepositoryRecord>(REATTACH_SQL, params(repositories));
        const known = new Set(reattached.rows.map((row) => row.externalRepoId));
        const rest = repositories.filter((repository) => !known.has(repository.externalRepoId));
        const upserted = rest.length === 0 ? [] : (await client.query<InstallationRepositoryRecord>(UPSERT_SQL, params(rest))).rows;
        await client.query('COMMIT');
        return [...reattached.rows, ...upserted];
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    async remove(installationId, externalRepoIds) {
      if (externalRepoIds.length === 0) return 0;
      const result = await pool.query(
        `UPDATE "RepositoryConnection"
            SET active = false, "webhookStatus" = 'inactive', "installationId" = NULL, "updatedAt" = now()
          WHERE "installationId" = $1::uuid AND "externalRepoId" = ANY($2::text[])`,
        [installationId, externalRepoIds],
      );
      return result.rowCount ?? 0;
    },

    async listActive(installationId) {
      const result = await pool.query<InstallationRepositoryRecord>(
        `SELECT ${INSTALLATION_REPOSITORY_COLUMNS} FROM "RepositoryConnection" WHERE "installationId" = $1::uuid AND active ORDER BY "fullPath"`,
        [installationId],
      );
      return result.rows;
    },

    async find(projectId, repository) {
      const result = await pool.query<InstallationRepositoryRecord>(FIND([projectId, repository.externalRepoId, repository.fullPath]));
      return result.rows[0] ?? null;
    },

    async findId(githubInstallationId, externalRepoId) {
      const result = await pool.query<{ id: string }>(FIND_ID([githubInstallationId, externalRepoId]));
      return result.rows[0]?.id ?? null;
    },

    async move(id, to) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const before = await client.query<{ url: string }>(
          `SELECT url FROM "RepositoryConnection" WHERE id = $1::uuid FOR UPDATE`,
          [id],
        );
        const previousUrl = before.rows[0]?.url;
        await client.query(
          `UPDATE "RepositoryConnection" SET "fullPath" = $2, url = $3, "updatedAt" = now() WHERE id = $1::uuid`,
          [id, to.fullPath, to.url],
        );
        if (previousUrl !== undefined && previousUrl !== to.url) {
          await client.query(REWRITE_EXTERNAL_IDS_SQL, [id, previousUrl, to.url]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    async deactivate(id) {
      await pool.query(
        `UPDATE "RepositoryConnection" SET active = false, "webhookStatus" = 'inactive', "updatedAt" = now() WHERE id = $1::uuid`,
        [id],
      );
    },
  };
}
