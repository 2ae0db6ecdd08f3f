/**
 * The name a rate-limit quota goes by in metric labels, never the token itself: the App
 * installation's id for its repositories, else the first 12 hex digits of the token's SHA-256
 * (connections sharing a token share its quota, as in the stale check's budget), else `anonymous`.
 */
import { createHash } from 'node:crypto';
import type { ProviderKind } from '../domain/items.js';

export interface QuotaOwner {
  provider: ProviderKind;
  /** The Installation row of an App repository; null for a repository read with a token. */
  installationId: string | null;
}

export function quotaLabelOf(owner: QuotaOwner, token: string | undefined): string {
  if (owner.installationId) return `installation:${owner.installationId}`;
  if (!token) return 'anonymous';
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}
