/**
 * The signed-in pages: the project picker, a project's repositories and its issues. The session
 * middleware (create-dashboard.ts) has set the principal; each page checks the reader's role in its
 * project as the API does (find-project.ts) and reads through the store.
 */
import { Hono } from 'hono';
import { UsageError } from '../../errors.js';
import { findOperations } from '../../store/find-operations.js';
import { listIssues } from '../../store/list-issues.js';
import { listRepositories } from '../../store/list-repositories.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import { projectsWith, roleIn, type ApiEnv, type Principal } from '../principal.js';
import type { RenderPage } from './create-dashboard.js';
import { repositoriesPageUrl } from './page-urls.js';
import { issuesPage, type IssueFilters } from './pages/issues-page.js';
import { projectPickerPage } from './pages/project-picker-page.js';
import { repositoriesPage } from './pages/repositories-page.js';

const PAGE_SIZE = 50;
const NUL = String.fromCharCode(0);

export function dashboardPageRoutes(deps: ApiDeps, renderPage: RenderPage): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/dashboard/projects', async (c) => {
    const principal = c.get('principal');
    const projects = await deps.stores.projects.list(projectsWith(principal, 'viewer'));
    const only = projects.length === 1 ? projects[0] : undefined;
    if (only) return c.redirect(repositoriesPageUrl(only.slug), 302);
    const withRoles = projects.flatMap((project) => {
      const role = roleIn(principal, project.id);
      return role ? [{ ...project, role }] : [];
    });
    return renderPage(c, projectPickerPage(principal, withRoles));
  });

  app.get('/dashboard/projects/:projectId', async (c) => {
    const principal = c.get('principal');
    const project = await findProject(deps, principal, c.req.param('projectId'), 'viewer', 'see its repositories');
    const repositories = await listRepositories(deps.db, project.id);
    const operations = await findOperations(
      deps.db,
      repositories.flatMap((repository) => (repository.lastOperation ? [repository.lastOperation.id] : [])),
    );
    const connectedId = c.req.query('connected');
    return renderPage(
      c,
      repositoriesPage({
        principal,
        project,
        severalProjects: await seesSeveralProjects(deps, principal),
        repositories,
        operations,
        ...(connectedId ? { connectedId } : {}),
      }),
    );
  });

  app.get('/dashboard/projects/:projectId/issues', async (c) => {
    const principal = c.get('principal');
    const project = await findProject(deps, principal, c.req.param('projectId'), 'viewer', 'list issues');
    const repositories = await listRepositories(deps.db, project.id);
    const query = c.req.query();
    const filters: IssueFilters = {};
    let problem: string | undefined;
    const repositoryParam = clean(query.repository, 300);
    if (repositoryParam) {
      const repository = repositories.find((candidate) => candidate.id === repositoryParam || candidate.fullPath === repositoryParam);
      if (repository) filters.repository = repository.id;
      else problem = `This project has no repository "${repositoryParam}"; showing every repository.`;
    }
    if (query.kind === 'issue' || query.kind === 'security_alert') filters.kind = query.kind;
    if (query.state === 'open' || query.state === 'closed') filters.state = query.state;
    const text = clean(query.q, 200);
    if (text) filters.q = text;
    const cursor = clean(query.cursor, 200);
    if (cursor) filters.cursor = cursor;

    const read = (after: string | null) =>
      listIssues(deps.db, {
        projectId: project.id,
        ...(filters.repository ? { repositoryId: filters.repository } : {}),
        ...(filters.kind ? { kind: filters.kind } : {}),
        ...(filters.state ? { state: filters.state } : {}),
        ...(filters.q ? { q: filters.q } : {}),
        after,
        limit: PAGE_SIZE,
      });
    let page;
    try {
      page = await read(filters.cursor ?? null);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      delete filters.cursor;
      problem = 'That page link is out of date; here is the first page.';
      page = await read(null);
    }
    return renderPage(
      c,
      issuesPage({
        principal,
        project,
        severalProjects: await seesSeveralProjects(deps, principal),
        repositories,
        filters,
        items: page.items,
        nextCursor: page.nextCursor,
        ...(problem ? { problem } : {}),
      }),
    );
  });

  return app;
}

/** The navigation links the picker only for someone who has more than one project to pick from. */
async function seesSeveralProjects(deps: ApiDeps, principal: Principal): Promise<boolean> {
  if (principal.kind === 'user') return principal.roles.size > 1;
  return (await deps.stores.projects.list(null)).length > 1;
}

/** A query value as a page uses it: trimmed, without NUL, at most `max` characters; else undefined. */
function clean(value: string | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed || trimmed.length > max || trimmed.includes(NUL)) return undefined;
  return trimmed;
}
