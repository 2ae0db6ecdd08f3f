/**
 * The projects a signed-in person may see, when there is more than one (or none): each links its
 * repositories page and says the reader's role and how many repositories it has.
 */
import { html } from 'hono/html';
import type { Principal } from '../../principal.js';
import type { ProjectSummary, Role } from '../../../store/prisma-project-store.js';
import { issuesPageUrl, repositoriesPageUrl } from '../page-urls.js';
import { layout } from './layout.js';

export function projectPickerPage(principal: Principal, projects: (ProjectSummary & { role: Role })[]) {
  return layout({
    title: 'Projects',
    principal,
    current: 'projects',
    body: html`<h1>Projects</h1>
${
  projects.length === 0
    ? principal.kind === 'admin_token'
      ? html`<p>There is no project yet. <code>issue-sync users add --project SLUG --name NAME --role admin</code> creates one with its
first user, and installing the GitHub App creates one per account.</p>`
      : html`<p>You have no role in any project yet. An admin of a project can give you one with
<code>issue-sync users add --project SLUG --name NAME --role member</code>, which prints a token to sign in with.</p>`
    : html`<p class="muted">Choose a project.</p>
<ul class="projects">
${projects.map(
  (project) => html`<li><a href="${repositoriesPageUrl(project.slug)}">${project.name}</a>
<span class="muted"> · ${project.slug} · you are ${project.role} · ${plural(project.repositoryCount, 'repository', 'repositories')} ·
<a href="${issuesPageUrl(project.slug)}">issues<span class="visually-hidden"> of ${project.name}</span></a></span></li>
`,
)}</ul>`
}`,
  });
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
