/**
 * `GET /api/projects/:projectId/repositories`: the project's repositories with webhook health
 * (`active` | `stale` | `inactive`), last webhook delivery, last sync and the latest operation.
 */
import { Hono } from 'hono';
import { listRepositories } from '../../store/list-repositories.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import type { ApiEnv } from '../principal.js';

export function listRepositoriesRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/projects/:projectId/repositories', async (c) => {
    const project = await findProject(deps, c.get('principal'), c.req.param('projectId'), 'viewer', 'list repositories');
    const repositories = await listRepositories(deps.db, project.id);
    return c.json({ repositories });
  });
  return app;
}
