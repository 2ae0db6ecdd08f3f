/**
 * `GET /api/projects`: the projects the token may see — every project with `ADMIN_TOKEN`, those
 * where a user has a role otherwise — with the caller's role, how many repositories each has and
 * where to list them. The first call a newcomer makes: it turns a token into slugs and links.
 */
import { Hono } from 'hono';
import type { ApiDeps } from '../api-deps.js';
import { projectsWith, roleIn, type ApiEnv } from '../principal.js';
import { repositoriesUrlOf } from '../project-urls.js';

export function listProjectsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/projects', async (c) => {
    const principal = c.get('principal');
    const projects = await deps.stores.projects.list(projectsWith(principal, 'viewer'));
    return c.json({
      projects: projects.map((project) => ({
        id: project.id,
        slug: project.slug,
        name: project.name,
        role: roleIn(principal, project.id),
        repositoryCount: project.repositoryCount,
        repositoriesUrl: repositoriesUrlOf(project.slug),
      })),
    });
  });
  return app;
}
