import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/client.js';
import { migrate, pendingMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const MODEL_TABLES = [
  'ApiToken', 'Installation', 'Issue', 'Membership', 'Project', 'RepositoryConnection', 'ServiceState', 'SyncOperation', 'User', 'WebhookDelivery',
];

/** Every migration this build ships, in the order they apply. */
const ALL_MIGRATIONS = readdirSync(new URL('../../prisma/migrations/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

async function tables(database: TestDatabase): Promise<string[]> {
  const result = await database.db.pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return result.rows.map((row) => row.name);
}

describe('migrate', () => {
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    return database;
  };
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  it('creates every table on an empty database and records the migration', async () => {
    const database = await fresh();
    expect(ALL_MIGRATIONS[0]).toBe('20261125000000_init');
    expect(await pendingMigrations(database.db.pool)).toEqual(ALL_MIGRATIONS);

    expect(await migrate(database.db.pool)).toEqual(ALL_MIGRATIONS);

    expect(await tables(database)).toEqual(['_issue_sync_migrations', ...MODEL_TABLES].sort());
    expect(await pendingMigrations(database.db.pool)).toEqual([]);
  });

  it('applies nothing the second time', async () => {
    const database = await fresh();
    await migrate(database.db.pool);

    expect(await migrate(database.db.pool)).toEqual([]);
  });

  it('applies each migration once when two processes migrate at the same time', async () => {
    const database = await fresh();
    const other = createDatabase(database.url);
    try {
      const [first, second] = await Promise.all([migrate(database.db.pool), migrate(other.pool)]);

      expect([...first, ...second].sort()).toEqual(ALL_MIGRATIONS);
      const rows = await database.db.pool.query('SELECT name FROM _issue_sync_migrations');
      expect(rows.rowCount).toBe(ALL_MIGRATIONS.length);
    } finally {
      await other.close();
    }
  });

  describe('with its own migrations folder', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-migrations-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const write = async (name: string, sql: string) => {
      await mkdir(path.join(dir, name), { recursive: true });
      await writeFile(path.join(dir, name, 'migration.sql'), sql);
    };

    it('applies migrations in name order', async () => {
      const database = await fresh();
      await write('002_b', 'ALTER TABLE a ADD COLUMN b int;');
      await write('001_a', 'CREATE TABLE a (id int);');

      expect(await migrate(database.db.pool, { dir })).toEqual(['001_a', '002_b']);
    });

    it('refuses an applied migration whose file changed, naming the file', async () => {
      const database = await fresh();
      await write('001_a', 'CREATE TABLE a (id int);');
      await migrate(database.db.pool, { dir });
      await write('001_a', 'CREATE TABLE a (id bigint);');

      const failure = migrate(database.db.pool, { dir });

      await expect(failure).rejects.toThrow(path.join(dir, '001_a', 'migration.sql'));
      await expect(failure).rejects.toThrow(/append-only/);
    });

    it('refuses a database that has a migration this build does not know', async () => {
      const database = await fresh();
      await write('001_a', 'CREATE TABLE a (id int);');
      await write('002_b', 'CREATE TABLE b (id int);');
      await migrate(database.db.pool, { dir });
      await rm(path.join(dir, '002_b'), { recursive: true });

      await expect(migrate(database.db.pool, { dir })).rejects.toThrow(/002_b.*newer version/);
    });

    it('rolls back a failing migration and does not record it', async () => {
      const database = await fresh();
      await write('001_a', 'CREATE TABLE a (id int); SELECT * FROM missing_table;');

      await expect(migrate(database.db.pool, { dir })).rejects.toThrow(/001_a.*rolled back.*missing_table/);

      expect(await tables(database)).toEqual(['_issue_sync_migrations']);
      expect(await pendingMigrations(database.db.pool, { dir })).toEqual(['001_a']);
    });
  });
});
