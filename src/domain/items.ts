/**
 * The domain's own vocabulary: what an item from any Git host looks like once normalized. The
 * providers produce these, the sync engine and the store consume them; neither side imports the other.
 */
export const PROVIDER_KINDS = ['github', 'gitlab', 'bitbucket'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];
export type IssueKind = 'issue' | 'security_alert';
export type IssueState = 'open' | 'closed';
export type StateFilter = 'open' | 'closed' | 'all';

export function isProviderKind(value: string): value is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(value);
}

export interface ExternalIssue {
  provider: ProviderKind;
  /** Canonical web URL of the repository, e.g. `https://github.com/octo/hello`. */
  repositoryUrl: string;
  /** The provider's issue number, or `alert-<n>`, `vuln-<id>`, `finding-<report>-<annotation>`. */
  issueId: string;
  kind: IssueKind;
  title: string;
  body: string | null;
  state: IssueState;
  labels: string[];
  url: string;
  author: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Useful extra fields of the raw payload (severity, package, milestone, …); JSON-serializable. */
  extra: Record<string, unknown>;
}

export interface RateLimitInfo {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
}
