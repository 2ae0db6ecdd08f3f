/**
 * A database of its own for a test file: a clone of the migrated template (or an empty database), dropped
 * with drop(). Clones are cheap (CREATE DATABASE ... TEMPLATE) and keep test files independent.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.js';

export interface TestDatabase {
  url: string;
  db: Database;
  drop(): Promise<void>;
}

/** `empty: true` gives a database without any migration applied (for migration tests). */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.empty ? 'template0' : 'issue_sync_template';
  await withAdmin(serverUrl, async (admin) => {
    // Clones are serialized across test workers (session advisory lock, released when admin disconnects).
    await admin.query('SELECT pg_advisory_lock(7358220140413)');
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // Another session connected to the template (e.g. a test that forgot it is shared): wait and retry.
        const busy = (error as { code?: string }).code === '55006' || /being accessed by other users/.test(String(error));
        if (!busy || attempt >= 50) throw error;
        await sleep(50 + Math.random() * 100);
      }
    }
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString(), { max: 5 });
  let dropped = false;
  return {
    url: url.toString(),
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.close();
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
