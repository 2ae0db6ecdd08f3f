/**
 * One GitHub item by its issueId: `<number>` is an issue (a pull request is not one of ours),
 * `alert-<number>` a Dependabot alert. Null when GitHub has no such item.
 */
import { ProviderError } from '../../errors.js';
import type { ExternalIssue } from '../provider.js';
import { dependabotAlertSchema, gitHubIssueSchema } from './github-schema.js';
import { normalizeDependabotAlert } from './normalize-dependabot-alert.js';
import { normalizeGitHubIssue } from './normalize-github-issue.js';
import { parseGitHubBody } from './parse-github-body.js';
import type { GitHubListingContext } from './github-listing-context.js';

const ISSUE_ID = /^(alert-)?([1-9]\d{0,9})$/;

export async function getGitHubItem(
  context: GitHubListingContext,
  issueId: string,
  signal?: AbortSignal,
): Promise<ExternalIssue | null> {
  const match = ISSUE_ID.exec(issueId);
  if (!match) return null;
  const alert = match[1] !== undefined;
  const number = Number(match[2]);
  const repository = await context.repository(signal);
  try {
    const response = await context.get(
      alert ? '/repos/{owner}/{repo}/dependabot/alerts/{alert_number}' : '/repos/{owner}/{repo}/issues/{issue_number}',
      { ...context.route, ...(alert ? { alert_number: number } : { issue_number: number }) },
      {
        operation: alert ? `reading Dependabot alert ${number}` : `reading issue ${number}`,
        signal,
        mapError: (error) =>
          error.status === 404
            ? new ProviderError('not_found', `${context.repo} has no ${alert ? 'Dependabot alert' : 'issue'} #${number}.`, {
                provider: 'github',
                repo: context.repo,
                status: 404,
                cause: error,
              })
            : undefined,
      },
    );
    if (alert) {
      const body = parseGitHubBody(dependabotAlertSchema, response.data, { repo: context.repo, what: 'a Dependabot alert' });
      return normalizeDependabotAlert(body, repository.url);
    }
    const body = parseGitHubBody(gitHubIssueSchema, response.data, { repo: context.repo, what: 'an issue' });
    return body.pull_request == null ? normalizeGitHubIssue(body, repository.url) : null;
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'not_found') return null;
    throw error;
  }
}
