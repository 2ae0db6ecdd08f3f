/**
 * Sync operations by id, in one query: what the dashboard shows for each repository's latest
 * operation (its progress while it runs, its results or error once it has finished).
 */
import type { Database } from '../db/client.js';
import type { OperationRecord } from './issue-store.js';
import { toOperationRecord } from './prisma-operation-store.js';

export async function findOperations(db: Database, operationIds: readonly string[]): Promise<Map<string, OperationRecord>> {
  if (operationIds.length === 0) return new Map();
  const rows = await db.prisma.syncOperation.findMany({ where: { id: { in: [...new Set(operationIds)] } } });
  return new Map(rows.map((row) => [row.id, toOperationRecord(row)]));
}
