/**
 * `POST /api/admin/backfill` `{repositoryIds?, staleOnly?, syncType?, includeClosed?, full?}`:
 * starts a sync (trigger `admin`) of each repository in reach — every project with `ADMIN_TOKEN`,
 * the projects a user is admin of otherwise — or of the given ones; `staleOnly` keeps those whose
 * webhook is `stale`. A repository synced before is caught up from its watermarks (what changed
 * since), unless `full: true`. 202 with one entry per repository: `started` or `already_running`.
 * An id out of reach is 422 and nothing is started.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { findBackfillTargets, type BackfillTarget } from '../../store/find-backfill-targets.js';
import type { ApiDeps } from '../api-deps.js';
import { HttpError } from '../http-error.js';
import { flag, id, oneOf } from '../plain-schemas.js';
import { projectsWith, requesterOf, type ApiEnv } from '../principal.js';
import { readJsonBody } from '../read-json-body.js';

const MAX_IDS = 1000;

const bodySchema = z.strictObject({
  repositoryIds: z
    .array(id(), { error: 'must be a list of repository ids' })
    .min(1, 'must not be empty (leave it out for every repository)')
    .max(MAX_IDS, `must have at most ${MAX_IDS} ids`)
    .optional(),
  staleOnly: flag().optional(),
  syncType: oneOf(['issues', 'security', 'all']).optional(),
  includeClosed: flag().optional(),
  full: flag().optional(),
});

export function adminBackfillRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/admin/backfill', async (c) => {
    const principal = c.get('principal');
    const projectIds = projectsWith(principal, 'admin');
    if (projectIds?.length === 0) {
      throw new HttpError(403, 'forbidden', 'A backfill needs ADMIN_TOKEN or the admin role in a project.');
    }
    const body = await readJsonBody(c, bodySchema, { optional: true });
    const repositoryIds = body.repositoryIds ? [...new Set(body.repositoryIds.map((value) => value.toLowerCase()))] : undefined;
    const { targets, missing } = await findBackfillTargets(deps.db, { projectIds, repositoryIds, staleOnly: body.staleOnly ?? false });
    if (missing.length > 0) {
      throw new HttpError(422, 'unknown_repository', `No repository you administer has the id ${missing.join(', ')}.`, {
        repositoryIds: missing,
      });
    }
    const operations = [];
    for (const target of targets) {
      const started = await deps.jobs.start({
        projectId: target.projectId,
        repositoryId: target.id,
        syncType: body.syncType ?? 'all',
        includeClosed: body.includeClosed ?? false,
        trigger: 'admin',
        requestedBy: requesterOf(principal),
        since: body.full ? null : sinceOf(target),
      });
      operations.push({ repositoryId: target.id, operationId: started.operation.id, status: started.status });
    }
    deps.log.info({ repositories: operations.length }, 'admin backfill started over the API');
    return c.json({ operations }, 202);
  });
  return app;
}

function sinceOf(target: BackfillTarget): { issues: Date | null; security: Date | null } | null {
  if (!target.issuesWatermark && !target.alertsWatermark) return null;
  return { issues: target.issuesWatermark, security: target.alertsWatermark };
}
