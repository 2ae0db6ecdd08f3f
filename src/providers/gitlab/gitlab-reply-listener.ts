/**
 * Keeps the note that answers a GitLab /sync command up to date: every operation event that
 * carries a `gitlab_note` reply edits that note with the operation's progress or result, using the
 * token of the connection named in the reply.
 *
 * Edits of one operation run one after another, and nothing is edited after the final result, so a
 * slow progress edit can never overwrite it. An edit that fails is logged and never thrown: the sync
 * goes on whatever happens to its note.
 */
import type { OperationListener } from '../../jobs/sync-jobs.js';
import type { GitLabNoteReply, OperationRecord } from '../../store/issue-store.js';
import { syncReplyText } from '../../webhooks/sync-reply-text.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import { notesApiOf } from './gitlab-slash-note-handler.js';
import { GITLAB_WORDS } from './gitlab-slash-replies.js';

export type GitLabReplyListenerDeps = Pick<HostWebhookDeps, 'stores' | 'cipher' | 'apiUrl' | 'log' | 'clock'>;

/** How many finished operations are remembered, to drop their late progress events. */
const FINISHED_KEPT = 1000;

export function createGitLabReplyListener(deps: GitLabReplyListenerDeps): OperationListener {
  const queues = new Map<string, { tail: Promise<void>; lastBody: string | null }>();
  const finished = new Set<string>();

  const edit = async (operation: OperationRecord, reply: GitLabNoteReply, queue: { lastBody: string | null }) => {
    const body = syncReplyText(operation, { login: reply.username, now: deps.clock(), words: GITLAB_WORDS });
    if (body === queue.lastBody) return;
    const log = deps.log.child({ operationId: operation.id, noteId: reply.noteId, repositoryId: reply.repositoryId });
    try {
      const repository = await deps.stores.repositories.get(reply.repositoryId);
      const api = repository ? notesApiOf(deps, repository, reply.projectId, log) : null;
      if (!api) {
        log.warn({}, 'sync reply note not edited: the connection or its token is gone');
        return;
      }
      await api.editNote(reply.issueIid, reply.noteId, body);
      queue.lastBody = body;
    } catch (error) {
      log.warn({ err: error, status: operation.status }, 'sync reply note could not be edited');
    }
  };

  return (operation, event) => {
    const reply = operation.reply;
    if (reply?.kind !== 'gitlab_note' || finished.has(operation.id)) return;
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
