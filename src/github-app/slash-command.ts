/**
 * /sync slash commands in issue and pull request comments (contract.md, "Slash commands"): the
 * comment handler, and the one listener that edits each command's reply comment with the progress
 * and the result of the sync it started.
 */
import type { Probot } from 'probot';
import type { GitHubAppDeps } from './github-app-deps.js';
import { createSlashCommentHandler } from './slash-comment-handler.js';
import { createSyncReplyListener } from './sync-reply-listener.js';

export function registerSlashCommands(app: Probot, deps: GitHubAppDeps): void {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'slash-command' });
  deps.jobs.addListener(createSyncReplyListener({ auth: (installationId) => app.auth(installationId), log, clock }));
  app.on('issue_comment.created', createSlashCommentHandler({ ...deps, log, clock }));
}
