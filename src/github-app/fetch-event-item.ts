/**
 * Reads the issue or Dependabot alert a webhook is about from the API, through the installation
 * client, when the payload does not carry it in a shape we can store. Whether a redelivery could help
 * decides what the delivery gets: a transient failure (rate limit, 5xx, network) is thrown, so the
 * delivery is answered 500 and can be redelivered; a permanent one (the item is gone, the App may not
 * read it, GitHub answers something we cannot store) is logged and the item left to the next backfill.
 */
import type { ExternalIssue } from '../domain/items.js';
import { ProviderError, type ProviderErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { toGitHubProviderError } from '../providers/github/github-error.js';
import type { GitHubOctokit } from '../providers/github/github-provider-options.js';
import { webhookUsableItem, type EventItemKind } from './webhook-usable-item.js';

export interface EventItemTarget {
  kind: EventItemKind;
  number: number;
  /** `owner/name`, as the repository connection has it. */
  fullPath: string;
  /** The repository's web URL, the stored item's `repositoryUrl`. */
  repositoryUrl: string;
}

export interface FetchEventItemDeps {
  octokit: GitHubOctokit;
  apiUrl: string;
  clock: () => Date;
  log: Logger;
}

/** Failures a redelivery could get past. */
const TRANSIENT: ReadonlySet<ProviderErrorCode> = new Set(['rate_limited', 'unreachable', 'server_error']);

/** The item as the API has it; null when it is not one we store or cannot be read for good (logged). */
export async function fetchEventItem(deps: FetchEventItemDeps, target: EventItemTarget): Promise<ExternalIssue | null> {
  const [owner = '', repo = ''] = target.fullPath.split('/');
  const what = target.kind === 'issue' ? `issue #${target.number}` : `Dependabot alert #${target.number}`;
  let data: unknown;
  try {
    const response =
      target.kind === 'issue'
        ? await deps.octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: target.number })
        : await deps.octokit.request('GET /repos/{owner}/{repo}/dependabot/alerts/{alert_number}', { owner, repo, alert_number: target.number });
    data = response.data;
  } catch (error) {
    const failure = toGitHubProviderError(error, {
      repo: target.fullPath,
      apiUrl: deps.apiUrl,
      hasToken: true,
      operation: `reading ${what} for a webhook delivery`,
      clock: deps.clock,
    });
    if (!(failure instanceof ProviderError) || TRANSIENT.has(failure.code)) throw failure;
    deps.log.warn({ err: failure, code: failure.code, status: failure.status }, 'webhook item could not be read from GitHub; left to the next backfill');
    return null;
  }
  const read = webhookUsableItem(target.kind, data, target.repositoryUrl);
  if (read.status === 'unusable') {
    deps.log.warn({ problem: read.problem }, 'webhook item read from GitHub cannot be stored; left to the next backfill');
    return null;
  }
  return read.status === 'usable' ? read.item : null;
}
