/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each in its own transaction, and records
 * them in `_issue_sync_migrations`. Migrations are append-only: an applied file that changed, or an applied
 * migration this build doesn't ship, stops the start instead of guessing. A Postgres advisory lock
 * serializes replicas (and CLI runs) that start at the same time.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from '../logger.js';

/** pg_advisory_lock key shared by every issue-sync process migrating the same database. */
const MIGRATION_LOCK_KEY = '7358220140412';

interface MigrationFile {
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  log?: Logger;
  /** The folder holding `<name>/migration.sql`; defaults to the package's prisma/migrations. */
  dir?: string;
}

/** Applies the migrations this database lacks and returns their names (empty when it was up to date). */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<string[]> {
  const files = await readMigrations(options.dir ?? defaultMigrationsDir());
  // Every start asks: when nothing is pending, one read answers, without the lock and the DDL below.
  if (await isUpToDate(pool, files)) {
    options.log?.debug({ migrations: files.length }, 'database schema is up to date');
    return [];
  }
  const client = await pool.connect();
  let broken = false;
  try {
    const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY]);
    if (!locked.rows[0]?.locked) {
      options.log?.info('waiting for another process to finish migrating the database');
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS _issue_sync_migrations (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const applied = await appliedMigrations(client);
      checkApplied(files, applied);
      const pending = files.filter((migration) => !applied.has(migration.name));
      for (const migration of pending) {
        await applyMigration(client, migration, options.log);
      }
      if (pending.length === 0) options.log?.debug({ migrations: files.length }, 'database schema is up to date');
      return pending.map((migration) => migration.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        broken = true;
      });
    }
  } catch (error) {
    broken ||= !(error instanceof MigrationError);
    throw error;
  } finally {
    // A connection whose unlock failed may still hold the lock: destroy it instead of returning it to the pool.
    client.release(broken);
  }
}

/** Names of the migrations this build ships that the database hasn't applied yet (for `doctor`). */
export async function pendingMigrations(pool: pg.Pool, options: { dir?: string } = {}): Promise<string[]> {
  const files = await readMigrations(options.dir ?? defaultMigrationsDir());
  const exists = await pool.query<{ table: string | null }>("SELECT to_regclass('_issue_sync_migrations')::text AS table");
  if (!exists.rows[0]?.table) return files.map((migration) => migration.name);
  const applied = await appliedMigrations(pool);
  return files.filter((migration) => !applied.has(migration.name)).map((migration) => migration.name);
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** `<package root>/prisma/migrations`: two levels up from src/db (tsx) and from dist/db (the container). */
function defaultMigrationsDir(): string {
  return fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(
      `Cannot read the migrations folder ${dir}; the prisma/ folder must sit next to src/ or dist/ (the Dockerfile copies it).`,
      { cause: error },
    );
  }
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'migration.sql');
    const sql = await readFile(file, 'utf8').catch(() => null);
    if (sql === null) continue;
    // Line endings are normalized so a Windows checkout (CRLF) has the same checksum as a Linux one.
    const checksum = createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
    migrations.push({ name, file, sql, checksum });
  }
  if (migrations.length === 0) throw new MigrationError(`No migrations found in ${dir} (expected <name>/migration.sql folders).`);
  return migrations;
}

/** True when the database has applied exactly these migrations, unchanged; false when anything differs or is missing. */
async function isUpToDate(pool: pg.Pool, files: MigrationFile[]): Promise<boolean> {
  let applied: Map<string, string>;
  try {
    applied = await appliedMigrations(pool);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return false; // no migrations table yet
    throw error;
  }
  return applied.size === files.length && files.every((migration) => applied.get(migration.name) === migration.checksum);
}

async function appliedMigrations(db: pg.Pool | pg.PoolClient): Promise<Map<string, string>> {
  const result = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM _issue_sync_migrations');
  return new Map(result.rows.map((row) => [row.name, row.checksum]));
}

function checkApplied(files: MigrationFile[], applied: Map<string, string>): void {
  const known = new Map(files.map((migration) => [migration.name, migration]));
  const unknown = [...applied.keys()].filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new MigrationError(
      `The database has migration ${unknown.join(', ')} that this build of issue-sync doesn't know: a newer version ran against it; run that version (or newer) instead.`,
    );
  }
  for (const [name, checksum] of applied) {
    const migration = known.get(name)!;
    if (migration.checksum !== checksum) {
      throw new MigrationError(
        `Migration ${migration.file} changed after it was applied to this database; migrations are append-only, so restore the file and put the change in a new migration.`,
      );
    }
  }
}

async function applyMigration(client: pg.PoolClient, migration: MigrationFile, log: Logger | undefined): Promise<void> {
  const started = Date.now();
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO _issue_sync_migrations (name, checksum, applied_at) VALUES ($1, $2, now())', [
      migration.name,
      migration.checksum,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.file} failed and was rolled back: ${reason}`, { cause: error });
  }
  log?.info({ migration: migration.name, ms: Date.now() - started }, 'applied migration');
}
