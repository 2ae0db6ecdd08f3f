/**
 * DuplicateMatcher: decides which incoming items are the same issue as a local one.
 * An item whose externalId is stored already is that issue (the bulk upsert finds it).
 * Otherwise it may claim a local issue with the same title and repository URL that has no
 * externalId yet. Each local issue is claimed at most once and each item claims at most one,
 * so two external issues that share a title never merge into one.
 */
import type { IssueWrite, MatchLookups, TitleCandidate } from '../store/issue-store.js';

/** Returns externalId → id of the local issue it claims. */
export function matchIssues(items: readonly IssueWrite[], lookups: MatchLookups): Map<string, string> {
  const byTitle = new Map<string, TitleCandidate[]>();
  const oldestFirst = [...lookups.candidates].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
  );
  for (const candidate of oldestFirst) {
    const list = byTitle.get(candidate.title);
    if (list) list.push(candidate);
    else byTitle.set(candidate.title, [candidate]);
  }

  const claims = new Map<string, string>();
  for (const item of items) {
    if (lookups.existing.has(item.externalId) || claims.has(item.externalId)) continue;
    const candidate = byTitle.get(item.title)?.shift();
    if (candidate) claims.set(item.externalId, candidate.id);
  }
  return claims;
}
