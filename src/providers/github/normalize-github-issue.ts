/**
 * A GitHub issue as the sync engine sees it. `extra` keeps the fields people filter on that have no
 * column of their own; everything in it is plain JSON.
 */
import type { ExternalIssue } from '../provider.js';
import type { GitHubIssue } from './github-schema.js';

export function normalizeGitHubIssue(issue: GitHubIssue, repositoryUrl: string): ExternalIssue {
  return {
    provider: 'github',
    repositoryUrl,
    issueId: String(issue.number),
    kind: 'issue',
    title: issue.title,
    body: issue.body ?? null,
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: labelNames(issue.labels),
    url: issue.html_url,
    author: issue.user?.login ?? null,
    createdAt: new Date(issue.created_at),
    updatedAt: new Date(issue.updated_at),
    closedAt: issue.closed_at ? new Date(issue.closed_at) : null,
    extra: {
      number: issue.number,
      milestone: issue.milestone?.title ?? null,
      assignees: (issue.assignees ?? []).map((assignee) => assignee.login),
      comments: issue.comments ?? 0,
      locked: issue.locked ?? false,
      state_reason: issue.state_reason ?? null,
    },
  };
}

function labelNames(labels: GitHubIssue['labels']): string[] {
  const names: string[] = [];
  for (const label of labels ?? []) {
    const name = typeof label === 'string' ? label : label.name;
    if (name) names.push(name);
  }
  return names;
}
