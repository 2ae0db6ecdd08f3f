/**
 * `issues.*` and `issue_comment.*`: any action upserts the issue it is about (a comment moves the
 * issue's `updated_at`), as the payload carries it or, when the payload lacks what we store (pinned
 * and unpinned issues come without their state), as the API has it; `deleted` and `transferred` close
 * the stored issue and say why. Pull requests and their comments are never stored. A payload that
 * does not say which issue of which repository it is about is logged and acknowledged.
 */
import type { Probot } from 'probot';
import { externalIdOf } from '../sync/external-id.js';
import { writeLiveItem } from '../sync/write-live-item.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import { issueCommentEventSchema, issuesEventSchema } from './github-webhook-schema.js';
import { resolveEventRepository } from './resolve-event-repository.js';
import { webhookEventItem } from './webhook-event-item.js';
import { webhookUnusablePayload } from './webhook-unusable-payload.js';

export function registerIssueHandlers(app: Probot, deps: GitHubEventDeps): void {
  app.on('issues', async (context) => {
    const parsed = issuesEventSchema.safeParse(context.payload);
    if (!parsed.success) return webhookUnusablePayload(deps.log, context, parsed.error, 'issue of which repository');
    const payload = parsed.data;
    const log = deps.log.child({ deliveryId: context.id, event: 'issues', action: payload.action, issue: payload.issue.number });
    if (payload.issue.pull_request != null) return;
    const repository = await resolveEventRepository(deps, context.id, payload, log);
    if (!repository) return;
    if (payload.action === 'deleted' || payload.action === 'transferred') {
      // The payload has no time for the deletion itself; it happened after the issue's last update.
      const now = deps.clock();
      const updatedAt = payload.issue.updated_at ? new Date(payload.issue.updated_at) : null;
      const issueId = String(payload.issue.number);
      const closed = await deps.goneIssues.markGone({
        projectId: repository.projectId,
        externalId: externalIdOf({ provider: 'github', repositoryUrl: repository.url, issueId }),
        at: updatedAt && updatedAt > now ? updatedAt : now,
        reason: payload.action,
        transferredTo: payload.changes?.new_issue?.html_url ?? null,
      });
      log.info({ repositoryId: repository.id, issueId, closed }, 'issue left the repository');
      return;
    }
    const item = await webhookEventItem(
      (context.payload as { issue?: unknown }).issue,
      { kind: 'issue', number: payload.issue.number, fullPath: repository.fullPath, repositoryUrl: repository.url },
      { octokit: context.octokit, apiUrl: deps.apiUrl, clock: deps.clock, log },
    );
    if (item) await writeLiveItem(deps.stores.issues, repository, item, log);
  });

  app.on('issue_comment', async (context) => {
    const parsed = issueCommentEventSchema.safeParse(context.payload);
    if (!parsed.success) return webhookUnusablePayload(deps.log, context, parsed.error, 'issue of which repository');
    const payload = parsed.data;
    if (payload.issue.pull_request != null) return;
    const log = deps.log.child({ deliveryId: context.id, event: 'issue_comment', action: payload.action, issue: payload.issue.number });
    const repository = await resolveEventRepository(deps, context.id, payload, log);
    if (!repository) return;
    const item = await webhookEventItem(
      (context.payload as { issue?: unknown }).issue,
      { kind: 'issue', number: payload.issue.number, fullPath: repository.fullPath, repositoryUrl: repository.url },
      { octokit: context.octokit, apiUrl: deps.apiUrl, clock: deps.clock, log },
    );
    if (item) await writeLiveItem(deps.stores.issues, repository, item, log);
  });
}
