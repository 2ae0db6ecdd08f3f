/**
 * Small values the service keeps between runs and replicas (the delivery log's cursor), in the
 * `ServiceState` table: one JSON value per key.
 */
import type { Database } from '../db/client.js';

export interface ServiceStateStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export function createServiceStateStore(db: Database): ServiceStateStore {
  return {
    async get(key) {
      const result = await db.pool.query<{ value: unknown }>('SELECT value FROM "ServiceState" WHERE key = $1', [key]);
      return result.rows[0]?.value ?? null;
    },
    async set(key, value) {
      await db.pool.query(
        `INSERT INTO "ServiceState" (key, value, "updatedAt") VALUES ($1, $2::jsonb, now())
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "updatedAt" = now()`,
        [key, JSON.stringify(value)],
      );
    },
  };
}
