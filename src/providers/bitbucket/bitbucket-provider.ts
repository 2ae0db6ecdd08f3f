/**
 * The Bitbucket Cloud provider: one repository `workspace/repo`, through the polite HTTP client
 * (bitbucket-http.ts), every request counted.
 *
 * Issues: Atlassian removed Bitbucket Cloud's issue tracker, with its API, for every repository on
 * 2026-08-20 (it answers 410), so listing issues ends in `ProviderError('gone')` with that
 * explanation without asking (the engine reports the part as skipped, never retried): the request
 * could only ever answer 410, and each sync and poll would spend one of the hourly 1,000 on it. Security: Code Insights findings on the main branch's head
 * (bitbucket-finding-pages.ts), listed whole every time and resolved when a newer head drops them.
 *
 * Requests of a full security sync with A findings in R reports on the head: the repository read (1)
 * + the head (1) + ceil(R / 100) report pages + Σ over the security reports ceil(annotations / 100);
 * a repository whose reports each hold at most 100 annotations costs 2 + ceil(R / 100) + R.
 * The issues part costs nothing beyond the repository read it shares.
 */
import { ProviderError, UsageError } from '../../errors.js';
import type { ProviderOptions } from '../definition.js';
import type { ExternalIssue, Freshness, ListOptions, Page, Provider, RepositoryInfo } from '../provider.js';
import { bitbucketFindingPages, readAnnotations, PAGELEN } from './bitbucket-finding-pages.js';
import { findingIdOf, isSecurityReport, isVulnerability, normalizeBitbucketFinding, reportIdOf } from './bitbucket-finding.js';
import { checkedNext, createBitbucketHttp, DEFAULT_BITBUCKET_API_URL } from './bitbucket-http.js';
import type { BitbucketListingContext, HeadCommit } from './bitbucket-listing-context.js';
import {
  bitbucketBranchSchema,
  bitbucketReportListSchema,
  bitbucketRepositorySchema,
  parseBitbucketBody,
} from './bitbucket-schema.js';

export const ISSUES_REMOVED_MESSAGE =
  'Atlassian removed the issue tracker of Bitbucket Cloud on 2026-08-20: issues cannot be synced from Bitbucket any more. ' +
  'Security findings (Code Insights reports) still can: sync with --type security.';

