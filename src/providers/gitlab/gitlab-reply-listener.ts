/**
 * Keeps the note that answers a GitLab /sync command up to date: every operation event that
 * carries a `gitlab_note` reply edits that note with the operation's progress or result, using the
 * token of the connection named in the reply.
 *
 * Edits run in order and never after the final result (src/webhooks/reply-listener.ts); an edit
 * that fails is logged.
 */
import type { OperationListener } from '../../jobs/sync-jobs.js';
import { createReplyListener } from '../../webhooks/reply-listener.js';
import { syncReplyText } from '../../webhooks/sync-reply-text.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import { notesApiOf } from './gitlab-slash-note-handler.js';
import { GITLAB_WORDS } from './gitlab-slash-replies.js';

export type GitLabReplyListenerDeps = Pick<HostWebhookDeps, 'stores' | 'cipher' | 'apiUrl' | 'log' | 'clock' | 'observeRequests'>;

export function createGitLabReplyListener(deps: GitLabReplyListenerDeps): OperationListener {
  return createReplyListener({
    kind: 'gitlab_note',
    text: (operation, reply) => syncReplyText(operation, { login: reply.username, now: deps.clock(), words: GITLAB_WORDS }),
    async edit(operation, reply, body) {
      const log = deps.log.child({ operationId: operation.id, noteId: reply.noteId, repositoryId: reply.repositoryId });
      try {
        const repository = await deps.stores.repositories.get(reply.repositoryId);
        const api = repository ? notesApiOf(deps, repository, reply.projectId, log) : null;
        if (!api) {
          log.warn({}, 'sync reply note not edited: the connection or its token is gone');
          return false;
        }
        await api.editNote(reply.issueIid, reply.noteId, body);
        return true;
      } catch (error) {
        log.warn({ err: error, status: operation.status }, 'sync reply note could not be edited');
        return false;
      }
    },
  });
}
