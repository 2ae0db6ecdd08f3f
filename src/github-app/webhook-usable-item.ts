/**
 * The issue or Dependabot alert a payload (or an API answer) carries, as we store it, when it has
 * everything we store: the provider's schemas and readable dates. A pull request is not one of ours.
 */
import type { ExternalIssue } from '../domain/items.js';
import { dependabotAlertSchema, gitHubIssueSchema } from '../providers/github/github-schema.js';
import { normalizeDependabotAlert } from '../providers/github/normalize-dependabot-alert.js';
import { normalizeGitHubIssue } from '../providers/github/normalize-github-issue.js';
import { describePayloadProblem } from './github-webhook-schema.js';

export type EventItemKind = 'issue' | 'alert';

export type UsableItem =
  | { status: 'usable'; item: ExternalIssue }
  | { status: 'pull_request' }
  | { status: 'unusable'; problem: string };

export function webhookUsableItem(kind: EventItemKind, raw: unknown, repositoryUrl: string): UsableItem {
  if (kind === 'issue') {
    const issue = gitHubIssueSchema.safeParse(raw);
    if (!issue.success) return { status: 'unusable', problem: describePayloadProblem(issue.error) };
    if (issue.data.pull_request != null) return { status: 'pull_request' };
    return readable(normalizeGitHubIssue(issue.data, repositoryUrl));
  }
  const alert = dependabotAlertSchema.safeParse(raw);
  if (!alert.success) return { status: 'unusable', problem: describePayloadProblem(alert.error) };
  return readable(normalizeDependabotAlert(alert.data, repositoryUrl));
}

function readable(item: ExternalIssue): UsableItem {
  const dates = { createdAt: item.createdAt, updatedAt: item.updatedAt, closedAt: item.closedAt };
  const invalid = Object.entries(dates).find(([, date]) => date !== null && Number.isNaN(date.getTime()));
  return invalid ? { status: 'unusable', problem: `${invalid[0]}: must be a date` } : { status: 'usable', item };
}
