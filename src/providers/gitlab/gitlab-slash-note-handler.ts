/**
 * Answers a /sync command in a GitLab issue note. The webhook handler has already dropped bots,
 * notes without a command and projects that are not connected (no API call for any of them); this
 * runs after the delivery is answered, since every step calls GitLab.
 *
 * Order: the author's access is checked first (Developer or more, `members/all`, so inherited
 * membership counts), so nobody below that can make issue-sync speak more than one refusal. Award
 * emoji on the command note: `eyes` when a sync was started or one is already at work, `thumbsup`
 * when the command is answered at once (help, status, confirmation request), `confused` for a
 * command it does not understand; none on a refusal.
 *
 * A started sync is answered with one note, created first and passed to the job as its reply: the
 * reply listener (gitlab-reply-listener.ts) edits that note with progress and the result.
 */
import { DEFAULT_STALE_AFTER_MS } from '../../jobs/claim-operation.js';
import { isOwnerGone } from '../../jobs/process-owner.js';
import type { Logger } from '../../logger.js';
import type { GitLabNoteReply, OperationRecord, RepositoryRecord, SyncType } from '../../store/issue-store.js';
import type { SlashCommand } from '../../webhooks/slash-command.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import { createGitLabNotesApi, type AwardEmoji, type GitLabNotesApi } from './gitlab-notes-api.js';
import { gitlabSlashReplies as replies } from './gitlab-slash-replies.js';

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

export type SlashNoteDeps = Pick<HostWebhookDeps, 'stores' | 'jobs' | 'cipher' | 'apiUrl' | 'log' | 'clock'>;

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
    const now = deps.clock();
    if (command.kind === 'sync' && !(command.includeClosed && !command.confirmed)) {
      await startSync(deps, { note, command, gitlab, log, now });
      return;
    }
    await gitlab.award(command.kind === 'invalid' ? 'confused' : 'thumbsup');
    await gitlab.note(await answer(deps, { command, repository, username: user.username, now }));
  } catch (error) {
    log.error({ err: error }, 'slash command failed');
    // Only people allowed to run /sync hear about it, so nobody else can make issue-sync speak.
    if (allowed) await gitlab.note(replies.failed(user.username));
  }
}

/** The API with the connection's own token, against its instance (or the configured one); null without a token. */
export function notesApiOf(
  deps: Pick<HostWebhookDeps, 'cipher' | 'apiUrl'>,
  repository: RepositoryRecord,
  projectId: number,
  log: Logger,
): GitLabNotesApi | null {
  if (!repository.encryptedToken) return null;
  return createGitLabNotesApi({
    instanceUrl: repository.apiUrl ?? deps.apiUrl,
    token: deps.cipher.decrypt(repository.encryptedToken),
    projectId,
    projectPath: repository.fullPath,
    log,
  });
}

async function startSync(
  deps: SlashNoteDeps,
  input: { note: SlashNote; command: { syncType: SyncType; includeClosed: boolean }; gitlab: Answers; log: Logger; now: Date },
): Promise<void> {
  const { note, command, gitlab, log, now } = input;
  const { repository, user } = note;
  const active = await deps.stores.operations.findActive(repository.id);
  if (active && isAlive(active, now)) {
    await gitlab.award('eyes');
    await gitlab.note(replies.alreadyRunning(user.username, active, now, note.projectUrl));
    return;
  }
  const noteId = await gitlab.note(replies.started(user.username, command.syncType, command.includeClosed));
  const reply: GitLabNoteReply | null =
    noteId === null
      ? null
      : { kind: 'gitlab_note', repositoryId: repository.id, projectId: note.projectId, issueIid: note.issueIid, noteId, username: user.username };
  const started = await deps.jobs.start({
    projectId: repository.projectId,
    repositoryId: repository.id,
    syncType: command.syncType,
    includeClosed: command.includeClosed,
    trigger: 'slash_command',
    requestedBy: null,
    reply,
  });
  log.info({ operationId: started.operation.id, status: started.status, syncType: command.syncType }, 'slash command sync');
  await gitlab.award('eyes');
  // Another sync won the race between the check above and the start: say so in the note made for this one.
  if (started.status === 'already_running' && noteId !== null) {
    await gitlab.edit(noteId, replies.alreadyRunning(user.username, started.operation, now, note.projectUrl));
  }
}

/** The note for a command answered at once. */
async function answer(
  deps: SlashNoteDeps,
  input: { command: SlashCommand; repository: RepositoryRecord; username: string; now: Date },
): Promise<string> {
  const { command, repository, username, now } = input;
  switch (command.kind) {
    case 'invalid':
      return replies.help(username, command.message);
    case 'help':
      return replies.help(username);
    case 'status': {
      const active = await deps.stores.operations.findActive(repository.id);
      if (active) return replies.running(username, active, now);
      const latest = await deps.stores.operations.findLatest(repository.id);
      return latest ? replies.lastSync(username, latest, now) : replies.neverSynced(username);
    }
    case 'sync':
      return replies.confirmClosed(username, command.syncType);
  }
}

/** The same rule the job runner uses before it takes over an operation whose process is gone. */
function isAlive(operation: OperationRecord, now: Date): boolean {
  const silentFor = now.getTime() - (operation.heartbeatAt ?? operation.createdAt).getTime();
  return !isOwnerGone(operation.jobId) && silentFor < DEFAULT_STALE_AFTER_MS;
}

type Answers = ReturnType<typeof answers>;

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
