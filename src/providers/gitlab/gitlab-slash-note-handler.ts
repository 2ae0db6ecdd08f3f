/**
 * Answers a /sync command in a GitLab issue note. The webhook handler has already dropped bots,
 * notes without a command and projects that are not connected (no API call for any of them); this
 * runs after the delivery is answered, since every step calls GitLab.
 *
 * Order: the author's access is checked first (Developer or more, `members/all`, so inherited
 * membership counts), so nobody below that can make issue-sync speak more than one refusal; then
 * the command runs as on every host (src/webhooks/slash-flow.ts), answered with award emoji
 * (`eyes`, `thumbsup`, `confused`; none on a refusal) and notes, the started sync's note edited by
 * the reply listener (gitlab-reply-listener.ts).
 */
import type { Logger } from '../../logger.js';
import { tokenRequestObserver } from '../../metrics/quota-label.js';
import type { GitLabNoteReply, RepositoryRecord } from '../../store/issue-store.js';
import type { SlashCommand } from '../../webhooks/slash-command.js';
import { runSlashCommand } from '../../webhooks/slash-flow.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import { createGitLabNotesApi, type AwardEmoji, type GitLabNotesApi } from './gitlab-notes-api.js';
import { gitlabSlashReplies as replies } from './gitlab-slash-replies.js';

/** The award emoji for each reaction of the shared /sync flow. */
const EMOJI: Record<'working' | 'answered' | 'confused', AwardEmoji> = { working: 'eyes', answered: 'thumbsup', confused: 'confused' };

/** GitLab's Developer role: the least that may run /sync (as write access on GitHub). */
export const DEVELOPER_ACCESS = 30;

export interface SlashNote {
  command: SlashCommand;
  /** The connection whose token answers, and which is synced. */
  repository: RepositoryRecord;
  projectId: number;
  projectPath: string;
  /** The project's web URL. */
  projectUrl: string;
  issueIid: number;
  noteId: number;
  user: { id: number; username: string };
  /** The command was an internal note: the answers are internal too. */
  internal: boolean;
}

export type SlashNoteDeps = Pick<HostWebhookDeps, 'stores' | 'jobs' | 'cipher' | 'apiUrl' | 'log' | 'clock' | 'observeRequests'>;

export async function handleSlashNote(deps: SlashNoteDeps, note: SlashNote): Promise<void> {
  const { command, repository, user } = note;
  const log = deps.log.child({
    repositoryId: repository.id,
    project: note.projectPath,
    issueIid: note.issueIid,
    noteId: note.noteId,
    username: user.username,
    command: command.kind,
  });
  const api = notesApiOf(deps, repository, note.projectId, log);
  if (!api) {
    log.warn({}, 'slash command ignored: the connection has no token to answer with');
    return;
  }
  const gitlab = answers(api, note, log);

  let allowed = false;
  try {
    const level = await api.accessLevel(user.id).then(
      (found) => ({ found }),
      (error: unknown) => {
        log.warn({ err: error }, 'slash command: access check failed');
        return null;
      },
    );
    if (!level) {
      await gitlab.note(replies.permissionUnknown(user.username));
      return;
    }
    if (level.found === null || level.found < DEVELOPER_ACCESS) {
      log.info({ accessLevel: level.found }, 'slash command refused');
      await gitlab.note(replies.refused(user.username, level.found));
      return;
    }
    allowed = true;
    await runSlashCommand(
      { operations: deps.stores.operations, jobs: deps.jobs },
      {
        command,
        repository,
        user: user.username,
        repositoryUrl: note.projectUrl,
        texts: replies,
        answers: {
          react: (reaction) => gitlab.award(EMOJI[reaction]),
          post: (body) => gitlab.note(body),
          edit: (noteId, body) => gitlab.edit(noteId, body),
        },
        replyTo: (noteId): GitLabNoteReply => ({
          kind: 'gitlab_note',
          repositoryId: repository.id,
          projectId: note.projectId,
          issueIid: note.issueIid,
          noteId,
          username: user.username,
        }),
        log,
        now: deps.clock(),
      },
    );
  } catch (error) {
    log.error({ err: error }, 'slash command failed');
    // Only people allowed to run /sync hear about it, so nobody else can make issue-sync speak.
    if (allowed) await gitlab.note(replies.failed(user.username));
  }
}

/** The API with the connection's own token, against its instance (or the configured one); null without a token. */
export function notesApiOf(
  deps: Pick<HostWebhookDeps, 'cipher' | 'apiUrl' | 'observeRequests'>,
  repository: RepositoryRecord,
  projectId: number,
  log: Logger,
): GitLabNotesApi | null {
  if (!repository.encryptedToken) return null;
  const token = deps.cipher.decrypt(repository.encryptedToken);
  return createGitLabNotesApi({
    instanceUrl: repository.apiUrl ?? deps.apiUrl,
    token,
    projectId,
    projectPath: repository.fullPath,
    log,
    ...tokenRequestObserver(deps.observeRequests, repository.provider, token),
  });
}

/** Emoji and notes on the command's issue; failures are logged, never thrown. */
function answers(api: GitLabNotesApi, note: SlashNote, log: Logger) {
  return {
    async award(name: AwardEmoji): Promise<void> {
      await api.award(note.issueIid, note.noteId, name).catch((error: unknown) => log.warn({ err: error, name }, 'slash command emoji failed'));
    },
    /** The new note's id, or null when it could not be created. */
    async note(body: string): Promise<number | null> {
      try {
        return await api.createNote(note.issueIid, body, { internal: note.internal });
      } catch (error) {
        log.warn({ err: error }, 'slash command reply could not be posted');
        return null;
      }
    },
    async edit(noteId: number, body: string): Promise<void> {
      await api.editNote(note.issueIid, noteId, body).catch((error: unknown) => log.warn({ err: error, noteId }, 'slash command reply could not be edited'));
    },
  };
}
