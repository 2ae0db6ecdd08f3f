/**
 * Keeps the comment that answers a /sync command up to date: every operation event that carries a
 * `github_comment` reply edits that comment with the operation's progress or result, in order and
 * never after the final result (src/webhooks/reply-listener.ts). An edit that fails is logged.
 */
import type { OperationListener } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import { createReplyListener } from '../webhooks/reply-listener.js';
import type { AppOctokit } from './probot-octokit-class.js';
import { syncReplyText } from './sync-reply-text.js';

export interface SyncReplyListenerDeps {
  /** An installation client (Probot's `app.auth(installationId)`). */
  auth(installationId: number): Promise<AppOctokit>;
  log: Logger;
  clock: () => Date;
}

export function createSyncReplyListener(deps: SyncReplyListenerDeps): OperationListener {
  return createReplyListener({
    kind: 'github_comment',
    text: (operation, reply) => syncReplyText(operation, { login: reply.login, now: deps.clock() }),
    async edit(operation, reply, body) {
      try {
        const octokit = await deps.auth(reply.installationId);
        await octokit.rest.issues.updateComment({ owner: reply.owner, repo: reply.repo, comment_id: reply.commentId, body });
        return true;
      } catch (error) {
        const log = deps.log.child({ operationId: operation.id, commentId: reply.commentId, repo: `${reply.owner}/${reply.repo}` });
        log.warn({ err: error, status: operation.status }, 'sync reply comment could not be edited');
        return false;
      }
    },
  });
}
