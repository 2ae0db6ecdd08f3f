/**
 * The name a rate-limit quota goes by in metric labels, never the token itself: `app:<App id>` for
 * what the GitHub App asks with its own JWT, `installation:<id>` for what an installation's token
 * reads, else the first 12 hex digits of the token's SHA-256 (connections sharing a token share its
 * quota, as in the stale check's budget), else `anonymous`.
 */
import { createHash } from 'node:crypto';
import type { ProviderKind } from '../domain/items.js';
import type { RequestObserver } from '../providers/http/polite-http.js';

export interface QuotaOwner {
  provider: ProviderKind;
  /**
   * The App installation whose token reads (GitHub's installation id, as its settings page and its
   * deliveries show it); null for a repository read with a token of its own.
   */
  installationId: string | null;
  /** The GitHub App's id, for requests signed with the App's JWT (its delivery log, installation tokens). */
  appId?: string;
}

export function quotaLabelOf(owner: QuotaOwner, token: string | undefined): string {
  if (owner.appId) return `app:${owner.appId}`;
  if (owner.installationId) return `installation:${owner.installationId}`;
  if (!token) return 'anonymous';
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/** The metrics' observer of the requests sent against a quota (ServiceMetrics.observeRequests). */
export type ObserveRequests = (owner: QuotaOwner, token: string | undefined) => RequestObserver;

/**
 * The `observeRequest` option of a client that reads with a connection's own token (or none): an
 * observer under that token's quota, or nothing when no metrics observe.
 */
export function tokenRequestObserver(
  observe: ObserveRequests | undefined,
  provider: ProviderKind,
  token: string | undefined,
): { observeRequest?: RequestObserver } {
  return observe ? { observeRequest: observe({ provider, installationId: null }, token) } : {};
}
