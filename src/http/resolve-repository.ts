/**
 * A repository named where the API wants its id. People know a repository by its path
 * (`acme/demo`), not by the UUID the API gave it, so the path is accepted too when exactly one
 * connection in reach has it; the same path on two hosts (GitHub and GitLab) is ambiguous and only
 * the id will do. The errors say so and where the ids are listed.
 */
import type { Database } from '../db/client.js';
import { findProjectRepository } from '../store/find-project-repository.js';
import type { RepositoryRecord, RepositoryStore } from '../store/issue-store.js';
import { HttpError } from './http-error.js';
import { isId } from './plain-schemas.js';
import { repositoriesUrlOf } from './project-urls.js';

const MAX_PATH = 300;
const NUL = String.fromCharCode(0);

/** An id: as given (the route looks it up in its project) or of the one connection with that path. */
export type RepositoryRef = { id: string } | { candidates: RepositoryRecord[] };

export async function resolveRepository(
  repositories: Pick<RepositoryStore, 'listByPath'>,
  projectIds: readonly string[] | null,
  value: string,
): Promise<RepositoryRef> {
  const path = value.replace(/^\/+|\/+$/g, '');
  if (isId(path)) return { id: path.toLowerCase() };
  const candidates = await connectionsWithPath(repositories, projectIds, path);
  return candidates.length === 1 ? { id: candidates[0]!.id } : { candidates };
}

async function connectionsWithPath(
  repositories: Pick<RepositoryStore, 'listByPath'>,
  projectIds: readonly string[] | null,
  path: string,
): Promise<RepositoryRecord[]> {
  // No host has such a path, and PostgreSQL refuses NUL characters.
  if (path === '' || path.length > MAX_PATH || path.includes(NUL)) return [];
  return repositories.listByPath(projectIds, path);
}

/**
 * The project's repository named by `value` (its id, or its path when one host has it), or the
 * route's error: `unknown` for one that is not in the project, `ambiguous_repository` for a shared path.
 */
export async function findNamedRepository(
  deps: { db: Database; stores: { repositories: Pick<RepositoryStore, 'listByPath'> } },
  project: { id: string; slug: string },
  value: string,
  unknown: { status: 400 | 404 | 422; code: string },
): Promise<NonNullable<Awaited<ReturnType<typeof findProjectRepository>>>> {
  const ref = await resolveRepository(deps.stores.repositories, [project.id], value);
  const found = 'id' in ref ? await findProjectRepository(deps.db, project.id, { id: ref.id }) : null;
  if (found) return found;
  throw repositoryRefError(project.slug, value, 'candidates' in ref ? ref.candidates : [], unknown);
}

/**
 * The error for a repository that is not in the project, or ambiguous there. `unknown` is the
 * route's status and code for a repository that is not there (404 in a path, 422 in a body).
 */
export function repositoryRefError(
  projectSlug: string,
  value: string,
  candidates: readonly RepositoryRecord[],
  unknown: { status: 400 | 404 | 422; code: string },
): HttpError {
  const where = `GET ${repositoriesUrlOf(projectSlug)} lists them with their ids`;
  if (candidates.length > 1) return ambiguousRepository(`in project ${projectSlug}`, where, value, candidates, unknown.status);
  return new HttpError(
    unknown.status,
    unknown.code,
    `Project ${projectSlug} has no repository "${value}". Send a repository's id, or its path (owner/name) when one host has it; ${where}.`,
  );
}

/** A path two connections share (GitHub and GitLab): only the id says which one is meant. */
export function ambiguousRepository(
  scope: string,
  where: string,
  value: string,
  candidates: readonly RepositoryRecord[],
  status: 400 | 404 | 422,
): HttpError {
  const hosts = candidates.map((repository) => `${repository.provider} ${repository.id}`).join(', ');
  return new HttpError(
    status,
    'ambiguous_repository',
    `"${value}" names ${candidates.length} repositories ${scope} (${hosts}); send the id of the one you mean: ${where}.`,
    { candidates: candidates.map(({ id, provider, fullPath, url }) => ({ id, provider, fullPath, url })) },
  );
}
