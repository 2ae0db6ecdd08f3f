/**
 * The GitLab provider (gitlab.com or self-managed): one project, by path `group/sub/name` or numeric
 * id, through the polite HTTP client (gitlab-http.ts), every request counted. Issues over REST with
 * keyset pages (gitlab-issue-pages.ts), vulnerabilities over GraphQL (gitlab-vulnerability-pages.ts).
 *
 * Requests of a full sync of N issues and A vulnerabilities: the project read (1, cached) +
 * ceil(N / 100) issue pages (one more when N is a multiple of 100 on a server without keyset) + the
 * engine's catch-up (1 page when little changed) + max(1, ceil(A / 100)) vulnerability pages, within
 * ceil(N / 100) + ceil(A / 100) + 3. The vulnerability listing has no catch-up (`ignoresSince`).
 */
import type { ProviderOptions } from '../definition.js';
import type { Freshness, ListOptions, Page, Provider } from '../provider.js';
import { createGitLabHttp, projectRouteId } from './gitlab-http.js';
import { gitLabIssuePages } from './gitlab-issue-pages.js';
import { gitLabVulnerabilityPages } from './gitlab-vulnerability-pages.js';
import { getGitLabItem } from './gitlab-item.js';
import type { GitLabListingContext, GitLabProjectInfo } from './gitlab-listing-context.js';
import { gitLabIssueListSchema, gitLabProjectSchema, parseGitLabBody } from './gitlab-schema.js';

export function createGitLabProvider(options: ProviderOptions): Provider {
  const repo = options.repo.trim().replace(/^\/+|\/+$/g, '');
  const http = createGitLabHttp(options, repo);
  const projectPath = `/projects/${projectRouteId(repo)}`;

  const readProject = async (signal?: AbortSignal): Promise<GitLabProjectInfo> => {
    const response = await http.request(projectPath, { operation: 'reading the project', signal });
    const body = parseGitLabBody(gitLabProjectSchema, response.body, { repo, what: 'a project' });
    const levels = [body.permissions?.project_access?.access_level, body.permissions?.group_access?.access_level].filter(
      (level): level is number => typeof level === 'number',
    );
    return {
      id: String(body.id),
      fullName: body.path_with_namespace,
      url: body.web_url.replace(/\/+$/, ''),
      defaultBranch: body.default_branch ?? null,
      private: body.visibility !== 'public',
      openIssuesHint: body.open_issues_count ?? null,
      accessLevel: levels.length > 0 ? Math.max(...levels) : null,
      issuesEnabled: body.issues_enabled ?? true,
    };
  };
  let project: Promise<GitLabProjectInfo> | null = null;
  const context: GitLabListingContext = {
    repo,
    projectPath,
    http,
    project(signal) {
      if (!project) {
        project = readProject(signal);
        // A failed read is not cached: the next call asks again.
        project.catch(() => {
          project = null;
        });
      }
      return project;
    },
  };

  return {
    kind: 'gitlab',
    repo,
    listingTraits: { security: { ignoresSince: true } },
    async repository(signal) {
      const { accessLevel: _accessLevel, issuesEnabled: _issuesEnabled, ...info } = await context.project(signal);
      return info;
    },
    listIssues: (listOptions: ListOptions): AsyncIterable<Page> => gitLabIssuePages(context, listOptions),
    listSecurityAlerts: (listOptions: ListOptions): AsyncIterable<Page> => gitLabVulnerabilityPages(context, listOptions),
    getIssue: (issueId, signal) => getGitLabItem(context, issueId, signal),
    async freshness({ watermark, signal }): Promise<Freshness> {
      const response = await http.request(`${projectPath}/issues`, {
        operation: 'checking for changes',
        query: { state: 'all', order_by: 'updated_at', sort: 'desc', per_page: 1 },
        signal,
      });
      const [latest] = parseGitLabBody(gitLabIssueListSchema, response.body, { repo, what: 'an issue list' });
      const latestUpdatedAt = latest ? new Date(latest.updated_at) : null;
      return { changed: latestUpdatedAt !== null && (watermark === null || latestUpdatedAt > watermark), latestUpdatedAt, etag: null };
    },
    requestCount: () => http.requestCount(),
  };
}
