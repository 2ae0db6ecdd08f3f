/**
 * A Code Insights annotation of type VULNERABILITY as a `security_alert` item, with the identity
 * `finding-<report id>-<annotation id>`.
 *
 * Why `external_id` and not `uuid`: scanners re-create their reports (and annotations) for every
 * commit, and Bitbucket gives each copy a new `uuid`; the `external_id` is the tool's own name for
 * the report and the finding, the same on every commit. Keyed by it, a finding stays one item while
 * the main branch moves, and one that a newer head no longer holds can be resolved. The `uuid` is
 * the fallback for a tool that sets no `external_id` (its findings then renew with every commit).
 */
import { createHash } from 'node:crypto';
import type { ExternalIssue } from '../provider.js';
import type { BitbucketAnnotation, BitbucketReport } from './bitbucket-schema.js';

const SAFE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * An id made fit for an issueId (`[A-Za-z0-9._-]`): kept when it already is (UUIDs lose their
 * braces), else its safe characters plus a short hash of the original, so two ids that differ
 * only in unsafe characters stay two ids.
 */
export function safeId(id: string): string {
  const bare = id.replace(/^\{(.*)\}$/, '$1');
  if (SAFE.test(bare)) return bare;
  const readable = bare.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40);
  return `${readable}.${createHash('sha256').update(id).digest('hex').slice(0, 10)}`;
}

export function reportIdOf(report: BitbucketReport): string {
  return safeId(report.external_id || report.uuid);
}

export function findingIdOf(report: BitbucketReport, annotation: BitbucketAnnotation): string {
  return `finding-${reportIdOf(report)}-${safeId(annotation.external_id || annotation.uuid)}`;
}

export function isSecurityReport(report: BitbucketReport): boolean {
  return report.report_type === 'SECURITY';
}

export function isVulnerability(annotation: BitbucketAnnotation): boolean {
  return annotation.annotation_type === 'VULNERABILITY';
}

/**
 * The annotation's `result` is the check's verdict on that finding: PASSED (no longer failing) and
 * IGNORED (waived in the tool) are closed, like a fixed or dismissed Dependabot alert; FAILED,
 * SKIPPED (not checked this time) or none leave it open.
 */
const CLOSED_RESULTS = new Set(['PASSED', 'IGNORED']);

export interface FindingContext {
  repositoryUrl: string;
  /** The head commit of the main branch the report belongs to. */
  commit: string;
}

export function normalizeBitbucketFinding(
  report: BitbucketReport,
  annotation: BitbucketAnnotation,
  context: FindingContext,
): ExternalIssue {
  const severity = annotation.severity?.toLowerCase() ?? null;
  const created = annotation.created_on ?? report.created_on ?? report.updated_on ?? null;
  const updated = annotation.updated_on ?? annotation.created_on ?? report.updated_on ?? report.created_on ?? null;
  const createdAt = created ? new Date(created) : new Date(0);
  const updatedAt = updated ? new Date(updated) : createdAt;
  const closed = annotation.result ? CLOSED_RESULTS.has(annotation.result) : false;
  const labels: string[] = [];
  if (severity) labels.push(`severity:${severity}`);
  if (report.reporter) labels.push(`reporter:${report.reporter}`);
  return {
    provider: 'bitbucket',
    repositoryUrl: context.repositoryUrl,
    issueId: findingIdOf(report, annotation),
    kind: 'security_alert',
    title: annotation.summary || `${report.title ?? 'Security report'} finding`,
    body: annotation.details ?? null,
    state: closed ? 'closed' : 'open',
    labels,
    // A finding has no page of its own; the tool's link, else the commit whose reports show it.
    url: annotation.link || report.link || `${context.repositoryUrl}/commits/${context.commit}`,
    author: null,
    createdAt,
    updatedAt,
    closedAt: closed ? updatedAt : null,
    extra: {
      severity,
      path: annotation.path ?? null,
      line: annotation.line ?? null,
      result: annotation.result ?? null,
      report: report.title ?? null,
      reporter: report.reporter ?? null,
      reportId: report.external_id || report.uuid,
      annotationId: annotation.external_id || annotation.uuid,
      commit: context.commit,
    },
  };
}
