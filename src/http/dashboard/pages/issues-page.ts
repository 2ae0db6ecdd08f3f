/**
 * A project's stored issues, oldest first: filters (repository, kind, state, text in the title) as a
 * GET form, a "Next page" link that carries the listing's cursor, each issue's link to its host,
 * and per issue the manual link (by the external issue's URL) or unlink; viewers see why they cannot.
 */
import { html } from 'hono/html';
import type { IssueListItem } from '../../../store/list-issues.js';
import type { RepositoryListItem } from '../../../store/list-repositories.js';
import type { Role } from '../../../store/prisma-project-store.js';
import type { Principal } from '../../principal.js';
import { externalIdText } from '../format.js';
import { issuesPageUrl } from '../page-urls.js';
import { layout } from './layout.js';

export interface IssueFilters {
  repository?: string;
  kind?: 'issue' | 'security_alert';
  state?: 'open' | 'closed';
  q?: string;
  cursor?: string;
}

export interface IssuesPageData {
  principal: Principal;
  project: { id: string; slug: string; name: string; role: Role };
  severalProjects: boolean;
  repositories: RepositoryListItem[];
  filters: IssueFilters;
  items: IssueListItem[];
  nextCursor: string | null;
  /** Why the listing could not be read as asked (an out-of-date cursor), in plain words. */
  problem?: string;
}

const VIEWER_REASON = 'Viewers cannot link or unlink issues; ask an admin of the project for the member role.';

export function issuesPage(data: IssuesPageData) {
  const { project, filters } = data;
  const paths = new Map(data.repositories.map((repository) => [repository.id, repository.fullPath]));
  const viewer = project.role === 'viewer';
  const filtered = Boolean(filters.repository || filters.kind || filters.state || filters.q);
  return layout({
    title: `${project.name}: issues`,
    principal: data.principal,
    project,
    current: 'issues',
    severalProjects: data.severalProjects,
    script: true,
    body: html`<h1>Issues of ${project.name}</h1>
<form method="get" action="${issuesPageUrl(project.slug)}" class="row-form" aria-label="Filter issues">
<div class="field"><label for="filter-repository">Repository</label>
<select id="filter-repository" name="repository"><option value="">All repositories</option>
${data.repositories.map((repository) => html`<option value="${repository.id}"${filters.repository === repository.id ? html` selected` : ''}>${repository.fullPath}</option>`)}
</select></div>
<div class="field"><label for="filter-kind">Kind</label>
<select id="filter-kind" name="kind">${options(filters.kind, [['', 'All kinds'], ['issue', 'Issues'], ['security_alert', 'Security alerts']])}</select></div>
<div class="field"><label for="filter-state">State</label>
<select id="filter-state" name="state">${options(filters.state, [['', 'Open and closed'], ['open', 'Open'], ['closed', 'Closed']])}</select></div>
<div class="field"><label for="filter-q">Title contains</label>
<input type="search" id="filter-q" name="q" value="${filters.q ?? ''}" maxlength="200"></div>
<button type="submit" class="primary">Filter</button>
${filtered ? html`<a href="${issuesPageUrl(project.slug)}">Clear filters</a>` : ''}
</form>
<p id="page-status" class="notice" role="status" aria-live="polite"></p>
${data.problem ? html`<p class="error" role="alert">${data.problem}</p>` : ''}
${viewer ? html`<p class="muted small" id="link-disabled-reason">${VIEWER_REASON}</p>` : ''}
${
  data.items.length === 0
    ? html`<p>${filtered || filters.cursor ? 'No stored issue matches these filters.' : 'No issue is stored in this project yet; sync a repository first.'}</p>`
    : html`<table class="stack">
<caption class="visually-hidden">Stored issues of ${project.name}</caption>
<thead><tr><th scope="col">Title</th><th scope="col">Repository</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Link</th></tr></thead>
<tbody>
${data.items.map((issue) => issueRow(issue, paths, viewer))}
</tbody>
</table>`
}
<nav class="pager" aria-label="Pages">
${filters.cursor ? html`<a href="${issuesPageUrl(project.slug, query(filters, null))}">First page</a>` : ''}
${data.nextCursor ? html`<a href="${issuesPageUrl(project.slug, query(filters, data.nextCursor))}" rel="next">Next page</a>` : ''}
</nav>`,
  });
}

function issueRow(issue: IssueListItem, paths: Map<string, string>, viewer: boolean) {
  const linked = issue.externalId !== null;
  const disabled = viewer ? html` disabled aria-describedby="link-disabled-reason"` : '';
  const repository = issue.repositoryId ? paths.get(issue.repositoryId) : undefined;
  return html`<tr data-issue-id="${issue.id}" data-linked="${String(linked)}">
<th scope="row" data-label="Title">${issue.url ? html`<a href="${issue.url}">${issue.title}</a>` : issue.title}
${issue.labels.length > 0 ? html`<p class="muted small">${issue.labels.join(', ')}</p>` : ''}</th>
<td data-label="Repository">${repository ?? (issue.repositoryUrl ? hostPath(issue.repositoryUrl) : html`<span class="muted">Local</span>`)}</td>
<td data-label="Kind">${issue.kind === 'security_alert' ? 'Security alert' : 'Issue'}</td>
<td data-label="State">${issue.state === 'open' ? 'Open' : 'Closed'}</td>
<td data-label="Link">
<div data-role="linked"${linked ? '' : html` hidden`}>
<p>Linked to <span data-role="external">${issue.externalId ? externalIdText(issue.externalId) : ''}</span></p>
<button type="button" data-action="unlink"${disabled}>Unlink</button>
</div>
<form class="link-form" data-role="link-form" method="post" action="/dashboard/noscript"${linked ? html` hidden` : ''}>
${issue.unlinked ? html`<p class="muted small">Unlinked by hand: syncs leave it alone until it is linked again.</p>` : ''}
<label for="link-url-${issue.id}">Link to URL</label>
<input type="url" id="link-url-${issue.id}" name="url" required placeholder="https://github.com/owner/repo/issues/12"${disabled}>
<button type="submit"${disabled}>Link</button>
</form>
<p class="error small" data-role="row-error" role="alert"></p>
</td>
</tr>
`;
}

function options(selected: string | undefined, choices: [string, string][]) {
  return choices.map(([value, label]) => html`<option value="${value}"${(selected ?? '') === value ? html` selected` : ''}>${label}</option>`);
}

function query(filters: IssueFilters, cursor: string | null): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of ['repository', 'kind', 'state', 'q'] as const) {
    const value = filters[key];
    if (value) search.set(key, value);
  }
  if (cursor) search.set('cursor', cursor);
  return search;
}

function hostPath(url: string): string {
  try {
    return new URL(url).pathname.replace(/^\/+|\/+$/g, '');
  } catch {
    return url;
  }
}
