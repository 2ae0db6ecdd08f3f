/**
 * `issues.*` and `issue_comment.*`: any action upserts the issue it carries (a comment moves the
 * issue's `updated_at`); `deleted` and `transferred` close the stored issue and say why. Pull
 * requests and their comments are never stored.
 */
import type { Probot } from 'probot';
import { externalIdOf } from '../sync/external-id.js';
import { normalizeGitHubIssue } from '../providers/github/normalize-github-issue.js';
import type { GitHubEventDeps } from './github-event-deps.js';
import { issueCommentEventSchema, issuesEventSchema } from './github-webhook-schema.js';
import { resolveEventRepository } from './resolve-event-repository.js';
import { writeLiveItem } from '../sync/write-live-item.js';

export function registerIssueHandlers(app: Probot, deps: GitHubEventDeps): void {
  app.on('issues', async (context) => {
    const payload = issuesEventSchema.parse(context.payload);
    const log = deps.log.child({ deliveryId: context.id, event: 'issues', action: payload.action, issue: payload.issue.number });
    if (payload.issue.pull_request) return;
    const repository = await resolveEventRepository(deps, payload, log);
    if (!repository) return;
    const item = normalizeGitHubIssue(payload.issue, repository.url);
    if (payload.action === 'deleted' || payload.action === 'transferred') {
      // The payload has no time for the deletion itself; it happened after the issue's last update.
      const now = deps.clock();
      const closed = await deps.goneIssues.markGone({
        projectId: repository.projectId,
        externalId: externalIdOf(item),
        at: now > item.updatedAt ? now : item.updatedAt,
        reason: payload.action,
        transferredTo: payload.changes?.new_issue?.html_url ?? null,
      });
      log.info({ repositoryId: repository.id, issueId: item.issueId, closed }, 'issue left the repository');
      return;
    }
    await writeLiveItem(deps.stores.issues, repository, item, log);
  });

  app.on('issue_comment', async (context) => {
    const payload = issueCommentEventSchema.parse(context.payload);
    if (payload.issue.pull_request) return;
    const log = deps.log.child({ deliveryId: context.id, event: 'issue_comment', action: payload.action, issue: payload.issue.number });
    const repository = await resolveEventRepository(deps, payload, log);
    if (!repository) return;
    await writeLiveItem(deps.stores.issues, repository, normalizeGitHubIssue(payload.issue, repository.url), log);
  });
}
