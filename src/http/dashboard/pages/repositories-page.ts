/**
 * A project's repositories: host, path, webhook health with its reason and last delivery, the last
 * sync with its result, and per repository the ManualSyncButton (sync type, include closed, the
 * button; disabled with its reason for viewers). A repository whose sync runs shows that sync's
 * progress instead. The page holds the two dialogs the script opens: the confirmation the API asks
 * for (428) and the SyncProgressDialog. Admins also get the stale back-fill and the connect form.
 */
import { html } from 'hono/html';
import { PROVIDER_DEFINITIONS } from '../../../providers/index.js';
import type { OperationRecord } from '../../../store/issue-store.js';
import type { RepositoryListItem } from '../../../store/list-repositories.js';
import type { Role } from '../../../store/prisma-project-store.js';
import type { Principal } from '../../principal.js';
import { countsText, isRunning, providerName, syncTypeText, timeOf, triggerText } from '../format.js';
import { layout } from './layout.js';

/**
 * The hosts a repository is connected to with a token: first those whose webhooks the service takes
 * at a route of the host's own (GitLab, Bitbucket), then GitHub, whose repositories normally come
 * from the GitHub App.
 */
const CONNECT_HOSTS = [
  ...PROVIDER_DEFINITIONS.filter((definition) => definition.webhookHandler),
  ...PROVIDER_DEFINITIONS.filter((definition) => !definition.webhookHandler),
];

export interface RepositoriesPageData {
  principal: Principal;
  project: { id: string; slug: string; name: string; role: Role };
  severalProjects: boolean;
  repositories: RepositoryListItem[];
  /** Each repository's latest operation, by id. */
  operations: Map<string, OperationRecord>;
  /** A repository connected just before this page was asked for (the connect form's redirect). */
  connectedId?: string;
}

const VIEWER_REASON = 'Viewers can see repositories and follow syncs but not start them; ask an admin of the project for the member role.';

export function repositoriesPage(data: RepositoriesPageData) {
  const { project, repositories } = data;
  const connected = data.connectedId ? repositories.find((repository) => repository.id === data.connectedId) : undefined;
  return layout({
    title: `${project.name}: repositories`,
    principal: data.principal,
    project,
    current: 'repositories',
    severalProjects: data.severalProjects,
    script: true,
    body: html`<h1>Repositories of ${project.name}</h1>
<noscript><p class="notice">Starting and following syncs needs JavaScript; everything else on this page reads without it.</p></noscript>
<p id="page-status" class="notice" role="status" aria-live="polite">${connected ? `Connected ${connected.fullPath}.` : ''}</p>
${
  repositories.length === 0
    ? html`<p>No repository is connected to this project yet.${
        project.role === 'admin'
          ? ' Connect a GitLab or Bitbucket repository below, or install the GitHub App on GitHub repositories.'
          : ' An admin of the project can connect one, or install the GitHub App.'
      }</p>`
    : html`<table class="stack">
<caption class="visually-hidden">Repositories of ${project.name}, with webhook health, last sync and sync controls</caption>
<thead><tr><th scope="col">Host</th><th scope="col">Repository</th><th scope="col">Webhook</th><th scope="col">Last sync</th><th scope="col">Sync</th></tr></thead>
<tbody>
${repositories.map((repository) => repositoryRow(repository, repository.lastOperation ? data.operations.get(repository.lastOperation.id) : undefined, project.role))}
</tbody>
</table>`
}
${project.role === 'admin' ? adminPanel(project.name, repositories.length > 0) : ''}
${confirmDialog()}
${progressDialog()}`,
  });
}

function repositoryRow(repository: RepositoryListItem, operation: OperationRecord | undefined, role: Role) {
  const id = repository.id;
  const running = isRunning(operation);
  const viewer = role === 'viewer';
  const disabled = viewer || !repository.active;
  const reason = viewer ? VIEWER_REASON : !repository.active ? 'This repository is no longer connected (deactivated), so it cannot be synced.' : '';
  return html`<tr data-repository-id="${id}" data-repository-path="${repository.fullPath}" data-active="${String(repository.active)}" data-last-operation-id="${repository.lastOperation?.id ?? ''}"${
    running && operation ? html` data-operation-id="${operation.id}" data-operation-status="${operation.status}"` : ''
  }>
<td data-label="Host">${providerName(repository.provider)}<br><span class="muted small">${hostOf(repository.url)}</span></td>
<th scope="row" data-label="Repository"><a href="${repository.url}">${repository.fullPath}</a>${repository.active ? '' : html`<p class="muted small">Deactivated</p>`}</th>
<td data-label="Webhook">${webhookCell(repository)}</td>
<td data-label="Last sync" data-role="last-sync">${lastSyncCell(repository, operation)}</td>
<td data-label="Sync">
<div class="sync-controls" data-role="controls"${running ? html` hidden` : ''}>
<label for="sync-type-${id}">Sync type</label>
<select id="sync-type-${id}" name="syncType"${disabled ? html` disabled` : ''}>
<option value="issues">Issues</option>
<option value="security">Security alerts</option>
<option value="all">All</option>
</select>
<label class="check" for="include-closed-${id}"><input type="checkbox" id="include-closed-${id}" name="includeClosed"${disabled ? html` disabled` : ''}> Include closed issues</label>
<button type="button" class="primary" data-action="sync"${disabled ? html` disabled aria-describedby="sync-reason-${id}"` : ''}>Sync now</button>
${disabled ? html`<p class="muted small" id="sync-reason-${id}" data-testid="sync-disabled-reason">${reason}</p>` : ''}
<p class="error small" data-role="row-error" role="alert"></p>
</div>
<div data-role="running"${running ? '' : html` hidden`}>
<p data-role="running-text">${running && operation ? runningText(operation) : ''}</p>
<button type="button" data-action="show-progress">Show progress</button>
</div>
</td>
</tr>
`;
}

