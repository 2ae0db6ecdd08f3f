/**
 * `POST /api/sync-operations/:id/cancel`: a member asks a pending or running sync to stop. The
 * engine stops between pages and the operation ends `cancelled` (what was written stays); the
 * answer is 202 at once. A finished operation is 409 `not_running`. No body is read.
 */
import { Hono } from 'hono';
import { requestOperationCancel } from '../../store/request-operation-cancel.js';
import type { ApiDeps } from '../api-deps.js';
import { findVisibleOperation } from '../find-visible-operation.js';
import { HttpError } from '../http-error.js';
import { statusUrlOf } from '../operation-view.js';
import { requireRole, type ApiEnv } from '../principal.js';

export function cancelSyncOperationRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/sync-operations/:id/cancel', async (c) => {
    const principal = c.get('principal');
    const operation = await findVisibleOperation(deps, principal, c.req.param('id'));
    requireRole(principal, operation.projectId, 'member', 'cancel a sync');
    const requested = await requestOperationCancel(deps.db, operation.id);
    if (!requested) {
      const current = (await deps.stores.operations.get(operation.id)) ?? operation;
      throw new HttpError(409, 'not_running', `This sync is already ${current.status}; only a pending or running sync can be cancelled.`, {
        operationId: operation.id,
        status: current.status,
      });
    }
    await deps.jobs.cancel?.(operation.id);
    deps.log.info({ operationId: operation.id }, 'sync cancel requested over the API');
    return c.json({ operationId: operation.id, status: requested.status, cancelRequested: true, statusUrl: statusUrlOf(operation.id) }, 202);
  });
  return app;
}
