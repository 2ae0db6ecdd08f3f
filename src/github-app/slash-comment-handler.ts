/**
 * Answers a /sync command in a new issue or pull request comment.
 *
 * Order: bots are ignored, and so is a comment without a command (no HTTP call in either case);
 * then the installation must be one of ours (else the comment is ignored quietly: an installation we
 * never recorded has no project to sync into, and the install backfill will create it); then the
 * commenter's access is checked, so nobody without write access can make the app speak; then the
 * repository must be connected. Reactions: `eyes` when a sync was started or one is already at
 * work, `+1` when the command is answered at once (help, status, confirmation request), `confused`
 * for a command it does not understand; none on a refusal.
 *
 * A started sync is answered with one comment, created first and passed to the job as its reply:
 * the reply listener edits that comment with progress and the result.
 */
import type { Context } from 'probot';
import { DEFAULT_STALE_AFTER_MS } from '../jobs/claim-operation.js';
import { isOwnerGone } from '../jobs/process-owner.js';
import type { Logger } from '../logger.js';
import type { OperationRecord, OperationReply, RepositoryRecord, SyncType } from '../store/issue-store.js';
import { parseSlashCommand, type SlashCommand } from '../webhooks/slash-command.js';
import type { GitHubAppDeps } from './github-app-deps.js';
import { slashPermission } from './slash-permission.js';
import { slashReplies } from './slash-replies.js';
import { slashRepository } from './slash-repository.js';

type CommentContext = Context<'issue_comment.created'>;
type Reaction = 'eyes' | '+1' | 'confused';

interface Place {
  installationId: number;
  owner: string;
  repo: string;
  issueNumber: number;
  commentId: number;
  login: string;
  /** The repository's web URL. */
  htmlUrl: string;
}

export function createSlashCommentHandler(deps: GitHubAppDeps & { clock: () => Date }) {
  return async (context: CommentContext): Promise<void> => {
    const { payload } = context;
    if (isBot(payload.sender) || isBot(payload.comment.user)) return;
    const command = parseSlashCommand(payload.comment.body ?? '');
    if (!command || !payload.installation) return;
    const place: Place = {
      installationId: payload.installation.id,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      issueNumber: payload.issue.number,
      commentId: payload.comment.id,
      login: payload.sender.login,
      htmlUrl: payload.repository.html_url,
    };
    const log = deps.log.child({
      deliveryId: context.id,
      repo: payload.repository.full_name,
      issueNumber: place.issueNumber,
      commentId: place.commentId,
      login: place.login,
      command: command.kind,
    });
    const github = replies(context, place, log);

    let allowed = false;
    try {
      const found = await slashRepository(deps.db, {
        installationId: place.installationId,
        repositoryId: payload.repository.id,
        fullName: payload.repository.full_name,
      });
      if (found.status === 'unknown_installation') {
        log.warn({ installationId: place.installationId }, 'slash command ignored: unknown installation');
        return;
      }
      const permission = await slashPermission(context.octokit, { owner: place.owner, repo: place.repo, username: place.login })
        .catch((error: unknown) => {
          log.warn({ err: error }, 'slash command: permission check failed');
          return null;
        });
      if (!permission) {
        await github.comment(slashReplies.permissionUnknown(place.login));
        return;
      }
      if (!permission.allowed) {
        log.info({ role: permission.role }, 'slash command refused');
        await github.comment(slashReplies.refused(place.login, permission.role));
        return;
      }
      if (found.status === 'not_connected') {
        await github.comment(slashReplies.notConnected(place.login, payload.repository.full_name));
        return;
      }
      allowed = true;
      const { repository } = found;
      const now = deps.clock();
      if (command.kind === 'sync' && !(command.includeClosed && !command.confirmed)) {
        await startSync(deps, { repository, place, command, github, log, now });
        return;
      }
      await github.react(command.kind === 'invalid' ? 'confused' : '+1');
      await github.comment(await answer(deps, { command, repository, login: place.login, now }));
    } catch (error) {
      log.error({ err: error }, 'slash command failed');
      // Only people allowed to run /sync hear about it, so nobody else can make the app speak.
      if (allowed) await github.comment(slashReplies.failed(place.login));
    }
  };
}

