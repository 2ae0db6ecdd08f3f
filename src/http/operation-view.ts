/**
 * A SyncOperation as the API shows it (`GET /api/sync-operations/:id` and the sync route): the
 * contract's fields, plus where it belongs, the provider's remaining quota (why a sync waits), when
 * a sync that waits for the rate limit goes on (`waitingForRateLimitUntil`, null when it does not
 * wait) and the parts that could not run.
 */
import type { OperationRecord } from '../store/issue-store.js';

export function operationView(operation: OperationRecord, now: Date = new Date()) {
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
      waitingForRateLimitUntil: waitingForRateLimitUntil(operation, now),
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

/** The reset an unfinished sync waits for: its quota is spent and the reset is still to come. */
function waitingForRateLimitUntil(operation: OperationRecord, now: Date): string | null {
  if (operation.status !== 'pending' && operation.status !== 'running') return null;
  const { rateLimitRemaining, rateLimitResetAt } = operation.progress;
  if (rateLimitRemaining !== 0 || !rateLimitResetAt) return null;
  const resetAt = Date.parse(rateLimitResetAt);
  return Number.isFinite(resetAt) && resetAt > now.getTime() ? new Date(resetAt).toISOString() : null;
}

export function statusUrlOf(operationId: string): string {
  return `/api/sync-operations/${operationId}`;
}