function webhookCell(repository: RepositoryListItem) {
  const status = repository.webhookStatus;
  const label = { active: 'Active', stale: 'Stale', inactive: 'Inactive' }[status];
  return html`<span class="badge ${status}">${label}</span>
${repository.webhookReason ? html`<p class="small">${repository.webhookReason}</p>` : ''}
<p class="muted small">${repository.lastWebhookAt ? html`Last delivery ${timeOf(repository.lastWebhookAt)}` : 'No delivery yet'}</p>
${repository.lastCheckedAt ? html`<p class="muted small">Last checked ${timeOf(repository.lastCheckedAt)}</p>` : ''}`;
}

function lastSyncCell(repository: RepositoryListItem, operation: OperationRecord | undefined) {
  const lastCompleted = repository.lastSyncAt ? html`<p class="muted small">Last completed sync ${timeOf(repository.lastSyncAt)}</p>` : '';
  if (!operation) return repository.lastSyncAt ? lastCompleted : html`<p>Never synced</p>`;
  const what = html`<p class="muted small">${syncTypeText(operation.syncType)}${operation.includeClosed ? ', closed included' : ''}, ${triggerText(operation.trigger)}</p>`;
  const at = operation.completedAt ?? operation.startedAt ?? operation.createdAt;
  switch (operation.status) {
    case 'completed':
      return html`<p>Completed ${timeOf(at)}: ${countsText(operation.results)}</p>${what}`;
    case 'failed':
      return html`<p>Failed ${timeOf(at)}: ${operation.error ?? 'no reason was recorded'}</p>${what}${lastCompleted}`;
    case 'cancelled':
      return html`<p>Cancelled ${timeOf(at)}: ${countsText(operation.results)} before it stopped</p>${what}${lastCompleted}`;
    default:
      return html`<p>Running since ${timeOf(at)}</p>${what}${lastCompleted}`;
  }
}

function runningText(operation: OperationRecord): string {
  const { percent, processed, total } = operation.progress;
  if (operation.status === 'pending') return 'A sync is queued and starts shortly.';
  return `A sync is running: ${percent}%, ${processed}${total === null ? '' : ` of ${total}`} items.`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function adminPanel(projectName: string, hasRepositories: boolean) {
  return html`<section class="panel" aria-labelledby="admin-title">
<h2 id="admin-title">Administration</h2>
${
  hasRepositories
    ? html`<p class="muted small" id="backfill-help">Catches up every repository of ${projectName} whose webhook is stale, from its last sync.</p>
<button type="button" data-action="backfill" aria-describedby="backfill-help">Back-fill every stale repository</button>`
    : ''
}
<h3>Connect a repository</h3>
<form id="connect-form" method="post" action="/dashboard/noscript">
<div class="row-form">
<div class="field"><label for="connect-provider">Host</label>
<select id="connect-provider" name="provider">${CONNECT_HOSTS.map((host) => html`<option value="${host.kind}">${host.label}</option>`)}</select></div>
<div class="field"><label for="connect-repo">Repository</label>
<input type="text" id="connect-repo" name="repo" required placeholder="group/project" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="connect-token">Access token</label>
<input type="password" id="connect-token" name="token" required autocomplete="off"></div>
<div class="field"><label for="connect-api-url">API URL (optional)</label>
<input type="url" id="connect-api-url" name="apiUrl" placeholder="https://gitlab.example.com" autocomplete="off"></div>
</div>
<p class="muted small">The token is checked with the host first and stored encrypted. GitHub repositories normally come from the GitHub App.</p>
<p class="error" id="connect-error" role="alert"></p>
<button type="submit" class="primary">Connect repository</button>
</form>
</section>`;
}

function confirmDialog() {
  return html`<dialog id="sync-confirm" aria-labelledby="sync-confirm-title" aria-describedby="sync-confirm-text">
<h2 id="sync-confirm-title">Sync anyway?</h2>
<div id="sync-confirm-text"></div>
<p class="muted small">Nothing has started yet.</p>
<div class="actions">
<button type="button" class="primary" data-action="confirm-sync">Confirm sync</button>
<button type="button" data-action="cancel-confirm" autofocus>Cancel</button>
</div>
</dialog>`;
}

function progressDialog() {
  return html`<dialog id="sync-progress" aria-labelledby="sync-progress-title">
<h2 id="sync-progress-title">Sync</h2>
<progress max="100" aria-labelledby="sync-progress-title"></progress>
<div aria-live="polite">
<p data-testid="sync-stage"></p>
<p data-testid="sync-processed"></p>
<p data-testid="sync-rate-limit" hidden></p>
<p data-testid="sync-counts"></p>
<p data-testid="sync-notes" class="muted small"></p>
</div>
<p class="error" data-testid="sync-error" role="alert"></p>
<div class="actions">
<button type="button" data-action="cancel-sync">Cancel sync</button>
<button type="button" data-action="close-progress" autofocus>Close</button>
</div>
</dialog>`;
}
