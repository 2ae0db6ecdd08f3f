/**
 * Words and times as the dashboard's pages show them. Times are rendered in UTC inside a <time>
 * element; the page script rewrites them in the reader's own time zone.
 */
import { html } from 'hono/html';
import type { ProviderKind } from '../../domain/items.js';
import { providerDefinition } from '../../providers/index.js';
import type { OperationRecord, SyncResults, SyncTrigger } from '../../store/issue-store.js';

export function providerName(provider: ProviderKind): string {
  return providerDefinition(provider).label;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function timeOf(date: Date) {
  const pad = (value: number) => String(value).padStart(2, '0');
  const text = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}

/** "3 created, 1 updated, 0 skipped, 0 failed": the same words the progress dialog uses. */
export function countsText(results: Pick<SyncResults, 'created' | 'updated' | 'skipped' | 'failed'>): string {
  return `${results.created} created, ${results.updated} updated, ${results.skipped} skipped, ${results.failed} failed`;
}

const TRIGGERS: Record<SyncTrigger, string> = {
  manual: 'started by hand',
  slash_command: 'started by a /sync comment',
  install: 'started when the GitHub App was installed',
  stale_webhook: 'started because the webhook had gone quiet',
  admin: 'a back-fill started by an admin',
  schedule: 'started on schedule',
  cli: 'started from the command line',
  webhook: 'started by a webhook',
};

export function triggerText(trigger: SyncTrigger): string {
  return TRIGGERS[trigger];
}

const SYNC_TYPES = { issues: 'issues', security: 'security alerts', all: 'issues and security alerts' } as const;

export function syncTypeText(syncType: OperationRecord['syncType']): string {
  return SYNC_TYPES[syncType];
}

export function isRunning(operation: Pick<OperationRecord, 'status'> | null | undefined): boolean {
  return operation?.status === 'pending' || operation?.status === 'running';
}

/** `github:https://github.com/octo/hello:12` → `octo/hello #12`; anything else as it is. */
export function externalIdText(externalId: string): string {
  const match = /^[a-z]+:(https?:\/\/.+):([^:]+)$/.exec(externalId);
  if (!match) return externalId;
  try {
    return `${new URL(match[1]!).pathname.replace(/^\/+|\/+$/g, '')} #${match[2]}`;
  } catch {
    return externalId;
  }
}
