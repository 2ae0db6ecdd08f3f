/**
 * Security findings as pages of `security_alert` items: the Code Insights reports of type SECURITY
 * on the main branch's head commit, and their annotations of type VULNERABILITY. Bitbucket has no
 * vulnerability API of its own and cannot filter reports or annotations by time, so every listing is
 * the whole set of the head (the provider declares `ignoresSince` and `complete`).
 *
 * One page per annotation page. The cursor pins the head commit and names the reports page, the
 * report on it and the next annotation page, so a resumed listing refetches at most the reports page
 * it stood on and goes on with the next annotation page.
 *
 * Requests of a whole listing: the head (1) + ceil(reports / 100) report pages + for every SECURITY
 * report ceil(annotations / 100) annotation pages (the repository read, once per provider, comes on top).
 */
import { ProviderError, UsageError } from '../../errors.js';
import type { ExternalIssue, ListOptions, Page } from '../provider.js';
import type { BitbucketListingContext } from './bitbucket-listing-context.js';
import { isSecurityReport, isVulnerability, normalizeBitbucketFinding } from './bitbucket-finding.js';
import {
  bitbucketAnnotationListSchema,
  bitbucketReportListSchema,
  parseBitbucketBody,
  type BitbucketAnnotation,
  type BitbucketReport,
} from './bitbucket-schema.js';

/** Bitbucket's largest page. */
export const PAGELEN = 100;

interface FindingCursor {
  /** The head commit the listing walks. */
  head: string;
  /** The reports page holding the current report; null: the first. */
  reports: string | null;
  /** Index of the current report on that page. */
  index: number;
  /** The current report's next annotation page; null: its first. */
  annotations: string | null;
}

export async function* bitbucketFindingPages(context: BitbucketListingContext, options: ListOptions): AsyncGenerator<Page> {
  const { signal } = options;
  const repository = await context.repository(signal);
  const start = options.cursor ? decodeCursor(options.cursor) : null;
  const head = start?.head ?? (await context.headCommit(signal))?.hash ?? null;
  if (head === null) {
    // An empty repository has no main branch yet, so nothing to report on.
    yield { items: [], cursor: null, rateLimit: context.http.lastRateLimit(), total: 0 };
    return;
  }
  let reportsUrl = start?.reports ?? null;
  let index = start?.index ?? 0;
  let annotationsUrl = start?.annotations ?? null;
  let total = 0;
  let sawSecurityReport = start !== null;

  for (;;) {
    const reportsPage = await readReports(context, head, reportsUrl, signal);
    const reports = reportsPage.values;
    const nextSecurityIndex = (from: number) => {
      for (let i = from; i < reports.length; i += 1) if (isSecurityReport(reports[i]!)) return i;
      return null;
    };
    let current = nextSecurityIndex(index);
    while (current !== null) {
      const report = reports[current]!;
      sawSecurityReport = true;
      const annotations = await readAnnotations(context, head, report, annotationsUrl, signal);
      if (annotationsUrl === null) total += annotations.size ?? annotations.values.length;
      const items: ExternalIssue[] = annotations.values
        .filter(isVulnerability)
        .map((annotation) => normalizeBitbucketFinding(report, annotation, { repositoryUrl: repository.url, commit: head }));
      const following = annotations.next ? current : nextSecurityIndex(current + 1);
      const cursor: FindingCursor | null = annotations.next
        ? { head, reports: reportsUrl, index: current, annotations: annotations.next }
        : following !== null
          ? { head, reports: reportsUrl, index: following, annotations: null }
          : reportsPage.next
            ? { head, reports: reportsPage.next, index: 0, annotations: null }
            : null;
      yield { items, cursor: cursor && encodeCursor(cursor), rateLimit: context.http.lastRateLimit(), total, version: head };
      if (cursor === null) return;
      annotationsUrl = annotations.next ?? null;
      current = following;
    }
    if (!reportsPage.next) break;
    reportsUrl = reportsPage.next;
    index = 0;
    annotationsUrl = null;
  }
  if (!sawSecurityReport) {
    // Scanners report some time after a push: a head with no security report yet is not a head
    // without findings, and listing it as such would resolve every stored finding.
    throw new ProviderError(
      'unavailable',
      `The head commit ${head.slice(0, 12)} of ${context.repo} has no Code Insights security report yet (a scanner may still be running, or none reports to this repository); stored findings are kept until one does.`,
      { provider: 'bitbucket', repo: context.repo },
    );
  }
  yield { items: [], cursor: null, rateLimit: context.http.lastRateLimit(), total, version: head };
}

async function readReports(context: BitbucketListingContext, head: string, url: string | null, signal: AbortSignal | undefined) {
  const response = await context.http.request(url ?? `${context.repositoryPath}/commit/${encodeURIComponent(head)}/reports`, {
    operation: 'listing Code Insights reports',
    query: url ? {} : { pagelen: PAGELEN },
    signal,
  });
  const page = parseBitbucketBody(bitbucketReportListSchema, response.body, { repo: context.repo, what: 'a report list' });
  return { values: page.values, next: context.next(page.next) };
}

export async function readAnnotations(
  context: BitbucketListingContext,
  head: string,
  report: BitbucketReport,
  url: string | null,
  signal: AbortSignal | undefined,
): Promise<{ values: BitbucketAnnotation[]; next: string | null; size: number | null }> {
  const path = `${context.repositoryPath}/commit/${encodeURIComponent(head)}/reports/${encodeURIComponent(report.uuid)}/annotations`;
  const response = await context.http.request(url ?? path, {
    operation: 'listing Code Insights annotations',
    query: url ? {} : { pagelen: PAGELEN },
    signal,
  });
  const page = parseBitbucketBody(bitbucketAnnotationListSchema, response.body, { repo: context.repo, what: 'an annotation list' });
  return { values: page.values, next: context.next(page.next), size: page.size ?? null };
}

function encodeCursor(cursor: FindingCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): FindingCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<FindingCursor>;
    if (
      typeof value.head === 'string' &&
      (value.reports === null || typeof value.reports === 'string') &&
      typeof value.index === 'number' &&
      (value.annotations === null || typeof value.annotations === 'string')
    ) {
      return value as FindingCursor;
    }
  } catch {
    // Falls through to the error below.
  }
  throw new UsageError('This resume position was not written by the Bitbucket provider; start the sync afresh.');
}
