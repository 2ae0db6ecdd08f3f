/**
 * Issues of one repository as pages, one HTTP request per page, never more than one page in
 * memory. A full listing (state `all`, no `since`) walks creation order by GitHub's own
 * `Link rel="next"`; anything else (open only, closed only, or since a watermark) walks update time
 * as a keyset. github-paging.ts says why.
 */
import type { ListOptions, Page, RateLimitInfo } from '../provider.js';
import { gitHubIssueListSchema, type GitHubIssue } from './github-schema.js';
import { normalizeGitHubIssue } from './normalize-github-issue.js';
import { parseGitHubBody } from './parse-github-body.js';
import { rateLimitOf, type GitHubResponse } from './github-request.js';
import type { GitHubListingContext } from './github-listing-context.js';
import {
  decodeIssueCursor,
  encodeCursor,
  nextUpdatedOrderPosition,
  overlapWith,
  parseLinkHeader,
  queryOf,
  toSinceParameter,
  type CreatedOrderPosition,
  type IssuePosition,
  type UpdatedOrderPosition,
} from './github-paging.js';

const PER_PAGE = 100;
const ISSUES_ROUTE = '/repos/{owner}/{repo}/issues';
const OPERATION = 'listing issues';

export async function* gitHubIssuePages(context: GitHubListingContext, options: ListOptions): AsyncGenerator<Page> {
  const start = startPosition(options);
  const repository = await context.repository(options.signal);
  if (start.mode === 'created') {
    yield* createdOrderPages(context, repository.url, start, options.signal);
  } else {
    const total = options.state === 'open' && !options.since ? repository.openIssuesHint : null;
    yield* updatedOrderPages(context, repository.url, start, { ...options, total });
  }
}

function startPosition(options: ListOptions): IssuePosition {
  if (options.cursor) return decodeIssueCursor(options.cursor);
  if (options.state === 'all' && !options.since) {
    return {
      mode: 'created',
      query: { state: 'all', sort: 'created', direction: 'asc', per_page: String(PER_PAGE) },
    };
  }
  return { mode: 'updated', since: options.since ? toSinceParameter(options.since) : null, page: 1, seen: [] };
}

async function* createdOrderPages(
  context: GitHubListingContext,
  repositoryUrl: string,
  start: CreatedOrderPosition,
  signal: AbortSignal | undefined,
): AsyncGenerator<Page> {
  let query = start.query;
  for (;;) {
    const response = await context.get(ISSUES_ROUTE, { ...query, ...context.route }, { operation: OPERATION, signal });
    const issues = readIssues(context, response);
    const links = parseLinkHeader(response.headers.link);
    const next = links.get('next');
    const nextQuery = next ? queryOf(next) : null;
    yield page(issues, repositoryUrl, {
      cursor: nextQuery ? encodeCursor({ mode: 'created', query: nextQuery }) : null,
      rateLimit: rateLimitOf(response.headers),
      total: createdOrderTotal(query, links.get('last'), next !== undefined, issues.length),
    });
    if (!nextQuery) return;
    query = nextQuery;
  }
}

/** An estimate (GitHub counts pull requests in this listing): last page × page size. */
function createdOrderTotal(
  query: Record<string, string>,
  last: URL | undefined,
  hasNext: boolean,
  received: number,
): number | null {
  const perPage = Number(query.per_page ?? PER_PAGE);
  const lastPage = Number(last?.searchParams.get('page'));
  if (last && Number.isInteger(lastPage)) return lastPage * perPage;
  if (!hasNext) return (Number(query.page ?? 1) - 1) * perPage + received;
  return null;
}

async function* updatedOrderPages(
  context: GitHubListingContext,
  repositoryUrl: string,
  start: UpdatedOrderPosition,
  options: ListOptions & { total: number | null },
): AsyncGenerator<Page> {
  let position: UpdatedOrderPosition | null = start;
  while (position) {
    const query = {
      state: options.state,
      sort: 'updated',
      direction: 'asc',
      per_page: PER_PAGE,
      ...(position.since ? { since: position.since } : {}),
      ...(position.page > 1 ? { page: position.page } : {}),
    };
    const response = await context.get(ISSUES_ROUTE, { ...query, ...context.route }, {
      operation: OPERATION,
      signal: options.signal,
    });
    const issues = readIssues(context, response);
    const seenBefore = overlapWith(position);
    position = nextUpdatedOrderPosition(position, issues, PER_PAGE);
    yield page(
      issues.filter((issue) => !seenBefore(issue)),
      repositoryUrl,
      {
        cursor: position ? encodeCursor(position) : null,
        rateLimit: rateLimitOf(response.headers),
        total: options.total,
      },
    );
  }
}

function readIssues(context: GitHubListingContext, response: GitHubResponse): GitHubIssue[] {
  return parseGitHubBody(gitHubIssueListSchema, response.data, { repo: context.repo, what: 'an issue list' });
}

/** Pull requests come back in the issues listing; they are not ours to sync, only counted. */
function page(
  issues: GitHubIssue[],
  repositoryUrl: string,
  rest: { cursor: string | null; rateLimit: RateLimitInfo | null; total: number | null },
): Page {
  const items = [];
  let ignored = 0;
  for (const issue of issues) {
    if (issue.pull_request != null) ignored += 1;
    else items.push(normalizeGitHubIssue(issue, repositoryUrl));
  }
  return { items, ignored, ...rest };
}
