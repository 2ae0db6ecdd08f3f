/**
 * Keeps the comment that answers a /sync command up to date: every operation event that carries a
 * `github_comment` reply edits that comment with the operation's progress or result.
 *
 * Edits of one operation run one after another, and nothing is edited after the final result, so a
 * slow progress edit can never overwrite it. An edit that fails is logged and never thrown: the sync
 * goes on whatever happens to its comment.
 */
import type { OperationListener } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { AppOctokit } from './probot-octokit-class.js';
import type { OperationRecord, GitHubCommentReply } from '../store/issue-store.js';
import { syncReplyText } from './sync-reply-text.js';

export interface SyncReplyListenerDeps {
  /** An installation client (Probot's `app.auth(installationId)`). */
  auth(installationId: number): Promise<AppOctokit>;
  log: Logger;
  clock: () => Date;
}

/** How many finished operations are remembered, to drop their late progress events. */
const FINISHED_KEPT = 1000;

export function createSyncReplyListener(deps: SyncReplyListenerDeps): OperationListener {
  const queues = new Map<string, { tail: Promise<void>; lastBody: string | null }>();
  const finished = new Set<string>();

  const edit = async (operation: OperationRecord, reply: GitHubCommentReply, queue: { lastBody: string | null }) => {
    const body = syncReplyText(operation, { login: reply.login, now: deps.clock() });
    if (body === queue.lastBody) return;
    const log = deps.log.child({ operationId: operation.id, commentId: reply.commentId, repo: `${reply.owner}/${reply.repo}` });
    try {
      const octokit = await deps.auth(reply.installationId);
      await octokit.rest.issues.updateComment({ owner: reply.owner, repo: reply.repo, comment_id: reply.commentId, body });
      queue.lastBody = body;
    } catch (error) {
      log.warn({ err: error, status: operation.status }, 'sync reply comment could not be edited');
    }
  };

  return (operation, event) => {
    const reply = operation.reply;
    if (reply?.kind !== 'github_comment' || finished.has(operation.id)) return;
    if (event === 'finished') {
      finished.add(operation.id);
      if (finished.size > FINISHED_KEPT) finished.delete(finished.values().next().value!);
    }
    const queue = queues.get(operation.id) ?? { tail: Promise.resolve(), lastBody: null };
    queue.tail = queue.tail.then(() => edit(operation, reply, queue));
    queues.set(operation.id, queue);
    if (event === 'progress') return queue.tail;
    return queue.tail.finally(() => queues.delete(operation.id));
  };
}
