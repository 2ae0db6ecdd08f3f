/**
 * `POST /api/admin/backfill` `{repositoryIds?, staleOnly?, syncType?, includeClosed?, full?}`:
 * starts a sync (trigger `admin`) of each repository in reach — every project with `ADMIN_TOKEN`,
 * the projects a user is admin of otherwise — or of the given ones (ids, or paths like `acme/demo`
 * when one host has them); `staleOnly` keeps those whose webhook is `stale`. A repository synced
 * before is caught up from its watermarks (what changed since), unless `full: true`. 202 with one
 * entry per repository: `started` or `already_running`.
 * An id or path out of reach, or a path two hosts share, is 422 and nothing is started.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { findBackfillTargets, type BackfillTarget } from '../../store/find-backfill-targets.js';
import type { ApiDeps } from '../api-deps.js';
import { HttpError } from '../http-error.js';
import { flag, oneOf, text } from '../plain-schemas.js';
import { projectsWith, requesterOf, type ApiEnv } from '../principal.js';
import { readJsonBody } from '../read-json-body.js';
import { ambiguousRepository, resolveRepository } from '../resolve-repository.js';

const MAX_IDS = 1000;

const WHERE_IDS_ARE =
  'GET /api/projects/SLUG/repositories lists the ids and paths of a project\'s repositories (GET /api/projects lists your projects)';

const bodySchema = z.strictObject({
  repositoryIds: z
    .array(text(300), { error: 'must be a list of repository ids (or paths, like "acme/demo")' })
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
      throw new HttpError(
        403,
        'forbidden',
        'A backfill needs ADMIN_TOKEN or the admin role in a project; GET /api/projects shows your role in each.',
      );
    }
    const body = await readJsonBody(c, bodySchema, { optional: true });
    const named = body.repositoryIds ? await resolveAll(deps, projectIds, body.repositoryIds) : undefined;
    const repositoryIds = named ? [...new Set(named.ids)] : undefined;
    const found = await findBackfillTargets(deps.db, { projectIds, repositoryIds, staleOnly: body.staleOnly ?? false });
    const missing = [...(named?.unknown ?? []), ...found.missing];
    if (missing.length > 0) {
      const names = missing.map((value) => `"${value}"`).join(', ');
      throw new HttpError(
        422,
        'unknown_repository',
        `No repository you administer has the id or path ${names}. ${WHERE_IDS_ARE}.`,
        { repositoryIds: missing },
      );
    }
    const { targets } = found;
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

/** Ids for the given ids and paths; a path two hosts share is refused, unknown ones are listed. */
async function resolveAll(
  deps: ApiDeps,
  projectIds: string[] | null,
  values: string[],
): Promise<{ ids: string[]; unknown: string[] }> {
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const value of values) {
    const ref = await resolveRepository(deps.stores.repositories, projectIds, value);
    if ('id' in ref) ids.push(ref.id);
    else if (ref.candidates.length === 0) unknown.push(value);
    else throw ambiguousRepository('in the projects you administer', WHERE_IDS_ARE, value, ref.candidates, 422);
  }
  return { ids, unknown };
}

function sinceOf(target: BackfillTarget): { issues: Date | null; security: Date | null } | null {
  if (!target.issuesWatermark && !target.alertsWatermark) return null;
  return { issues: target.issuesWatermark, security: target.alertsWatermark };
}
