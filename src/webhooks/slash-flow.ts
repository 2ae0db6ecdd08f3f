/**
 * What a /sync command does once its author may run it on a connected repository, on any host: a
 * sync command starts one sync (or says which one runs), anything else is answered at once. The
 * host brings its words (`SlashTexts`) and its ways to answer (`SlashAnswers`: a reaction, a
 * comment or note, an edit); the GitHub App and the GitLab note handler both come through here.
 *
 * Reactions: `working` when a sync was started or one is already at work, `answered` when the
 * command is answered at once (help, status, confirmation request), `confused` for a command that
 * is not understood. A started sync is answered with one post, created first and passed to the job
 * as its reply: the host's reply listener edits it with progress and the result.
 */
import { DEFAULT_STALE_AFTER_MS } from '../jobs/claim-operation.js';
import { isOwnerGone } from '../jobs/process-owner.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { OperationRecord, OperationReply, OperationStore, RepositoryRecord, SyncType } from '../store/issue-store.js';
import type { SlashCommand } from './slash-command.js';

export interface SlashTexts {
  help(user: string, problem?: string): string;
  confirmClosed(user: string, syncType: SyncType): string;
  started(user: string, syncType: SyncType, includeClosed: boolean): string;
  /** `repositoryUrl`: the repository's web URL, to link the running sync's own post. */
  alreadyRunning(user: string, operation: OperationRecord, now: Date, repositoryUrl: string): string;
  running(user: string, operation: OperationRecord, now: Date): string;
  lastSync(user: string, operation: OperationRecord, now: Date): string;
  neverSynced(user: string): string;
}

/** The host's answers on the command's issue; failures are the host's to log, never thrown. */
export interface SlashAnswers {
  react(reaction: 'working' | 'answered' | 'confused'): Promise<void>;
  /** The new post's id, or null when it could not be created. */
  post(body: string): Promise<number | null>;
  edit(postId: number, body: string): Promise<void>;
}

export interface SlashFlowInput {
  command: SlashCommand;
  repository: RepositoryRecord;
  /** The author's name on the host, mentioned in the answers. */
  user: string;
  repositoryUrl: string;
  texts: SlashTexts;
  answers: SlashAnswers;
  /** Where the sync's progress is reported: the post just created. */
  replyTo(postId: number): OperationReply;
  log: Logger;
  now: Date;
}

export async function runSlashCommand(
  deps: { operations: OperationStore; jobs: Pick<SyncJobs, 'start'> },
  input: SlashFlowInput,
): Promise<void> {
  const { command, texts, answers, user } = input;
  if (command.kind === 'sync' && !(command.includeClosed && !command.confirmed)) {
    await startSync(deps, { ...input, command });
    return;
  }
  await answers.react(command.kind === 'invalid' ? 'confused' : 'answered');
  await answers.post(await answerNow(deps.operations, command, input.repository, texts, user, input.now));
}

async function startSync(
  deps: { operations: OperationStore; jobs: Pick<SyncJobs, 'start'> },
  input: SlashFlowInput & { command: { syncType: SyncType; includeClosed: boolean } },
): Promise<void> {
  const { repository, command, texts, answers, user, now } = input;
  const active = await deps.operations.findActive(repository.id);
  if (active && isAlive(active, now)) {
    await answers.react('working');
    await answers.post(texts.alreadyRunning(user, active, now, input.repositoryUrl));
    return;
  }
  const postId = await answers.post(texts.started(user, command.syncType, command.includeClosed));
  const started = await deps.jobs.start({
    projectId: repository.projectId,
    repositoryId: repository.id,
    syncType: command.syncType,
    includeClosed: command.includeClosed,
    trigger: 'slash_command',
    requestedBy: null,
    reply: postId === null ? null : input.replyTo(postId),
  });
  input.log.info({ operationId: started.operation.id, status: started.status, syncType: command.syncType }, 'slash command sync');
  await answers.react('working');
  // Another sync won the race between the check above and the start: say so in the post made for this one.
  if (started.status === 'already_running' && postId !== null) {
    await answers.edit(postId, texts.alreadyRunning(user, started.operation, now, input.repositoryUrl));
  }
}

/** The answer to a command that needs no sync. */
async function answerNow(
  operations: OperationStore,
  command: SlashCommand,
  repository: RepositoryRecord,
  texts: SlashTexts,
  user: string,
  now: Date,
): Promise<string> {
  switch (command.kind) {
    case 'invalid':
      return texts.help(user, command.message);
    case 'help':
      return texts.help(user);
    case 'status': {
      const active = await operations.findActive(repository.id);
      if (active) return texts.running(user, active, now);
      const latest = await operations.findLatest(repository.id);
      return latest ? texts.lastSync(user, latest, now) : texts.neverSynced(user);
    }
    case 'sync':
      return texts.confirmClosed(user, command.syncType);
  }
}

/** The same rule the job runner uses before it takes over an operation whose process is gone. */
function isAlive(operation: OperationRecord, now: Date): boolean {
  const silentFor = now.getTime() - (operation.heartbeatAt ?? operation.createdAt).getTime();
  return !isOwnerGone(operation.jobId) && silentFor < DEFAULT_STALE_AFTER_MS;
}
