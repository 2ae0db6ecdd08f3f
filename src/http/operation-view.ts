/**
 * A SyncOperation as the API shows it (`GET /api/sync-operations/:id` and the sync route): the
 * contract's fields, plus where it belongs, the provider's remaining quota (why a sync waits) and
 * the parts that could not run.
 */
import type { OperationRecord } from '../store/issue-store.js';

export function operationView(operation: OperationRecord) {
  const { progress, results } = operation;
  return {
    id: operation.id,
    status: operation.status,
    syncType: operation.syncType,
    trigger: operation.trigger,
    includeClosed: operation.includeClosed,
    projectId: operation.projectId,
    repositoryId: operation.repositoryId,
    progress: {
      stage: progress.stage,
      processed: progress.processed,
      total: progress.total,
      percent: progress.percent,
      rateLimitRemaining: progress.rateLimitRemaining ?? null,
      rateLimitResetAt: progress.rateLimitResetAt ?? null,
    },
    results: {
      created: results.created,
      updated: results.updated,
      skipped: results.skipped,
      failed: results.failed,
      issues: results.issues,
      securityAlerts: results.securityAlerts,
      skippedParts: results.skippedParts,
    },
    ...(operation.error ? { error: operation.error } : {}),
    startedAt: operation.startedAt?.toISOString() ?? null,
    completedAt: operation.completedAt?.toISOString() ?? null,
    createdAt: operation.createdAt.toISOString(),
  };
}

export function statusUrlOf(operationId: string): string {
  return `/api/sync-operations/${operationId}`;
}
