/**
 * `DELETE /api/projects/:projectId/issues/:issueId/link`: a member unlinks an issue. It keeps its
 * content, loses its external identity and is never claimed by the title rule again; 404 when the
 * issue is not linked.
 */
import { Hono } from 'hono';
import { findIssue } from '../../store/find-issue.js';
import { unlinkIssue } from '../../store/unlink-issue.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import { HttpError } from '../http-error.js';
import { issueNotFound } from '../issue-not-found.js';
import { isId } from '../plain-schemas.js';
import type { ApiEnv } from '../principal.js';

export function unlinkIssueRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.delete('/api/projects/:projectId/issues/:issueId/link', async (c) => {
    const project = await findProject(deps, c.get('principal'), c.req.param('projectId'), 'member', 'unlink issues');
    const issueId = c.req.param('issueId');
    const outcome = isId(issueId) ? await unlinkIssue(deps.db, project.id, issueId) : 'not_found';
    if (outcome === 'not_found') throw issueNotFound(project.slug, issueId);
    if (outcome === 'not_linked') {
      throw new HttpError(404, 'not_linked', 'This issue is not linked to an external issue, so there is nothing to unlink.');
    }
    deps.log.info({ issueId }, 'issue unlinked over the API');
    return c.json({ issue: await findIssue(deps.db, project.id, issueId) });
  });
  return app;
}
