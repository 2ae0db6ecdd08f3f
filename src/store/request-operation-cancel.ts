/**
 * Asks a pending or running operation to stop: the engine sees `cancelRequested` between pages and
 * finishes the operation as cancelled. Null when the operation is not pending or running (any more).
 */
import type { Database } from '../db/client.js';
import type { OperationStatus } from './issue-store.js';

export async function requestOperationCancel(
  db: Database,
  operationId: string,
): Promise<{ status: OperationStatus } | null> {
  const { rows } = await db.pool.query<{ status: OperationStatus }>(
    `UPDATE "SyncOperation" SET "cancelRequested" = true, "updatedAt" = now()
      WHERE id = $1::uuid AND status IN ('pending', 'running')
      RETURNING status`,
    [operationId],
  );
  return rows[0] ?? null;
}
