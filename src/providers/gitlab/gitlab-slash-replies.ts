/**
 * The notes that answer a /sync command in a GitLab issue at once: usage, refusal, confirmation
 * request, "started", "already running" and status. The GitHub App's comments in GitLab's words
 * (Developer access, vulnerabilities, notes); a sync's progress and result are the shared
 * src/webhooks/sync-reply-text.ts with GITLAB_WORDS.
 */
import type { OperationRecord, SyncType } from '../../store/issue-store.js';
import { describeSync, formatTime, syncReplyText, triggerText, type HostWords } from '../../webhooks/sync-reply-text.js';

export const GITLAB_WORDS: HostWords = { host: 'GitLab', alerts: 'vulnerabilities', alert: 'vulnerability' };

/** GitLab's access levels by number, for the refusal note. */
const ROLES = new Map<number, string>([
  [0, 'No access'],
  [5, 'Minimal Access'],
  [10, 'Guest'],
  [15, 'Planner'],
  [20, 'Reporter'],
  [30, 'Developer'],
  [40, 'Maintainer'],
  [50, 'Owner'],
]);

const USAGE = [
  '| command | what it does |',
  '| --- | --- |',
  '| `/sync` or `/sync issues` | syncs the open issues |',
  '| `/sync alerts` | syncs the open vulnerabilities |',
  '| `/sync all` | both |',
  '| `--closed --confirm` after any of these | also imports closed issues and resolved or dismissed vulnerabilities |',
  '| `/sync status` | shows the running sync, or the last one |',
  '| `/sync help` | shows this |',
  '',
  'Only members with the Developer role or higher in this project can use /sync.',
].join('\n');

const CLOSED: Record<SyncType, string> = {
  issues: 'closed issue',
  security: 'resolved or dismissed vulnerability',
  all: 'closed issue and every resolved or dismissed vulnerability',
};

const VERBS: Record<SyncType, string> = { issues: '/sync', security: '/sync alerts', all: '/sync all' };

export function roleName(accessLevel: number | null): string {
  if (accessLevel === null) return 'not a member';
  return ROLES.get(accessLevel) ?? `access level ${accessLevel}`;
}

export const gitlabSlashReplies = {
  help(username: string, problem?: string): string {
    return [`@${username} ${problem ? `${problem} ` : ''}The /sync commands:`, '', USAGE].join('\n');
  },

  refused(username: string, accessLevel: number | null): string {
    const yours = accessLevel === null ? 'you are not a member of this project' : `your role is ${roleName(accessLevel)}`;
    return (
      `@${username} Sorry, only members with the Developer role or higher in this project can run /sync ` +
      `(${yours}). Ask a maintainer to run it for you.`
    );
  },

  permissionUnknown(username: string): string {
    return `@${username} Sorry, I could not check your access to this project, so nothing was started. Please try again in a minute.`;
  },

  confirmClosed(username: string, syncType: SyncType): string {
    return (
      `@${username} \`--closed\` also imports every ${CLOSED[syncType]} of this ` +
      'project, which can be a great many and takes a while. ' +
      `If that is what you want, write \`${VERBS[syncType]} --closed --confirm\` in a new comment.`
    );
  },

  started(username: string, syncType: SyncType, includeClosed: boolean): string {
    return `@${username} Sync of ${describeSync(syncType, includeClosed, GITLAB_WORDS)} started. This note shows its progress and then the result.`;
  },

  /** `projectUrl`: the project's web URL, to link the running sync's own note. */
  alreadyRunning(username: string, operation: OperationRecord, now: Date, projectUrl: string): string {
    const { reply } = operation;
    const where = reply?.kind === 'gitlab_note' ? ` Its progress: ${projectUrl}/-/issues/${reply.issueIid}#note_${reply.noteId}` : '';
    return [
      `@${username} A sync of this project is already running, so no second one was started.${where}`,
      '',
      syncReplyText(operation, { now, words: GITLAB_WORDS }),
    ].join('\n');
  },

  /** `/sync status` while a sync runs. */
  running(username: string, operation: OperationRecord, now: Date): string {
    return syncReplyText(operation, { login: username, now, words: GITLAB_WORDS });
  },

  /** `/sync status` when nothing runs: the last sync's result. */
  lastSync(username: string, operation: OperationRecord, now: Date): string {
    const when = operation.completedAt ?? operation.createdAt;
    return [
      syncReplyText(operation, { login: username, now, words: GITLAB_WORDS }),
      `That was the last sync, started ${triggerText(operation.trigger)}; it ended at ${formatTime(when, now)}.`,
    ].join('\n');
  },

  failed(username: string): string {
    return `@${username} Sorry, something went wrong while handling this command. Please try again later.`;
  },

  neverSynced(username: string): string {
    return `@${username} This project has not been synced yet. Write \`/sync\` in a comment to start.`;
  },
};
