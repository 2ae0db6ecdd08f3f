/**
 * The connections the service opens end a transaction left idle (a process frozen mid-write, a
 * machine gone), so its row locks do not hold up the replica that took its sync over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, IDLE_IN_TRANSACTION_TIMEOUT_MS, type Database } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe('database connections', () => {
  it('end a transaction idle for 10 s, on raw queries and through Prisma alike', async () => {
    const { rows } = await db.pool.query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout');
    expect(rows[0]!.idle_in_transaction_session_timeout).toBe(`${IDLE_IN_TRANSACTION_TIMEOUT_MS / 1000}s`);
    const viaPrisma = await db.prisma.$queryRawUnsafe<{ idle_in_transaction_session_timeout: string }[]>('SHOW idle_in_transaction_session_timeout');
    expect(viaPrisma[0]!.idle_in_transaction_session_timeout).toBe('10s');
  });
});
