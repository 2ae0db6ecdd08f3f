/**
 * The project a command means. People rarely know project slugs: a CLI sync writes into "default",
 * and the GitHub App files an installation under a project named after the account. So without
 * --project the command takes the only project there is, or the one that holds the repository it
 * was given; when several could be meant it names them (one line) instead of guessing.
 */
import { UsageError } from '../errors.js';
import type { ProjectRecord, ProjectSummary } from '../store/prisma-project-store.js';
import type { Stores } from '../store/create-stores.js';
import { nearestName } from './nearest-name.js';

type ProjectStores = Pick<Stores, 'projects' | 'repositories'>;

/** `acme (3 repositories), default (1)`: the count's unit is said once. */
export function describeProjects(projects: readonly ProjectSummary[]): string {
  return projects
    .map((project, index) => {
      const unit = index > 0 ? '' : project.repositoryCount === 1 ? ' repository' : ' repositories';
      return `${project.slug} (${project.repositoryCount}${unit})`;
    })
    .join(', ');
}

/** The project with this slug, or a UsageError that names the projects there are (and the likely typo). */
export async function requireProject(stores: ProjectStores, slug: string): Promise<ProjectRecord> {
  const project = await stores.projects.findBySlug(slug);
  if (project) return project;
  const projects = await stores.projects.list(null);
  if (projects.length === 0) {
    throw new UsageError(
      `There is no project "${slug}", nor any other yet: sync a repository first (issue-sync sync --provider github --repo OWNER/NAME).`,
    );
  }
  const guess = nearestName(slug, projects.map((candidate) => candidate.slug));
  throw new UsageError(
    `There is no project "${slug}"${guess ? `; did you mean ${guess}?` : '.'} Projects: ${describeProjects(projects)}.`,
  );
}

/**
 * `--project` when given; else the one project holding `repo` (any host), else the only project.
 * Throws a UsageError naming the candidates when there are several, and saying what to do when none.
 */
export async function resolveProject(
  stores: ProjectStores,
  input: { project: string | undefined; repo: string | undefined },
): Promise<ProjectRecord> {
  if (input.project) return requireProject(stores, input.project);
  if (input.repo) {
    const holder = await projectHolding(stores, input.repo);
    if (holder) return holder;
    throw new UsageError(
      `No project holds a repository ${input.repo}: "issue-sync repos list" shows the connected ones, ` +
        `and "issue-sync sync --provider github --repo ${input.repo}" stores its issues.`,
    );
  }
  const projects = await stores.projects.list(null);
  if (projects.length === 1) return projects[0]!;
  if (projects.length > 1) {
    throw new UsageError(`Several projects could be meant: ${describeProjects(projects)}; pass --project SLUG.`);
  }
  throw new UsageError('There are no projects yet: sync a repository first (issue-sync sync --provider github --repo OWNER/NAME).');
}

/**
 * The one project holding a repository with this path (from `provider`, when given), or null when none
 * does; a UsageError naming them when several do.
 */
export async function projectHolding(stores: ProjectStores, repo: string, provider?: string): Promise<ProjectRecord | null> {
  const connections = (await stores.repositories.listByPath(null, repo)).filter(
    (connection) => provider === undefined || connection.provider === provider,
  );
  const holders = await stores.projects.list([...new Set(connections.map((connection) => connection.projectId))]);
  if (holders.length > 1) throw new UsageError(`Several projects hold ${repo}: ${describeProjects(holders)}; pass --project SLUG.`);
  return holders[0] ?? null;
}
