/**
 * `repository.renamed` and `repository.transferred` move a connection to its new path and URL (its
 * issues' external ids follow); `repository.deleted` deactivates it and keeps its issues. Other
 * actions (created, edited, privatized, archived…) are acknowledged and ignored, and so is a payload
 * that does not say which repository it is about (logged).
 */
import type { Probot } from 'probot';
import type { GitHubEventDeps } from './github-event-deps.js';
import { repositoryEventSchema } from './github-webhook-schema.js';
import { repositoryWebUrl } from './repository-web-url.js';
import { webhookUnusablePayload } from './webhook-unusable-payload.js';

const HANDLED = new Set(['renamed', 'transferred', 'deleted']);

export function registerRepositoryHandlers(app: Probot, deps: GitHubEventDeps): void {
  app.on('repository', async (context) => {
    const { action } = context.payload as { action?: unknown };
    if (typeof action !== 'string' || !HANDLED.has(action)) {
      deps.log.debug({ deliveryId: context.id, event: 'repository', action }, 'repository action ignored');
      return;
    }
    const parsed = repositoryEventSchema.safeParse(context.payload);
    if (!parsed.success) return webhookUnusablePayload(deps.log, context, parsed.error, 'repository');
    const payload = parsed.data;
    const repo = payload.repository.full_name;
    const log = deps.log.child({ deliveryId: context.id, event: 'repository', action: payload.action, repo });
    const installation = payload.installation ? await deps.installations.findByGitHubId(payload.installation.id) : null;
    if (!installation) {
      log.debug({}, 'repository event of an unknown installation ignored');
      return;
    }
    const connection = await deps.installationRepositories.find(installation.projectId, {
      externalRepoId: String(payload.repository.id),
      fullPath: repo,
    });
    if (!connection) {
      log.debug({}, 'repository event for a repository that is not connected ignored');
      return;
    }
    if (payload.action === 'deleted') {
      await deps.installationRepositories.deactivate(connection.id);
      log.info({ repositoryId: connection.id }, 'repository deleted on GitHub; connection deactivated, data kept');
      return;
    }
    const url = repositoryWebUrl(repo, { htmlUrl: payload.repository.html_url, apiUrl: deps.apiUrl });
    await deps.installationRepositories.move(connection.id, { fullPath: repo, url });
    log.info({ repositoryId: connection.id, from: connection.fullPath, to: repo }, 'repository moved');
  });
}
