/**
 * The GitHub App's words for the shared /sync reply texts (src/webhooks/sync-reply-text.ts):
 * GitHub's rate limit, Dependabot alerts.
 */
import type { OperationRecord, SyncType } from '../store/issue-store.js';
import {
  describeSync as describeHostSync,
  syncReplyText as hostSyncReplyText,
  type HostWords,
  type SyncReplyTextOptions,
} from '../webhooks/sync-reply-text.js';

export { formatTime, triggerText } from '../webhooks/sync-reply-text.js';

export const GITHUB_WORDS: HostWords = { host: 'GitHub', alerts: 'Dependabot alerts', alert: 'Dependabot alert' };

export function syncReplyText(operation: OperationRecord, options: Omit<SyncReplyTextOptions, 'words'>): string {
  return hostSyncReplyText(operation, { ...options, words: GITHUB_WORDS });
}

export function describeSync(syncType: SyncType, includeClosed: boolean): string {
  return describeHostSync(syncType, includeClosed, GITHUB_WORDS);
}
