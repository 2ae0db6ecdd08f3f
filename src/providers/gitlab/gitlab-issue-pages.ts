/**
 * Issues of one GitLab project as pages, one request per page, never more than one page in memory.
 *
 * - Full listing: keyset by `id` ascending (creation order that no edit can reorder).
 * - Since a watermark (incremental sync, the engine's catch-up): keyset by `updated_at` ascending
 *   from `updated_after` (inclusive): an issue edited mid-walk moves behind the walk and comes again,
 *   none is skipped.
 * - A server that refuses keyset (400 or 405 on the first page) gets the window walk of
 *   gitlab-paging.ts over `created_at` or `updated_at` instead.
 *
 * `total`: an open listing's total is the project's `open_issues_count`, already read; offset pages
 * carry `x-total`. A keyset listing of every state has no count short of one more request, so it has
 * none (the request bound of a sync leaves no room for it).
 */
import { ProviderError } from '../../errors.js';
import type { ListOptions, Page, StateFilter } from '../provider.js';
import type { PoliteResponse } from '../http/polite-http.js';
import { numberHeader } from '../http/polite-http.js';
import type { GitLabListingContext } from './gitlab-listing-context.js';
import { normalizeGitLabIssue } from './gitlab-issue.js';
import { gitLabIssueListSchema, parseGitLabBody, type GitLabIssue } from './gitlab-schema.js';
import {
  decodeIssueCursor,
  encodeCursor,
  nextLinkQuery,
  nextWindowPosition,
  overlapWith,
  type IssuePosition,
  type KeysetPosition,
  type WindowPosition,
} from './gitlab-paging.js';

export const PER_PAGE = 100;
const OPERATION = 'listing issues';
const STATES: Record<StateFilter, 'opened' | 'closed' | 'all'> = { open: 'opened', closed: 'closed', all: 'all' };

export async function* gitLabIssuePages(context: GitLabListingContext, options: ListOptions): AsyncGenerator<Page> {
  const project = await context.project(options.signal);
  if (!project.issuesEnabled) {
    // Known from the project read; the engine records the part as skipped with this reason.
    throw new ProviderError('unavailable', `Issues are turned off in the settings of ${project.fullName}, so its issues were skipped.`, {
      provider: 'gitlab',
      repo: context.repo,
    });
  }
  const since = options.since ? options.since.toISOString() : null;
  const state = STATES[options.state];
  const hint = options.state === 'open' && !since ? project.openIssuesHint : null;
  let position: IssuePosition | null = options.cursor
    ? decodeIssueCursor(options.cursor)
    : {
        mode: 'keyset',
        query: {
          state,
          pagination: 'keyset',
          per_page: String(PER_PAGE),
          ...(since ? { updated_after: since, order_by: 'updated_at', sort: 'asc' } : { order_by: 'id', sort: 'asc' }),
        },
      };
  // Only the very first request may learn that the server has no keyset paging.
  let mayFallBack = !options.cursor;
  const path = `${context.projectPath}/issues`;
  const toPage = (issues: GitLabIssue[], response: PoliteResponse, cursor: string | null, total: number | null): Page => ({
    items: issues.map((issue) => normalizeGitLabIssue(issue, project.url)),
    cursor,
    rateLimit: response.rateLimit,
    total,
  });

  while (position) {
    if (position.mode === 'keyset') {
      const response = await context.http.request(path, {
        operation: OPERATION,
        query: position.query,
        signal: options.signal,
        allow: mayFallBack ? [400, 405] : [],
      });
      if (response.status === 400 || response.status === 405) {
        position = firstWindow(state, since);
        mayFallBack = false;
        continue;
      }
      mayFallBack = false;
      const issues = readIssues(context, response.body);
      const next: KeysetPosition | null = nextQuery(response);
      yield toPage(issues, response, next ? encodeCursor(next) : null, hint);
      position = next;
    } else {
      const current: WindowPosition = position;
      const response = await context.http.request(path, {
        operation: OPERATION,
        query: {
          state: current.state,
          order_by: current.field,
          sort: 'asc',
          per_page: PER_PAGE,
          ...(current.after !== null ? { [current.field === 'created_at' ? 'created_after' : 'updated_after']: current.after } : {}),
          ...(current.page > 1 ? { page: current.page } : {}),
        },
        signal: options.signal,
      });
      const issues = readIssues(context, response.body);
      const rows = issues.map((issue) => ({ iid: issue.iid, at: Date.parse(current.field === 'created_at' ? issue.created_at : issue.updated_at) }));
      const seenBefore = overlapWith(current);
      const fresh = issues.filter((_, index) => !seenBefore(rows[index]!));
      const windowTotal = numberHeader(response.headers, 'x-total');
      const total = hint ?? (windowTotal === null ? null : current.yielded - current.seen.length + windowTotal);
      const next = nextWindowPosition(current, rows, PER_PAGE, fresh.length);
      yield toPage(fresh, response, next ? encodeCursor(next) : null, total);
      position = next;
    }
  }
}

function firstWindow(state: WindowPosition['state'], since: string | null): WindowPosition {
  return { mode: 'window', field: since ? 'updated_at' : 'created_at', state, after: since, page: 1, seen: [], yielded: 0 };
}

function nextQuery(response: PoliteResponse): KeysetPosition | null {
  const query = nextLinkQuery(response.headers.get('link'));
  return query ? { mode: 'keyset', query } : null;
}

function readIssues(context: GitLabListingContext, body: unknown): GitLabIssue[] {
  return parseGitLabBody(gitLabIssueListSchema, body, { repo: context.repo, what: 'an issue list' });
}
