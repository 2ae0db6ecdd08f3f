/**
 * `GET /api/projects/:projectId/issues`: stored issues, oldest first, filtered by `repository`
 * (its id, or its path when one host has it), `kind` (issue | security_alert), `state` (open | closed) and `q` (text in the title), in
 * pages of `limit` (1–100, default 50) with `cursor` = the previous page's `nextCursor`.
 * Unknown query parameters are refused, so a misspelt filter is not silently ignored.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { listIssues } from '../../store/list-issues.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import { HttpError } from '../http-error.js';
import { oneOf, text } from '../plain-schemas.js';
import type { ApiEnv } from '../principal.js';
import { parseInput } from '../read-json-body.js';
import { repositoryRefError, resolveRepository } from '../resolve-repository.js';

const querySchema = z.strictObject({
  repository: text(300).optional(),
  kind: oneOf(['issue', 'security_alert']).optional(),
  state: oneOf(['open', 'closed']).optional(),
  q: text(200).optional(),
  cursor: text(200).optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .refine((value) => value >= 1 && value <= 100, 'must be a whole number from 1 to 100')
    .optional(),
});

export function listProjectIssuesRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/projects/:projectId/issues', async (c) => {
    const project = await findProject(deps, c.get('principal'), c.req.param('projectId'), 'viewer', 'list issues');
    const query = parseInput(querySchema, c.req.query(), 'The query');
    let repositoryId: string | undefined;
    if (query.repository !== undefined) {
      const ref = await resolveRepository(deps.stores.repositories, [project.id], query.repository);
      if ('candidates' in ref) {
        throw repositoryRefError(project.slug, query.repository, ref.candidates, { status: 400, code: 'unknown_repository' });
      }
      repositoryId = ref.id;
    }
    try {
      const page = await listIssues(deps.db, {
        projectId: project.id,
        ...(repositoryId ? { repositoryId } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.state ? { state: query.state } : {}),
        ...(query.q ? { q: query.q } : {}),
        after: query.cursor ?? null,
        limit: query.limit ?? 50,
      });
      return c.json(page);
    } catch (error) {
      if (error instanceof UsageError) throw new HttpError(400, 'invalid_cursor', error.message);
      throw error;
    }
  });
  return app;
}
