/**
 * Installing the App is all it takes: `installation.created` and `installation_repositories.added`
 * create the installation's project and a connection per repository, and start a backfill of each.
 * Removing repositories, suspending or deleting the installation deactivates the connections and
 * keeps their issues; unsuspending reactivates them and catches up on what was missed meanwhile.
 * Other actions are acknowledged and ignored. A payload without a usable installation id is logged and
 * acknowledged; a listed repository without a usable id and name is logged and skipped (the first live
 * event of that repository connects it).
 */
import type { Probot } from 'probot';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { InstallationRecord } from '../store/prisma-installation-store.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import {
  describePayloadProblem,
  installationEventSchema,
  installationRepositoriesEventSchema,
  installedRepositorySchema,
  type InstallationPayload,
  type InstalledRepository,
} from './github-webhook-schema.js';
import { repositoryWebUrl } from './repository-web-url.js';
import { startBackfills } from './start-backfills.js';
import { webhookUnusablePayload } from './webhook-unusable-payload.js';

export function registerInstallationHandlers(app: Probot, deps: GitHubEventDeps): void {
  app.on('installation', async (context) => {
    const parsed = installationEventSchema.safeParse(context.payload);
    if (!parsed.success) return webhookUnusablePayload(deps.log, context, parsed.error, 'installation');
    const payload = parsed.data;
    const githubInstallationId = payload.installation.id;
    const log = deps.log.child({ deliveryId: context.id, event: 'installation', action: payload.action, githubInstallationId });
    switch (payload.action) {
      case 'created': {
        const installation = await ensureInstallation(deps, payload.installation);
        log.info({ installationId: installation.id, projectId: installation.projectId }, 'installation created');
        await connectRepositories(deps, installation, payload.installation, usableRepositories(payload.repositories ?? [], installedRepositorySchema, log), log);
        return;
      }
      case 'deleted':
      case 'suspend': {
        const state = payload.action === 'deleted' ? 'deleted' : 'suspended';
        const installation = await deps.installations.setState(githubInstallationId, state, deps.clock());
        log.info({ installationId: installation?.id ?? null, state }, 'installation deactivated; its data is kept');
        return;
      }
      case 'unsuspend': {
        const installation = await deps.installations.setState(githubInstallationId, 'active', deps.clock());
        if (!installation) {
          log.debug({}, 'unsuspend of an unknown installation ignored');
          return;
        }
        const repositories = await deps.installationRepositories.listActive(installation.id);
        log.info({ installationId: installation.id, repositories: repositories.length }, 'installation reactivated');
        // Nothing was delivered while it was suspended: catch up from each repository's watermarks.
        startBackfills(deps, repositories, { log, incremental: true });
        return;
      }
      default:
        log.debug({}, 'installation event ignored');
    }
  });

  app.on('installation_repositories', async (context) => {
    const parsed = installationRepositoriesEventSchema.safeParse(context.payload);
    if (!parsed.success) return webhookUnusablePayload(deps.log, context, parsed.error, 'installation');
    const payload = parsed.data;
    const log = deps.log.child({
      deliveryId: context.id,
      event: 'installation_repositories',
      action: payload.action,
      githubInstallationId: payload.installation.id,
    });
    const added = usableRepositories(payload.repositories_added, installedRepositorySchema, log);
    const removed = usableRepositories(payload.repositories_removed, removedRepositorySchema, log);
    if (added.length > 0) {
      const installation = await ensureInstallation(deps, payload.installation);
      await connectRepositories(deps, installation, payload.installation, added, log);
    }
    if (removed.length > 0) {
      const installation = await deps.installations.findByGitHubId(payload.installation.id);
      if (!installation) {
        log.debug({}, 'repositories removed from an unknown installation ignored');
        return;
      }
      const count = await deps.installationRepositories.remove(
        installation.id,
        removed.map((repository) => String(repository.id)),
      );
      log.info({ installationId: installation.id, removed: count }, 'repositories removed from the installation; their data is kept');
    }
  });
}

/** A removed repository needs only its id. */
const removedRepositorySchema = installedRepositorySchema.partial({ full_name: true });

/** The entries of a repository list we can use; the others are logged and skipped. */
function usableRepositories<T>(entries: readonly unknown[], schema: z.ZodType<T>, log: Logger): T[] {
  const usable: T[] = [];
  for (const entry of entries) {
    const parsed = schema.safeParse(entry);
    if (parsed.success) usable.push(parsed.data);
    else log.warn({ problem: describePayloadProblem(parsed.error) }, 'listed repository without a usable id and name skipped');
  }
  return usable;
}

function ensureInstallation(deps: GitHubEventDeps, installation: InstallationPayload): Promise<InstallationRecord> {
  const account = installation.account;
  return deps.installations.ensure({
    githubInstallationId: installation.id,
    accountLogin: account?.login ?? account?.slug ?? `installation-${installation.id}`,
    accountType: account?.type ?? null,
  });
}

async function connectRepositories(
  deps: GitHubEventDeps,
  installation: InstallationRecord,
  payload: InstallationPayload,
  repositories: readonly InstalledRepository[],
  log: Logger,
): Promise<void> {
  const connected = await deps.installationRepositories.connect(
    installation,
    repositories.map((repository) => ({
      externalRepoId: String(repository.id),
      fullPath: repository.full_name,
      url: repositoryWebUrl(repository.full_name, { accountHtmlUrl: payload.account?.html_url, apiUrl: deps.apiUrl }),
    })),
    deps.clock(),
  );
  log.info({ installationId: installation.id, projectId: installation.projectId, repositories: connected.length }, 'repositories connected');
  startBackfills(deps, connected, { log });
}
