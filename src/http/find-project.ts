/**
 * The project of a `/api/projects/:projectId/…` route, by id or by slug (what `issue-sync users add`
 * prints), with the caller's role checked. A user is told 403 for a project that is not theirs,
 * whether or not it exists; only the admin token learns that a project does not exist (404).
 */
import type { ProjectRecord, Role } from '../store/prisma-project-store.js';
import type { ApiDeps } from './api-deps.js';
import { HttpError } from './http-error.js';
import { isId } from './plain-schemas.js';
import { requireRole, type Principal } from './principal.js';

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
    if (principal.kind === 'admin_token') throw new HttpError(404, 'project_not_found', `There is no project "${projectParam}".`);
    throw new HttpError(403, 'forbidden', 'You have no role in this project.');
  }
  return { ...project, role: requireRole(principal, project.id, minimum, action) };
}
