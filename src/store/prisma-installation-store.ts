/**
 * GitHub App installations and the project each one syncs into. The project is created with the
 * installation (slug from the account login, made unique) and kept when the installation is
 * suspended or deleted; so are its repositories' connections and issues, only deactivated.
 */
import type { Database } from '../db/client.js';
import { preparedStatement } from '../db/prepared-statement.js';

export interface InstallationRecord {
  id: string;
  githubInstallationId: number;
  accountLogin: string;
  projectId: string;
  active: boolean;
  suspendedAt: Date | null;
}

export type InstallationState = 'active' | 'suspended' | 'deleted';

export interface InstallationStore {
  /**
   * The installation row, created with a new project the first time, otherwise refreshed (account,
   * active again) and still pointing at its project. Safe against concurrent deliveries.
   */
  ensure(input: { githubInstallationId: number; accountLogin: string; accountType: string | null }): Promise<InstallationRecord>;
  findByGitHubId(githubInstallationId: number): Promise<InstallationRecord | null>;
  get(id: string): Promise<InstallationRecord | null>;
  /**
   * `suspended` / `deleted`: the installation and its repositories' connections become inactive.
   * `active` (unsuspended): both active again. Returns null for an unknown installation.
   */
  setState(githubInstallationId: number, state: InstallationState, at: Date): Promise<InstallationRecord | null>;
}

export interface InstallationRow {
  id: string;
  githubInstallationId: string;
  accountLogin: string;
  projectId: string;
  active: boolean;
  suspendedAt: Date | null;
}

export const INSTALLATION_COLUMNS = `id, "githubInstallationId", "accountLogin", "projectId", active, "suspendedAt"`;
/** Every live event looks its installation up by GitHub's id. */
const FIND_BY = {
  id: preparedStatement('find_installation', `SELECT ${INSTALLATION_COLUMNS} FROM "Installation" WHERE id = $1::uuid`),
  githubInstallationId: preparedStatement('find_installation_by_github_id', `SELECT ${INSTALLATION_COLUMNS} FROM "Installation" WHERE "githubInstallationId" = $1::bigint`),
};
const MAX_SLUG_ATTEMPTS = 50;

/** A row as read (GitHub's id a bigint, so a string) as the record. */
export const toInstallationRecord = (row: InstallationRow): InstallationRecord => ({ ...row, githubInstallationId: Number(row.githubInstallationId) });

/** `Octo-Org` → `octo-org`; anything but letters, digits, `.`, `_` and `-` becomes `-`. */
export function projectSlugOf(login: string): string {
  const slug = login.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || 'github';
}

export function createInstallationStore(db: Database): InstallationStore {
  const { pool } = db;

  const findBy = async (column: 'id' | 'githubInstallationId', value: string | number) => {
    const result = await pool.query<InstallationRow>(FIND_BY[column]([value]));
    return result.rows[0] ? toInstallationRecord(result.rows[0]) : null;
  };

  return {
    async ensure(input) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Installation events for one installation can arrive together: one creates the project.
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('github-installation:' || $1::text, 0))`, [
          input.githubInstallationId,
        ]);
        const existing = await client.query<InstallationRow>(
          `UPDATE "Installation" SET "accountLogin" = $2, "accountType" = COALESCE($3, "accountType"),
                  active = true, "suspendedAt" = NULL, "updatedAt" = now()
            WHERE "githubInstallationId" = $1::bigint RETURNING ${INSTALLATION_COLUMNS}`,
          [input.githubInstallationId, input.accountLogin, input.accountType],
        );
        let row = existing.rows[0];
        if (!row) {
          const base = projectSlugOf(input.accountLogin);
          let projectId: string | undefined;
          for (let attempt = 1; !projectId && attempt <= MAX_SLUG_ATTEMPTS; attempt += 1) {
            const slug = attempt === 1 ? base : `${base}-${attempt}`;
            const created = await client.query<{ id: string }>(
              `INSERT INTO "Project" (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id`,
              [slug, input.accountLogin],
            );
            projectId = created.rows[0]?.id;
          }
          if (!projectId) {
            const created = await client.query<{ id: string }>(
              `INSERT INTO "Project" (slug, name) VALUES ($1, $2) RETURNING id`,
              [`${base}-${input.githubInstallationId}`, input.accountLogin],
            );
            projectId = created.rows[0]!.id;
          }
          const inserted = await client.query<InstallationRow>(
            `INSERT INTO "Installation" ("githubInstallationId", "accountLogin", "accountType", "projectId")
             VALUES ($1::bigint, $2, $3, $4::uuid) RETURNING ${INSTALLATION_COLUMNS}`,
            [input.githubInstallationId, input.accountLogin, input.accountType, projectId],
          );
          row = inserted.rows[0]!;
        }
        await client.query('COMMIT');
        return toInstallationRecord(row);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    findByGitHubId: (githubInstallationId) => findBy('githubInstallationId', githubInstallationId),

    get: (id) => findBy('id', id),

    async setState(githubInstallationId, state, at) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const updated = await client.query<InstallationRow>(
          `UPDATE "Installation"
              SET active = $2, "suspendedAt" = CASE WHEN $3 = 'suspended' THEN $4::timestamptz WHEN $3 = 'active' THEN NULL ELSE "suspendedAt" END,
                  "updatedAt" = now()
            WHERE "githubInstallationId" = $1::bigint RETURNING ${INSTALLATION_COLUMNS}`,
          [githubInstallationId, state === 'active', state, at],
        );
        const row = updated.rows[0];
        if (row) {
          await client.query(
            `UPDATE "RepositoryConnection"
                SET active = $2, "webhookStatus" = CASE WHEN $2 THEN "webhookStatus" ELSE 'inactive' END, "updatedAt" = now()
              WHERE "installationId" = $1::uuid`,
            [row.id, state === 'active'],
          );
        }
        await client.query('COMMIT');
        return row ? toInstallationRecord(row) : null;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
