/**
 * The active GitLab connections a hook's project belongs to: by path (`group/sub/name`), by the
 * numeric id a connection may be named with (`repos add --repo 42`), and by the project id stored in
 * `externalRepoId`, which survives a rename or transfer. Several: the project is connected in more
 * than one issue-sync project. Connections on another GitLab instance with the same path are left
 * out: the project's `web_url` tells its instance.
 */
import type { RepositoryRecord } from '../../store/issue-store.js';
import { toRepositoryRecord } from '../../store/prisma-repository-store.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import type { HookProject } from './gitlab-webhook-schema.js';

export async function findGitLabConnections(
  deps: Pick<HostWebhookDeps, 'stores' | 'db'>,
  project: HookProject,
): Promise<RepositoryRecord[]> {
  const [byPath, byIdPath, byExternalId] = await Promise.all([
    deps.stores.repositories.listByPath(null, project.path_with_namespace),
    deps.stores.repositories.listByPath(null, String(project.id)),
    deps.db.prisma.repositoryConnection
      .findMany({ where: { provider: 'gitlab', active: true, externalRepoId: String(project.id) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
      .then((rows) => rows.map(toRepositoryRecord)),
  ]);
  const instance = originOf(project.web_url);
  const found = new Map<string, RepositoryRecord>();
  for (const repository of [...byPath, ...byIdPath, ...byExternalId]) {
    if (repository.provider !== 'gitlab' || !repository.active) continue;
    const origin = originOf(repository.url);
    if (instance && origin && origin !== instance) continue;
    found.set(repository.id, repository);
  }
  return [...found.values()];
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return null;
  }
}
