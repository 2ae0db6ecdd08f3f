/**
 * One GitLab item by its issueId: `<iid>` is an issue (REST), `vuln-<id>` a vulnerability (GraphQL).
 * Null when GitLab has no such item in this project, or does not show it to the token.
 */
import type { ExternalIssue } from '../provider.js';
import type { GitLabListingContext } from './gitlab-listing-context.js';
import { normalizeGitLabIssue } from './gitlab-issue.js';
import { gitLabIssueSchema, parseGitLabBody, singleVulnerabilitySchema } from './gitlab-schema.js';
import { normalizeGitLabVulnerability, vulnerabilityGid } from './gitlab-vulnerability.js';
import { VULNERABILITY_FIELDS } from './gitlab-vulnerability-pages.js';

const ISSUE_ID = /^(vuln-)?([1-9]\d{0,18})$/;

const QUERY = `query issueSyncVulnerability($id: VulnerabilityID!) {
  vulnerability(id: $id) { ${VULNERABILITY_FIELDS} project { fullPath } }
}`;

export async function getGitLabItem(context: GitLabListingContext, issueId: string, signal?: AbortSignal): Promise<ExternalIssue | null> {
  const match = ISSUE_ID.exec(issueId);
  if (!match) return null;
  const project = await context.project(signal);
  if (match[1] === undefined) {
    const response = await context.http.request(`${context.projectPath}/issues/${match[2]}`, {
      operation: `reading issue ${match[2]}`,
      signal,
      allow: [404],
    });
    if (response.status === 404) return null;
    return normalizeGitLabIssue(parseGitLabBody(gitLabIssueSchema, response.body, { repo: context.repo, what: 'an issue' }), project.url);
  }
  const response = await context.http.request(context.http.graphqlUrl, {
    operation: `reading vulnerability ${match[2]}`,
    method: 'POST',
    json: { query: QUERY, variables: { id: vulnerabilityGid(match[2]!) } },
    signal,
  });
  const node = parseGitLabBody(singleVulnerabilitySchema, response.body, { repo: context.repo, what: 'a vulnerability' }).data?.vulnerability;
  // Vulnerability ids are global: one of another project is not this project's item.
  if (!node || (node.project && node.project.fullPath.toLowerCase() !== project.fullName.toLowerCase())) return null;
  return normalizeGitLabVulnerability(node, project.url);
}