async function startSync(
  deps: GitHubAppDeps,
  input: {
    repository: RepositoryRecord;
    place: Place;
    command: { syncType: SyncType; includeClosed: boolean };
    github: ReturnType<typeof replies>;
    log: Logger;
    now: Date;
  },
): Promise<void> {
  const { repository, place, command, github, log, now } = input;
  const active = await deps.stores.operations.findActive(repository.id);
  if (active && isAlive(active, now)) {
    await github.react('eyes');
    await github.comment(slashReplies.alreadyRunning(place.login, active, now, place.htmlUrl));
    return;
  }
  const commentId = await github.comment(slashReplies.started(place.login, command.syncType, command.includeClosed));
  const reply: OperationReply | null =
    commentId === null
      ? null
      : {
          kind: 'github_comment',
          installationId: place.installationId,
          owner: place.owner,
          repo: place.repo,
          issueNumber: place.issueNumber,
          commentId,
          login: place.login,
        };
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
  await github.react('eyes');
  // Another sync won the race between the check above and the start: say so in the comment made for this one.
  if (started.status === 'already_running' && commentId !== null) {
    await github.edit(commentId, slashReplies.alreadyRunning(place.login, started.operation, now, place.htmlUrl));
  }
}

/** The comment for a command answered at once. */
async function answer(
  deps: GitHubAppDeps,
  input: { command: SlashCommand; repository: RepositoryRecord; login: string; now: Date },
): Promise<string> {
  const { command, repository, login, now } = input;
  switch (command.kind) {
    case 'invalid':
      return slashReplies.help(login, command.message);
    case 'help':
      return slashReplies.help(login);
    case 'status':
      return statusText(deps, repository, login, now);
    case 'sync':
      return slashReplies.confirmClosed(login, command.syncType);
  }
}

async function statusText(deps: GitHubAppDeps, repository: RepositoryRecord, login: string, now: Date): Promise<string> {
  const active = await deps.stores.operations.findActive(repository.id);
  if (active) return slashReplies.running(login, active, now);
  const latest = await deps.stores.operations.findLatest(repository.id);
  return latest ? slashReplies.lastSync(login, latest, now) : slashReplies.neverSynced(login);
}

/** The same rule the job runner uses before it takes over an operation whose process is gone. */
function isAlive(operation: OperationRecord, now: Date): boolean {
  const silentFor = now.getTime() - (operation.heartbeatAt ?? operation.createdAt).getTime();
  return !isOwnerGone(operation.jobId) && silentFor < DEFAULT_STALE_AFTER_MS;
}

function isBot(user: { login: string; type?: string } | null | undefined): boolean {
  return user?.type === 'Bot' || (user?.login.endsWith('[bot]') ?? false);
}

/** Comments and reactions on the command's issue; failures are logged, never thrown. */
function replies(context: CommentContext, place: Place, log: Logger) {
  const { octokit } = context;
  const target = { owner: place.owner, repo: place.repo };
  return {
    async react(content: Reaction): Promise<void> {
      await octokit.rest.reactions
        .createForIssueComment({ ...target, comment_id: place.commentId, content })
        .catch((error: unknown) => log.warn({ err: error, content }, 'slash command reaction failed'));
    },
    /** The new comment's id, or null when it could not be created. */
    async comment(body: string): Promise<number | null> {
      try {
        const { data } = await octokit.rest.issues.createComment({ ...target, issue_number: place.issueNumber, body });
        return data.id;
      } catch (error) {
        log.warn({ err: error }, 'slash command reply could not be posted');
        return null;
      }
    },
    async edit(commentId: number, body: string): Promise<void> {
      await octokit.rest.issues
        .updateComment({ ...target, comment_id: commentId, body })
        .catch((error: unknown) => log.warn({ err: error, commentId }, 'slash command reply could not be edited'));
    },
  };
}
