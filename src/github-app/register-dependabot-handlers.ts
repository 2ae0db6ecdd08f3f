/**
 * `dependabot_alert.*` (created, dismissed, fixed, reintroduced, reopened, auto_dismissed,
 * auto_reopened): the alert is upserted as a `security_alert`, its state following GitHub's, as the
 * payload carries it or, when the payload lacks what we store, as the API has it. A payload that does
 * not say which alert of which repository it is about is logged and acknowledged.
 */
import type { Probot } from 'probot';
import { writeLiveItem } from '../sync/write-live-item.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import { dependabotAlertEventSchema } from './github-webhook-schema.js';
import { resolveEventRepository } from './resolve-event-repository.js';
import { webhookEventItem } from './webhook-event-item.js';
import { webhookUnusablePayload } from './webhook-unusable-payload.js';

export function registerDependabotHandlers(app: Probot, deps: GitHubEventDeps): void {
  app.on('dependabot_alert', async (context) => {
    const parsed = dependabotAlertEventSchema.safeParse(context.payload);
    if (!parsed.success) return webhookUnusablePayload(deps.log, context, parsed.error, 'alert of which repository');
    const payload = parsed.data;
    const log = deps.log.child({ deliveryId: context.id, event: 'dependabot_alert', action: payload.action, alert: payload.alert.number });
    const repository = await resolveEventRepository(deps, context.id, payload, log);
    if (!repository) return;
    const item = await webhookEventItem(
      (context.payload as { alert?: unknown }).alert,
      { kind: 'alert', number: payload.alert.number, fullPath: repository.fullPath, repositoryUrl: repository.url },
      { octokit: context.octokit, apiUrl: deps.apiUrl, clock: deps.clock, log },
    );
    if (item) await writeLiveItem(deps.stores.issues, repository, item, log);
  });
}
