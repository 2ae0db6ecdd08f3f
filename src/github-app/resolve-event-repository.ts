/**
 * The repository connection a live event belongs to. Events come with their installation; one whose
 * installation is unknown (or removed) is ignored. A repository of a known installation that has no
 * active connection yet (added while this service was not running) is connected on the spot and
 * backfilled; one whose path changed without us hearing of it follows its new path. The
 * installation and connection are those the receiver looked up with the delivery's claim, when it
 * did (DeliveryTargets); otherwise they are looked up here.
 */
import type { Logger } from '../logger.js';
import type { InstallationRepositoryRecord } from '../store/prisma-installation-repository-store.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import type { RepositoryRef } from './github-webhook-schema.js';
import { repositoryWebUrl } from './repository-web-url.js';
import { startBackfills } from './start-backfills.js';

export async function resolveEventRepository(
  deps: GitHubEventDeps,
  deliveryId: string,
  event: { installation?: { id: number } | undefined; repository: RepositoryRef },
  log: Logger,
): Promise<InstallationRepositoryRecord | null> {
  const repo = event.repository.full_name;
  if (!event.installation) {
    log.debug({ repo }, 'event without an installation ignored');
    return null;
  }
  const externalRepoId = String(event.repository.id);
  const known = deps.deliveryTargets.get(deliveryId, event.installation.id, externalRepoId);
  const installation = known ? known.installation : await deps.installations.findByGitHubId(event.installation.id);
  if (!installation?.active) {
    log.debug({ repo, installationId: event.installation.id }, 'event of an unknown or inactive installation ignored');
    return null;
  }
  const url = repositoryWebUrl(repo, { htmlUrl: event.repository.html_url, apiUrl: deps.apiUrl });
  const found = known ? known.repository : await deps.installationRepositories.find(installation.projectId, { externalRepoId, fullPath: repo });
  if (found?.active) {
    if (found.externalRepoId === externalRepoId && event.repository.html_url && found.url !== url) {
      await deps.installationRepositories.move(found.id, { fullPath: repo, url });
      log.info({ repositoryId: found.id, from: found.fullPath, to: repo }, 'repository path updated from a live event');
      return { ...found, fullPath: repo, url };
    }
    return found;
  }
  const [connected] = await deps.installationRepositories.connect(installation, [{ externalRepoId, fullPath: repo, url }], deps.clock());
  log.info({ repositoryId: connected!.id, repo }, 'repository connected from a live event');
  startBackfills(deps, [connected!], { log });
  return connected!;
}