export function createBitbucketProvider(options: ProviderOptions): Provider {
  const [workspace, slug, ...rest] = options.repo.split('/');
  if (!workspace || !slug || rest.length > 0) {
    throw new UsageError(`A Bitbucket repository is written workspace/repo; "${options.repo}" is not.`);
  }
  const repo = `${workspace}/${slug}`;
  const apiUrl = (options.apiUrl ?? DEFAULT_BITBUCKET_API_URL).replace(/\/+$/, '');
  const http = createBitbucketHttp({ ...options, apiUrl }, repo);
  const repositoryPath = `/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}`;

  const readRepository = async (signal?: AbortSignal): Promise<RepositoryInfo & { mainBranch: string | null }> => {
    const response = await http.request(repositoryPath, { operation: 'reading the repository', signal });
    const body = parseBitbucketBody(bitbucketRepositorySchema, response.body, { repo, what: 'a repository' });
    return {
      id: body.uuid,
      fullName: body.full_name,
      url: body.links.html.href.replace(/\/+$/, ''),
      defaultBranch: body.mainbranch?.name ?? null,
      mainBranch: body.mainbranch?.name ?? null,
      private: body.is_private ?? false,
      openIssuesHint: null,
    };
  };
  let repository: ReturnType<typeof readRepository> | null = null;
  const cachedRepository = (signal?: AbortSignal) => {
    if (!repository) {
      repository = readRepository(signal);
      // A failed read is not cached: the next call asks again.
      repository.catch(() => {
        repository = null;
      });
    }
    return repository;
  };

  const context: BitbucketListingContext = {
    repo,
    repositoryPath,
    http,
    next: (link) => checkedNext(link, apiUrl, repo),
    repository: cachedRepository,
    async headCommit(signal): Promise<HeadCommit | null> {
      const { mainBranch } = await cachedRepository(signal);
      if (!mainBranch) return null;
      const response = await http.request(`${repositoryPath}/refs/branches/${encodeURIComponent(mainBranch)}`, {
        operation: 'reading the main branch',
        signal,
      });
      const branch = parseBitbucketBody(bitbucketBranchSchema, response.body, { repo, what: 'a branch' });
      return { hash: branch.target.hash, date: branch.target.date ? new Date(branch.target.date) : null };
    },
  };

  /** A finding of the current head by its issueId: the reports that may hold it, then their annotations. */
  const findFinding = async (issueId: string, signal?: AbortSignal): Promise<ExternalIssue | null> => {
    const { url } = await cachedRepository(signal);
    const head = await context.headCommit(signal);
    if (!head) return null;
    let reportsUrl: string | null = null;
    for (let first = true; first || reportsUrl; first = false) {
      const response = await http.request(reportsUrl ?? `${repositoryPath}/commit/${encodeURIComponent(head.hash)}/reports`, {
        operation: 'looking up a finding',
        query: reportsUrl ? {} : { pagelen: PAGELEN },
        signal,
      });
      const reports = parseBitbucketBody(bitbucketReportListSchema, response.body, { repo, what: 'a report list' });
      // Report ids may hold `-`, so the issueId is matched against each report's prefix rather than split.
      for (const report of reports.values.filter((r) => isSecurityReport(r) && issueId.startsWith(`finding-${reportIdOf(r)}-`))) {
        let annotationsUrl: string | null = null;
        for (let firstPage = true; firstPage || annotationsUrl; firstPage = false) {
          const annotations = await readAnnotations(context, head.hash, report, annotationsUrl, signal);
          const annotation = annotations.values.find((a) => isVulnerability(a) && findingIdOf(report, a) === issueId);
          if (annotation) return normalizeBitbucketFinding(report, annotation, { repositoryUrl: url, commit: head.hash });
          annotationsUrl = annotations.next;
        }
      }
      reportsUrl = context.next(reports.next);
    }
    return null;
  };

  return {
    kind: 'bitbucket',
    repo,
    // Reports and annotations cannot be filtered by time, and a head's reports are all its findings.
    listingTraits: { security: { ignoresSince: true, complete: true } },
    repository: (signal) => cachedRepository(signal),
    listIssues: (listOptions: ListOptions): AsyncIterable<Page> => issuePages(listOptions),
    listSecurityAlerts: (listOptions: ListOptions): AsyncIterable<Page> => bitbucketFindingPages(context, listOptions),
    async getIssue(issueId, signal) {
      // A number was an issue of the removed tracker: there is none any more.
      if (!issueId.startsWith('finding-')) return null;
      return findFinding(issueId, signal);
    },
    async freshness({ watermark, signal }): Promise<Freshness> {
      // One request once the repository is read (its main branch name is kept): the head commit.
      const head = await context.headCommit(signal);
      const latestUpdatedAt = head?.date ?? null;
      return {
        changed: latestUpdatedAt !== null && (watermark === null || latestUpdatedAt > watermark),
        latestUpdatedAt,
        etag: null,
        version: head?.hash ?? null,
      };
    },
    requestCount: () => http.requestCount(),
  };

  // An async generator, so nothing happens before the engine starts reading the listing; it never
  // yields: there is no issue tracker to list.
  // eslint-disable-next-line require-yield
  async function* issuePages(listOptions: ListOptions): AsyncGenerator<Page> {
    // The repository first: an unknown repository is a failed sync, not a skipped part.
    await cachedRepository(listOptions.signal);
    throw new ProviderError('gone', ISSUES_REMOVED_MESSAGE, { provider: 'bitbucket', repo, status: 410 });
  }
}
