/**
 * The comments that answer a /sync command at once: usage, refusal, confirmation request, "not
 * connected", "started", "already running" and status. The text of a sync's progress and result is
 * sync-reply-text.ts.
 */
import type { OperationRecord, SyncType } from '../store/issue-store.js';
import { describeSync, formatTime, syncReplyText, triggerText } from './sync-reply-text.js';

const USAGE = [
  '| command | what it does |',
  '| --- | --- |',
  '| `/sync` or `/sync issues` | syncs the open issues |',
  '| `/sync alerts` | syncs the open Dependabot alerts |',
  '| `/sync all` | both |',
  '| `--closed --confirm` after any of these | also imports closed issues and alerts |',
  '| `/sync status` | shows the running sync, or the last one |',
  '| `/sync help` | shows this |',
  '',
  'Only people with write, maintain or admin access to this repository can use /sync.',
].join('\n');

const CLOSED: Record<SyncType, string> = {
  issues: 'closed issue',
  security: 'fixed or dismissed Dependabot alert',
  all: 'closed issue and every fixed or dismissed Dependabot alert',
};

const VERBS: Record<SyncType, string> = { issues: '/sync', security: '/sync alerts', all: '/sync all' };

export const slashReplies = {
  help(login: string, problem?: string): string {
    return [`@${login} ${problem ? `${problem} ` : ''}The /sync commands:`, '', USAGE].join('\n');
  },

  refused(login: string, role: string): string {
    return (
      `@${login} Sorry, only people with write, maintain or admin access to this repository can run /sync ` +
      `(your access is ${role}). Ask a maintainer to run it for you.`
    );
  },

  permissionUnknown(login: string): string {
    return `@${login} Sorry, I could not check your access to this repository, so nothing was started. Please try again in a minute.`;
  },

  notConnected(login: string, fullName: string): string {
    return (
      `@${login} ${fullName} is not connected to issue-sync (or its connection was removed), so there is nothing to sync. ` +
      'Reinstalling the GitHub App on this repository, or adding it to the app installation, connects it again.'
    );
  },

  confirmClosed(login: string, syncType: SyncType): string {
    return (
      `@${login} \`--closed\` also imports every ${CLOSED[syncType]} of this ` +
      'repository, which can be a great many and takes a while. ' +
      `If that is what you want, comment \`${VERBS[syncType]} --closed --confirm\`.`
    );
  },

  started(login: string, syncType: SyncType, includeClosed: boolean): string {
    return `@${login} Sync of ${describeSync(syncType, includeClosed)} started. This comment shows its progress and then the result.`;
  },

  /** `repositoryUrl`: the repository's web URL, to link the running sync's own comment. */
  alreadyRunning(login: string, operation: OperationRecord, now: Date, repositoryUrl: string): string {
    const { reply } = operation;
    const where = reply?.kind === 'github_comment' ? ` Its progress: ${repositoryUrl}/issues/${reply.issueNumber}#issuecomment-${reply.commentId}` : '';
    return [
      `@${login} A sync of this repository is already running, so no second one was started.${where}`,
      '',
      syncReplyText(operation, { now }),
    ].join('\n');
  },

  /** `/sync status` while a sync runs. */
  running(login: string, operation: OperationRecord, now: Date): string {
    return syncReplyText(operation, { login, now });
  },

  /** `/sync status` when nothing runs: the last sync's result. */
  lastSync(login: string, operation: OperationRecord, now: Date): string {
    const when = operation.completedAt ?? operation.createdAt;
    return [
      syncReplyText(operation, { login, now }),
      `That was the last sync, started ${triggerText(operation.trigger)}; it ended at ${formatTime(when, now)}.`,
    ].join('\n');
  },

  failed(login: string): string {
    return `@${login} Sorry, something went wrong while handling this command. Please try again later.`;
  },

  neverSynced(login: string): string {
    return `@${login} This repository has not been synced yet. Comment \`/sync\` to start.`;
  },
};
