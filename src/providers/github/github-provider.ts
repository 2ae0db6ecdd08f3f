/**
 * The GitHub provider: one repository, through Octokit with the throttling and retry plugins
 * (github-octokit.ts), with every request counted. Listings live in github-issue-pages.ts and dependabot-alert-pages.ts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { UsageError } from '../../errors.js';
import type { ListOptions, Page, Provider, RepositoryInfo } from '../provider.js';
import type { GitHubProviderOptions, ProviderLog, Sleep } from './github-provider-options.js';
import { createCountingFetch } from './counting-fetch.js';
import { createGitHubOctokit } from './github-octokit.js';
import { createGitHubGet } from './github-request.js';
import { parseGitHubBody } from './parse-github-body.js';
import { gitHubRepositorySchema } from './github-schema.js';
import { gitHubIssuePages } from './github-issue-pages.js';
import { dependabotAlertPages } from './dependabot-alert-pages.js';
import { getGitHubItem } from './github-item.js';
import { gitHubFreshness } from './github-freshness.js';
import { gitHubOwnerChanges } from './github-owner-changes.js';
import type { GitHubListingContext } from './github-listing-context.js';

const DEFAULT_API_URL = 'https://api.github.com';
const quiet: ProviderLog = { warn: () => undefined, debug: () => undefined };
const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

export function createGitHubProvider(options: GitHubProviderOptions): Provider {
  const route = splitRepo(options.repo);
  const repo = `${route.owner}/${route.repo}`;
  const log = options.log ?? quiet;
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? (() => new Date());
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const injected = options.octokit;
  const apiUrl = (options.apiUrl ?? injected?.request.endpoint.DEFAULTS.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const baseFetch: typeof fetch =
    options.fetch ?? (injected?.request.endpoint.DEFAULTS.request?.fetch as typeof fetch | undefined) ?? globalThis.fetch;
  const counting = createCountingFetch(baseFetch, options.timeoutMs ?? 30_000, options.observeRequest);
  const octokit =
    injected ??
    createGitHubOctokit({
      repo,
      apiUrl,
      token: options.token,
      fetch: counting.fetch,
      sleep,
      log,
      maxRateLimitWaitMs,
      maxSecondaryRetries: 3,
      retryBaseMs,
    });
  const get = createGitHubGet({
    octokit,
    fetch: counting.fetch,
    sleep,
    clock,
    log,
    repo,
    apiUrl,
    hasToken: injected !== undefined || Boolean(options.token),
    maxRateLimitWaitMs,
    retryBaseMs,
  });

  const readRepository = async (signal?: AbortSignal): Promise<RepositoryInfo> => {
    const response = await get('/repos/{owner}/{repo}', route, { operation: 'reading the repository', signal });
    const body = parseGitHubBody(gitHubRepositorySchema, response.data, { repo, what: 'a repository' });
    return {
      id: String(body.id),
      fullName: body.full_name,
      url: body.html_url,
      defaultBranch: body.default_branch ?? null,
      private: body.private ?? false,
      openIssuesHint: body.open_issues_count ?? null,
    };
  };
  let repository: Promise<RepositoryInfo> | null = null;
  const context: GitHubListingContext = {
    repo,
    route,
    get,
    repository(signal) {
      if (!repository) {
        repository = readRepository(signal);
        // A failed read is not cached: the next call asks again.
        repository.catch(() => {
          repository = null;
        });
      }
      return repository;
    },
  };

  return {
    kind: 'github',
    repo,
    repository: (signal) => context.repository(signal),
    listIssues: (listOptions: ListOptions): AsyncIterable<Page> => gitHubIssuePages(context, listOptions),
    listSecurityAlerts: (listOptions: ListOptions): AsyncIterable<Page> => dependabotAlertPages(context, listOptions),
    getIssue: (issueId, signal) => getGitHubItem(context, issueId, signal),
    // A conditional request with the caller's stored ETag: a 304 costs no rate-limit point.
    freshness: (freshnessOptions) => gitHubFreshness(context, freshnessOptions),
    // The search and the organisation's alerts cover every repository of the owner in two requests.
    ownerChanges: (ownerOptions) => gitHubOwnerChanges(context, ownerOptions),
    requestCount: () => counting.count(),
  };
}

function splitRepo(repo: string): { owner: string; repo: string } {
  const [owner, name, ...rest] = repo.split('/');
  if (!owner || !name || rest.length > 0) {
    throw new UsageError(`A GitHub repository is written owner/name; "${repo}" is not.`);
  }
  return { owner, repo: name };
}
