/**
 * The text of the comment (GitHub) or note (GitLab) that answers a /sync command, for each state of
 * its operation: queued, running (stage, a bar, the counts so far), waiting for the rate limit
 * (until when), completed (counts, items read, parts skipped and why, time taken), failed (the
 * reason) or cancelled. The host's own words (its name, what its security items are called) come in
 * `HostWords`. Pure: the same operation and clock give the same text, so an unchanged reply is not edited.
 */
import type { OperationRecord, SyncResults, SyncStage, SyncTrigger, SyncType } from '../store/issue-store.js';

/** How a host names itself and its security items in replies. */
export interface HostWords {
  /** `GitHub`, `GitLab`. */
  host: string;
  /** Plural and singular: `Dependabot alerts`, `Dependabot alert`. */
  alerts: string;
  alert: string;
}

export interface SyncReplyTextOptions {
  /** The username mentioned at the start. */
  login?: string | null | undefined;
  now: Date;
  words: HostWords;
}

const STAGES: Record<Exclude<SyncStage, 'security'>, string> = {
  queued: 'queued',
  starting: 'starting',
  issues: 'reading issues',
  catch_up: 'catching up with edits made meanwhile',
  finishing: 'finishing',
  done: 'done',
};

const TRIGGERS: Record<SyncTrigger, string> = {
  manual: 'through the HTTP API',
  slash_command: 'by a /sync comment',
  install: 'when the app was installed',
  stale_webhook: 'because webhooks had gone quiet',
  admin: 'by an administrator',
  schedule: 'on schedule',
  cli: 'from the command line',
  webhook: 'by a webhook',
};

/** What started a sync, after "started": "by a /sync comment". */
export function triggerText(trigger: SyncTrigger): string {
  return TRIGGERS[trigger];
}

const BAR_WIDTH = 20;
const MAX_ERROR_LENGTH = 300;

export function syncReplyText(operation: OperationRecord, options: SyncReplyTextOptions): string {
  const { words } = options;
  const mention = options.login ? `@${options.login} ` : '';
  const what = describeSync(operation.syncType, operation.includeClosed, words);
  const { progress, results } = operation;
  const took = formatDuration(elapsedMs(operation, options.now));
  switch (operation.status) {
    case 'pending':
    case 'running': {
      const resetAt = progress.rateLimitResetAt ? new Date(progress.rateLimitResetAt) : null;
      if (progress.rateLimitRemaining === 0 && resetAt && resetAt > options.now) {
        return lines(
          `${mention}The sync of ${what} is waiting for ${words.host}'s rate limit, which resets at ${formatTime(resetAt, options.now)}; it goes on by itself then.`,
          `${count(progress.processed)} read so far: ${counts(results)}.`,
        );
      }
      if (operation.status === 'pending' || progress.stage === 'queued') {
        return `${mention}The sync of ${what} is queued and starts shortly.`;
      }
      const done =
        progress.total === null
          ? `${count(progress.processed)} read so far`
          : `${count(progress.processed)} of ${count(progress.total)} (${progress.percent}%)`;
      return lines(
        `${mention}Syncing ${what}: ${progress.stage === 'security' ? `reading ${words.alerts}` : STAGES[progress.stage]}, ${done}.`,
        `\`${bar(progress.percent)}\` ${progress.percent}%`,
        `${capitalize(counts(results))} so far.`,
      );
    }
    case 'completed':
      return lines(
        `${mention}Synced ${what} in ${took}.`,
        `${capitalize(counts(results))}, failed ${count(results.failed)} (${itemsRead(operation.syncType, results, words)}).`,
        ...skippedParts(results, words),
      );
    case 'failed':
      return lines(
        `${mention}The sync of ${what} failed after ${took}: ${oneLine(operation.error ?? 'no reason was recorded.')}`,
        `Before it stopped: ${counts(results)}, failed ${count(results.failed)}.`,
        ...skippedParts(results, words),
      );
    case 'cancelled':
      return lines(
        `${mention}The sync of ${what} was cancelled after ${took}.`,
        `Before it stopped: ${counts(results)}, failed ${count(results.failed)}.`,
      );
  }
}

/** "open issues", "issues and Dependabot alerts (closed ones too)", … */
export function describeSync(syncType: SyncType, includeClosed: boolean, words: HostWords): string {
  const items = { issues: 'issues', security: words.alerts, all: `issues and ${words.alerts}` }[syncType];
  return includeClosed ? `${items} (closed ones too)` : `open ${items}`;
}

/** "850 ms", "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "14:05 UTC" today, "2026-03-01 14:05 UTC" on another day. */
export function formatTime(at: Date, now: Date): string {
  const iso = at.toISOString();
  const time = `${iso.slice(11, 16)} UTC`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

function elapsedMs(operation: OperationRecord, now: Date): number {
  const from = operation.startedAt ?? operation.createdAt;
  return (operation.completedAt ?? now).getTime() - from.getTime();
}

function counts(results: SyncResults): string {
  return `created ${count(results.created)} · updated ${count(results.updated)} · skipped ${count(results.skipped)}`;
}

function itemsRead(syncType: SyncType, results: SyncResults, words: HostWords): string {
  const issues = `${count(results.issues)} ${results.issues === 1 ? 'issue' : 'issues'}`;
  const alerts = `${count(results.securityAlerts)} ${results.securityAlerts === 1 ? words.alert : words.alerts}`;
  const read = syncType === 'issues' ? issues : syncType === 'security' ? alerts : `${issues} and ${alerts}`;
  return `${read} read`;
}

function skippedParts(results: SyncResults, words: HostWords): string[] {
  return results.skippedParts.map(({ part, reason }) => `${part === 'issues' ? 'Issues' : capitalize(words.alerts)} were not synced: ${oneLine(reason)}`);
}

function bar(percent: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * BAR_WIDTH);
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function oneLine(text: string): string {
  const line = text.split(/\r?\n/)[0]!.trim();
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lines(...parts: string[]): string {
  return parts.join('\n');
}
