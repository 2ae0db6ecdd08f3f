/**
 * Bookkeeping statements committed without waiting for the disk: the setting holds for that one
 * statement only, the write is committed, and a failing statement leaves nothing half done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryWithoutFlush } from '../../src/db/query-without-flush.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.pool.query('CREATE TABLE flush_probe (id int PRIMARY KEY)');
});
afterAll(async () => {
  await database?.drop();
});

describe('queryWithoutFlush', () => {
  it('commits the statement with synchronous_commit off, and the pool keeps its own setting', async () => {
    const { pool } = database.db;
    const inside = await queryWithoutFlush<{ v: string }>(pool, "SELECT current_setting('synchronous_commit') AS v", []);
    expect(inside.rows[0]!.v).toBe('off');
    await queryWithoutFlush(pool, 'INSERT INTO flush_probe (id) VALUES ($1)', [1]);
    expect((await pool.query('SELECT id FROM flush_probe')).rows).toEqual([{ id: 1 }]);
    // SET LOCAL ends with the transaction: every connection of the pool is back to the default.
    const settings = await Promise.all(Array.from({ length: 5 }, () => pool.query<{ v: string }>("SELECT current_setting('synchronous_commit') AS v")));
    expect(settings.map((result) => result.rows[0]!.v)).toEqual(['on', 'on', 'on', 'on', 'on']);
  });

  it('rolls a failing statement back and leaves the pool usable', async () => {
    const { pool } = database.db;
    await expect(queryWithoutFlush(pool, 'INSERT INTO flush_probe (id) VALUES ($1)', [1])).rejects.toThrow(/duplicate key/);
    expect((await pool.query<{ n: string }>('SELECT count(*) AS n FROM flush_probe')).rows[0]!.n).toBe('1');
    expect((await pool.query<{ status: string }>("SELECT 'ok' AS status")).rows[0]!.status).toBe('ok');
  });
});
