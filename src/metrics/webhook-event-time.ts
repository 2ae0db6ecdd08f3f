/**
 * When the change a delivery carries happened, by the payload's own clock, for the webhook lag:
 * GitHub's `issue`, `comment` or `alert` `updated_at` (the newest of those present; GitHub's delivery
 * headers carry no time), GitLab's `object_attributes.updated_at`. Null when the payload has none
 * (installation and repository events) or for Bitbucket, whose push says when commits were made,
 * not when they were pushed.
 */
import type { ProviderKind } from '../domain/items.js';
import { parseGitLabDate } from '../providers/gitlab/gitlab-webhook-issue.js';

/** The hosts whose payloads say when their change happened. */
export const HOSTS_WITH_EVENT_TIME: ReadonlySet<ProviderKind> = new Set(['github', 'gitlab']);

export function webhookEventTime(host: ProviderKind, body: string): Date | null {
  if (!HOSTS_WITH_EVENT_TIME.has(host)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const record = payload as Record<string, unknown>;
  const objects = host === 'github' ? [record.issue, record.comment, record.alert] : [record.object_attributes];
  let newest: Date | null = null;
  for (const object of objects) {
    const updatedAt = typeof object === 'object' && object !== null ? (object as { updated_at?: unknown }).updated_at : undefined;
    if (typeof updatedAt !== 'string') continue;
    const time = parse(host, updatedAt);
    if (time && (!newest || time > newest)) newest = time;
  }
  return newest;
}

function parse(host: ProviderKind, value: string): Date | null {
  try {
    const time = host === 'gitlab' ? parseGitLabDate(value) : new Date(value);
    return Number.isNaN(time.getTime()) ? null : time;
  } catch {
    return null;
  }
}
