/**
 * Answers a /sync command in a new issue or pull request comment.
 *
 * Order: bots are ignored, and so is a comment without a command (no HTTP call in either case);
 * then the installation must be one of ours (else the comment is ignored quietly: an installation we
 * never recorded has no project to sync into, and the install backfill will create it); then the
 * commenter's access is checked, so nobody without write access can make the app speak; then the
 * repository must be connected. Then the command runs as on every host (src/webhooks/slash-flow.ts),
 * answered with reactions (`eyes`, `+1`, `confused`; none on a refusal) and comments, the started
 * sync's comment edited by the reply listener.
 */
import type { Context } from 'probot';
import type { Logger } from '../logger.js';
import type { OperationReply } from '../store/issue-store.js';
import { parseSlashCommand } from '../webhooks/slash-command.js';
import { runSlashCommand } from '../webhooks/slash-flow.js';
import type { GitHubAppDeps } from './github-app-deps.js';
import { slashPermission } from './slash-permission.js';
import { slashReplies } from './slash-replies.js';
import { slashRepository } from './slash-repository.js';

type CommentContext = Context<'issue_comment.created'>;
type Reaction = 'eyes' | '+1' | 'confused';

/** The reaction for each of the shared /sync flow's. */
const REACTIONS: Record<'working' | 'answered' | 'confused', Reaction> = { working: 'eyes', answered: '+1', confused: 'confused' };

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
      await runSlashCommand(
        { operations: deps.stores.operations, jobs: deps.jobs },
        {
          command,
          repository: found.repository,
          user: place.login,
          repositoryUrl: place.htmlUrl,
          texts: slashReplies,
          answers: {
            react: (reaction) => github.react(REACTIONS[reaction]),
            post: (body) => github.comment(body),
            edit: (commentId, body) => github.edit(commentId, body),
          },
          replyTo: (commentId): OperationReply => ({
            kind: 'github_comment',
            installationId: place.installationId,
            owner: place.owner,
            repo: place.repo,
            issueNumber: place.issueNumber,
            commentId,
            login: place.login,
          }),
          log,
          now: deps.clock(),
        },
      );
    } catch (error) {
      log.error({ err: error }, 'slash command failed');
      // Only people allowed to run /sync hear about it, so nobody else can make the app speak.
      if (allowed) await github.comment(slashReplies.failed(place.login));
    }
  };
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
