/**
 * A GitLab issue as the sync engine sees it: `issueId` is the per-project `iid` (what `/issues/:iid`
 * and people use), GitLab's `opened` is `open`. Exported for the webhook and note handlers, which
 * receive the same issues.
 */
import type { ExternalIssue } from '../provider.js';
import type { GitLabIssue } from './gitlab-schema.js';

export function normalizeGitLabIssue(issue: GitLabIssue, repositoryUrl: string): ExternalIssue {
  const closed = issue.state === 'closed';
  return {
    provider: 'gitlab',
    repositoryUrl,
    issueId: String(issue.iid),
    kind: 'issue',
    title: issue.title,
    body: issue.description ?? null,
    state: closed ? 'closed' : 'open',
    labels: (issue.labels ?? []).map((label) => (typeof label === 'string' ? label : label.name)),
    url: issue.web_url,
    author: issue.author?.username ?? null,
    createdAt: new Date(issue.created_at),
    updatedAt: new Date(issue.updated_at),
    // Older GitLab versions leave closed_at empty on issues closed before it existed.
    closedAt: issue.closed_at ? new Date(issue.closed_at) : closed ? new Date(issue.updated_at) : null,
    extra: {
      iid: issue.iid,
      confidential: issue.confidential ?? false,
      milestone: issue.milestone?.title ?? null,
      assignees: (issue.assignees ?? []).map((assignee) => assignee.username),
      issue_type: issue.issue_type ?? 'issue',
    },
  };
}
