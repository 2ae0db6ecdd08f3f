/**
 * One statement committed without waiting for its WAL flush (`synchronous_commit = off`): for
 * bookkeeping a crash of PostgreSQL may lose the last fraction of a second of, because losing it
 * only repeats work that is safe to repeat (a delivery's claim or its "processed" mark: a redelivery
 * is then applied again, idempotently). Each flush costs a disk sync, milliseconds on most disks, so
 * a webhook delivery waits for one (its item) instead of three.
 */
import type pg from 'pg';

export async function queryWithoutFlush<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit TO off');
    const result = await client.query<R>(text, values);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection whose rollback may not have gone through is not handed to anyone else.
    client.release(failed ? true : undefined);
  }
}
