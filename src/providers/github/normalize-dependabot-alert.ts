/**
 * A Dependabot alert as a `security_alert` item. Its id is `alert-<number>` so it can never collide
 * with an issue number of the same repository.
 */
import type { ExternalIssue } from '../provider.js';
import type { DependabotAlert } from './github-schema.js';

export function normalizeDependabotAlert(alert: DependabotAlert, repositoryUrl: string): ExternalIssue {
  const advisory = alert.security_advisory ?? null;
  const severity = advisory?.severity ?? alert.security_vulnerability?.severity ?? null;
  const packageName = alert.dependency?.package?.name ?? null;
  const ecosystem = alert.dependency?.package?.ecosystem ?? null;
  const closedAt = alert.fixed_at ?? alert.dismissed_at ?? alert.auto_dismissed_at ?? null;
  const labels: string[] = [];
  if (severity) labels.push(`severity:${severity}`);
  if (ecosystem) labels.push(`ecosystem:${ecosystem}`);
  return {
    provider: 'github',
    repositoryUrl,
    issueId: `alert-${alert.number}`,
    kind: 'security_alert',
    title: advisory?.summary || `Dependabot alert #${alert.number}`,
    body: advisory?.description ?? null,
    state: alert.state === 'open' ? 'open' : 'closed',
    labels,
    url: alert.html_url,
    author: null,
    createdAt: new Date(alert.created_at),
    updatedAt: new Date(alert.updated_at),
    closedAt: closedAt ? new Date(closedAt) : null,
    extra: {
      number: alert.number,
      severity,
      package: packageName,
      ecosystem,
      manifest_path: alert.dependency?.manifest_path ?? null,
      ghsa_id: advisory?.ghsa_id ?? null,
      cve_id: advisory?.cve_id ?? null,
      state: alert.state,
      dismissed_reason: alert.dismissed_reason ?? null,
    },
  };
}
