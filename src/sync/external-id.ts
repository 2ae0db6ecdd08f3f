/**
 * `externalId = "<provider>:<repositoryUrl>:<issueId>"`, the identity of a synced issue
 * (stored in `Issue.customFields.externalId`).
 */
import { isProviderKind, type ExternalIssue, type ProviderKind } from '../domain/items.js';

export function externalIdOf(item: Pick<ExternalIssue, 'provider' | 'repositoryUrl' | 'issueId'>): string {
  return `${item.provider}:${item.repositoryUrl}:${item.issueId}`;
}

export interface ParsedExternalId {
  provider: ProviderKind;
  repositoryUrl: string;
  issueId: string;
}

/** The repository URL contains colons (`https://…`), so the issue id is what follows the last one. */
export function parseExternalId(externalId: string): ParsedExternalId | null {
  const first = externalId.indexOf(':');
  const last = externalId.lastIndexOf(':');
  if (first <= 0 || last <= first + 1 || last === externalId.length - 1) return null;
  const provider = externalId.slice(0, first);
  if (!isProviderKind(provider)) return null;
  return {
    provider,
    repositoryUrl: externalId.slice(first + 1, last),
    issueId: externalId.slice(last + 1),
  };
}
