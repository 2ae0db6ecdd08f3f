/**
 * The frame of every dashboard page: a skip link, a header with the project's navigation and the
 * sign-out button, one <main>, the stylesheet and (where a page acts) the script. Pages are plain
 * HTML: everything they show is readable without the script.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Principal } from '../../principal.js';
import type { Role } from '../../../store/prisma-project-store.js';
import { ICON_URL, SCRIPT_URL, STYLE_URL } from '../assets/asset-routes.js';
import { issuesPageUrl, projectsPageUrl, repositoriesPageUrl } from '../page-urls.js';

type Content = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface LayoutOptions {
  title: string;
  body: Content;
  /** Signed in: the header shows who, the navigation and "Sign out". */
  principal?: Principal;
  /** The project the page is about, with the reader's role in it. */
  project?: { id: string; slug: string; name: string; role: Role };
  current?: 'repositories' | 'issues' | 'projects';
  /** The reader sees more than one project: the navigation links the picker. */
  severalProjects?: boolean;
  script?: boolean;
  narrow?: boolean;
}

export function layout(options: LayoutOptions) {
  const { project, current } = options;
  const here = (page: LayoutOptions['current']) => (current === page ? html` aria-current="page"` : '');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · issue-sync</title>
<link rel="icon" href="${ICON_URL}" type="image/svg+xml">
<link rel="stylesheet" href="${STYLE_URL}">
${options.script ? html`<script src="${SCRIPT_URL}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">issue-sync</a>
${
  options.principal
    ? html`<nav aria-label="Dashboard">
<ul>
${project
  ? html`<li><a href="${repositoriesPageUrl(project.slug)}"${here('repositories')}>Repositories</a></li>
<li><a href="${issuesPageUrl(project.slug)}"${here('issues')}>Issues</a></li>
`
  : ''}${options.severalProjects || !project ? html`<li><a href="${projectsPageUrl()}"${here('projects')}>Projects</a></li>` : ''}
</ul>
</nav>
<p class="who">${whoText(options.principal, project)}</p>
<form method="post" action="/dashboard/sign-out"><button type="submit">Sign out</button></form>`
    : ''
}
</header>
<main id="main"${options.narrow ? html` class="narrow"` : ''}${project ? html` data-project-id="${project.id}" data-project-slug="${project.slug}" data-role="${project.role}"` : ''} tabindex="-1">
${options.body}
</main>
</body>
</html>`;
}

function whoText(principal: Principal, project: LayoutOptions['project']): string {
  const who = principal.kind === 'admin_token' ? 'Signed in with the admin token' : `Signed in as ${principal.name}`;
  return project ? `${who} · ${project.role} of ${project.name}` : who;
}
