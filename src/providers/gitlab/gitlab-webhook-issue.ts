/**
 * An Issue Hook's issue as the sync engine sees it: the hook's fields are put in the REST API's shape
 * and go through the provider's own `normalizeGitLabIssue`, so a live event and a sync write the same
 * row (same externalId, fields and `updatedAt` for the newer-wins upsert).
 *
 * The hook names the author by id only (`author_id`); its `user` is who triggered the event. The
 * author's username is therefore the caller's to give (the event's user when that is the author,
 * else what is stored). Fields the hook lacks (the milestone's title; the assignees in some
 * versions) are left out of `extra`: the store merges `extra` into what it holds, so they keep the
 * value the last sync wrote.
 *
 * Hook dates have whole seconds where the REST API has milliseconds: an edit made within the same
 * second as the stored version is not newer here, and the next poll (which reads the milliseconds)
 * brings it. Rounding up instead could make a later edit in that second look older for good.
 */
import type { ExternalIssue } from '../../domain/items.js';
import { normalizeGitLabIssue } from './gitlab-issue.js';
import type { IssueHook } from './gitlab-webhook-schema.js';

export function normalizeIssueHook(hook: IssueHook, author: string | null): ExternalIssue {
  const issue = hook.object_attributes;
  const item = normalizeGitLabIssue(
    {
      id: issue.id,
      iid: issue.iid,
      title: issue.title,
      description: issue.description ?? null,
      state: issue.state,
      created_at: parseGitLabDate(issue.created_at).toISOString(),
      updated_at: parseGitLabDate(issue.updated_at).toISOString(),
      closed_at: issue.closed_at ? parseGitLabDate(issue.closed_at).toISOString() : null,
      labels: (issue.labels ?? hook.labels ?? []).map((label) => label.title),
      assignees: hook.assignees ?? [],
      author: author === null ? null : { username: author },
      confidential: issue.confidential ?? false,
      issue_type: issueType(issue.issue_type, issue.type),
      web_url: issue.url,
    },
    hook.project.web_url.replace(/\/+$/, ''),
  );
  const { milestone: _milestone, assignees, ...extra } = item.extra;
  return { ...item, extra: { ...extra, ...(hook.assignees ? { assignees } : {}) } };
}

/** `issue_type` as the REST API names it; newer hooks send only the work item type (`Issue`, `Test Case`). */
function issueType(issueType: string | null | undefined, type: string | null | undefined): string {
  if (issueType) return issueType;
  return type ? type.trim().toLowerCase().replace(/\s+/g, '_') : 'issue';
}

const UTC_FORM = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (UTC|[+-]\d{2}:?\d{2})$/;

/**
 * GitLab's hook dates: ISO 8601 (`2013-12-03T17:15:43Z`, `…T17:15:43.123+01:00`) or its older
 * `2013-12-03 17:15:43 UTC` (and `… +0100`). Throws on anything else, so a bad date is never stored as
 * "now" or as an invalid time.
 */
export function parseGitLabDate(value: string): Date {
  const spaced = UTC_FORM.exec(value.trim());
  const iso = spaced ? `${spaced[1]}T${spaced[2]}${spaced[3] === 'UTC' ? 'Z' : offset(spaced[3]!)}` : value.trim();
  const time = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(time)) throw new Error(`GitLab sent a date that cannot be read: ${JSON.stringify(value)}.`);
  return new Date(time);
}

function offset(raw: string): string {
  return raw.includes(':') ? raw : `${raw.slice(0, 3)}:${raw.slice(3)}`;
}
