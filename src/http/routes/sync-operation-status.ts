/**
 * `GET /api/sync-operations/:id`: status, progress and results of a sync, for anyone with a role
 * in its project (others get 404, as for an unknown id).
 */
import { Hono } from 'hono';
import type { ApiDeps } from '../api-deps.js';
import { findVisibleOperation } from '../find-visible-operation.js';
import { operationView } from '../operation-view.js';
import type { ApiEnv } from '../principal.js';

export function syncOperationStatusRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/sync-operations/:id', async (c) => {
    const operation = await findVisibleOperation(deps, c.get('principal'), c.req.param('id'));
    return c.json(operationView(operation));
  });
  return app;
}
