/**
 * The project of a `/api/projects/:projectId/…` route, by id or by slug (what `issue-sync users add`
 * prints), with the caller's role checked. An unknown project is 404 for everyone, so a mistyped
 * slug reads as one; a project that exists but where the caller has no role is 403. That much a
 * user learns about projects that are not theirs (whether a slug is taken), nothing more.
 */
import type { ProjectRecord, Role } from '../store/prisma-project-store.js';
import type { ApiDeps } from './api-deps.js';
import { HttpError } from './http-error.js';
import { isId } from './plain-schemas.js';
import { requireRole, roleIn, type Principal } from './principal.js';

/** Any slug `issue-sync users add` accepts that can be a path segment (PostgreSQL refuses NUL). */
const SLUG = /^[^/]{1,200}$/;

export async function findProject(
  deps: Pick<ApiDeps, 'stores'>,
  principal: Principal,
  projectParam: string,
  minimum: Role,
  action: string,
): Promise<ProjectRecord & { role: Role }> {
  const { projects } = deps.stores;
  let project: ProjectRecord | null = null;
  if (isId(projectParam)) project = await projects.get(projectParam);
  if (!project && SLUG.test(projectParam) && !projectParam.includes('\u0000')) project = await projects.findBySlug(projectParam);
  if (!project) {
    throw new HttpError(404, 'project_not_found', `There is no project "${projectParam}"; GET /api/projects lists yours.`);
  }
  if (!roleIn(principal, project.id)) {
    throw new HttpError(
      403,
      'forbidden',
      `You have no role in project ${project.slug}; GET /api/projects lists yours. An admin of ${project.slug} can add you ` +
        `(issue-sync users add --project ${project.slug} --name NAME --role member).`,
    );
  }
  return { ...project, role: requireRole(principal, project.id, minimum, action) };
}
