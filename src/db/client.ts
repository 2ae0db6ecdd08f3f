/**
 * One connection pool per process, shared by the Prisma client (through @prisma/adapter-pg) and the
 * raw bulk SQL of the stores, so both see the same connections and limits.
 */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type { PrismaClient };

/** A transaction idle this long is ended by the server (see createDatabase). */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

export interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export function createDatabase(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Our transactions are a batch of writes, milliseconds long. One left open by a process that froze
    // (or a machine that went away) would hold its row locks until the connection times out, hours
    // later, and the replica that took its sync over would wait on them: the server ends it instead.
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    // Our prepared statements (prepared-statement.ts) are planned once per connection, never per call.
    // Left to choose, PostgreSQL keeps re-planning a statement whose generic plan it rates dearer than
    // its first few custom ones, as for any ANY($array) lookup: planning then costs more than running.
    // Unnamed statements (Prisma's, pg-boss's, all others) are planned per call whatever this says.
    options: [new URL(url).searchParams.get('options'), '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' '),
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that would crash the process.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    pool,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => undefined);
      await pool.end();
    },
  };
}
