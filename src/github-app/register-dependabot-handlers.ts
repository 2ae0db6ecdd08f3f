/**
 * `dependabot_alert.*` (created, dismissed, fixed, reintroduced, reopened, auto_dismissed,
 * auto_reopened): the alert is upserted as a `security_alert`; its state follows GitHub's.
 */
import type { Probot } from 'probot';
import { normalizeDependabotAlert } from '../providers/github/normalize-dependabot-alert.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import { dependabotAlertEventSchema } from './github-webhook-schema.js';
import { resolveEventRepository } from './resolve-event-repository.js';
import { writeLiveItem } from '../sync/write-live-item.js';

export function registerDependabotHandlers(app: Probot, deps: GitHubEventDeps): void {
  app.on('dependabot_alert', async (context) => {
    const payload = dependabotAlertEventSchema.parse(context.payload);
    const log = deps.log.child({ deliveryId: context.id, event: 'dependabot_alert', action: payload.action, alert: payload.alert.number });
    const repository = await resolveEventRepository(deps, payload, log);
    if (!repository) return;
    await writeLiveItem(deps.stores.issues, repository, normalizeDependabotAlert(payload.alert, repository.url), log);
  });
}
