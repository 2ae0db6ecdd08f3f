import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { browse, send, signIn } from './dashboard-browser.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let projectId: string;
let hello: string;
let quiet: string;
const cookies: Record<'admin' | 'member' | 'viewer' | 'several' | 'outsider', string> = {} as never;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  projectId = (await api.project('pages')).id;
  const side = await api.project('side');
  const elsewhere = await api.project('elsewhere');
  github.repo('octo', 'hello', { alerts: 1 }).addIssues(60, (index) => ({ title: index === 7 ? 'Crash on start' : `Feature ${index}`, state: 'open' }));
  github.repo('octo', 'quiet', { issues: 0 });
  hello = await api.connect(projectId, 'octo/hello', { webhookStatus: 'active' });
  quiet = await api.connect(projectId, 'octo/quiet', { webhookStatus: 'stale' });
  await database.db.prisma.repositoryConnection.update({
    where: { id: quiet },
    data: { webhookReason: 'No delivery for 3 days while issues changed on GitHub.', lastWebhookAt: new Date('2026-11-28T10:15:00Z') },
  });
  const admin = await api.user(projectId, 'admin', 'Ada');
  const synced = await api.request('POST', `/api/projects/pages/repositories/${hello}/sync`, {
    token: admin,
    json: { syncType: 'all', confirm: true, mode: 'sync' },
  });
  expect(synced.body.results).toMatchObject({ created: 61, failed: 0 });
  const several = (await database.db.prisma.user.create({ data: { name: 'Sev' } })).id;
  await database.db.prisma.membership.createMany({
    data: [
      { userId: several, projectId, role: 'member' },
      { userId: several, projectId: side.id, role: 'viewer' },
    ],
  });
  const severalToken = 'isk_several_projects_token_for_pages';
  const { hashApiToken } = await import('../../../src/auth/api-token.js');
  await database.db.prisma.apiToken.create({ data: { userId: several, tokenHash: hashApiToken(severalToken), name: 'test' } });
  cookies.admin = await signIn(api.app, admin);
  cookies.member = await signIn(api.app, await api.user(projectId, 'member', 'Mo'));
  cookies.viewer = await signIn(api.app, await api.user(projectId, 'viewer', 'Vi'));
  cookies.several = await signIn(api.app, severalToken);
  cookies.outsider = await signIn(api.app, await api.user(elsewhere.id, 'admin', 'Out'));
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

/** The <tr> of a repository or an issue, as the page has it. */
function rowOf(page: string, attribute: 'data-repository-id' | 'data-issue-id', id: string): string {
  const start = page.indexOf(`<tr ${attribute}="${id}"`);
  expect(start, `${attribute}=${id} in the page`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</tr>', start));
}

describe('the repositories page', () => {
  it('sends someone with one project straight to its repositories, with health, last sync and the sync controls', async () => {
    const page = await browse(api.app, '/', cookies.admin);
    expect(page.status).toBe(200);
    expect(page.path).toBe('/dashboard/projects/pages');
    expect(page.text).toMatch(/<nav aria-label="Dashboard">[\s\S]*>Repositories<\/a>[\s\S]*>Issues<\/a>/);
    expect(page.text).toMatch(/<button type="submit">Sign out<\/button>/);
    expect(page.text).toContain('<h1>Repositories of pages</h1>');

    const helloRow = rowOf(page.text, 'data-repository-id', hello);
    expect(helloRow).toContain('GitHub');
    expect(helloRow).toContain('>octo/hello</a>');
    expect(helloRow).toContain('<span class="badge active">Active</span>');
    expect(helloRow).toMatch(/Completed <time datetime="[^"]+">[^<]+<\/time>: 61 created, 0 updated, 0 skipped, 0 failed/);
    expect(helloRow).toMatch(/<label for="sync-type-[^"]+">Sync type<\/label>\s*<select id="sync-type-[^"]+" name="syncType">/);
    for (const value of ['issues', 'security', 'all']) expect(helloRow).toContain(`<option value="${value}">`);
    expect(helloRow).toMatch(/<input type="checkbox" id="include-closed-[^"]+" name="includeClosed"> Include closed issues<\/label>/);
    expect(helloRow).toMatch(/<button type="button" class="primary" data-action="sync">Sync now<\/button>/);
    expect(helloRow).not.toContain('sync-disabled-reason');

    const quietRow = rowOf(page.text, 'data-repository-id', quiet);
    expect(quietRow).toContain('<span class="badge stale">Stale</span>');
    expect(quietRow).toContain('No delivery for 3 days while issues changed on GitHub.');
    expect(quietRow).toContain('Last delivery <time datetime="2026-11-28T10:15:00.000Z">28 Nov 2026, 10:15 UTC</time>');
    expect(quietRow).toContain('Never synced');

    expect(page.text).toMatch(/<dialog id="sync-confirm" aria-labelledby="sync-confirm-title"[\s\S]*>Confirm sync<\/button>[\s\S]*>Cancel<\/button>/);
    expect(page.text).toMatch(/<dialog id="sync-progress" aria-labelledby="sync-progress-title">[\s\S]*<progress[\s\S]*aria-live="polite"/);
    for (const id of ['sync-stage', 'sync-counts', 'sync-rate-limit']) expect(page.text).toContain(`data-testid="${id}"`);
    expect(page.text).toMatch(/>Cancel sync<\/button>[\s\S]*>Close<\/button>/);
  });

  it('gives admins the stale back-fill and the connect form, and members neither', async () => {
    const admin = await browse(api.app, '/dashboard/projects/pages', cookies.admin);
    expect(admin.text).toContain('>Back-fill every stale repository</button>');
    expect(admin.text).toContain('<form id="connect-form"');
    expect(admin.text).toMatch(/<input type="password" id="connect-token" name="token"/);

    const member = await browse(api.app, '/dashboard/projects/pages', cookies.member);
    expect(member.status).toBe(200);
    expect(member.text).not.toContain('Back-fill every stale repository');
    expect(member.text).not.toContain('connect-form');
    expect(rowOf(member.text, 'data-repository-id', hello)).toMatch(/data-action="sync">Sync now<\/button>/);
  });

  it('shows a viewer the sync controls disabled, with the reason as text in the row', async () => {
    const page = await browse(api.app, '/dashboard/projects/pages', cookies.viewer);
    expect(page.status).toBe(200);
    const row = rowOf(page.text, 'data-repository-id', hello);
    expect(row).toMatch(/<button type="button" class="primary" data-action="sync" disabled aria-describedby="sync-reason-[^"]+">Sync now<\/button>/);
    expect(row).toMatch(/<select id="sync-type-[^"]+" name="syncType" disabled>/);
    expect(row).toMatch(/data-testid="sync-disabled-reason">Viewers can see repositories and follow syncs but not start them; ask an admin of the project for the member role.<\/p>/);
    expect(page.text).not.toContain('Back-fill every stale repository');
  });

  it('shows a running sync\'s progress in its row instead of the controls', async () => {
    const operation = await database.db.prisma.syncOperation.create({
      data: {
        projectId,
        repositoryId: quiet,
        status: 'running',
        syncType: 'issues',
        trigger: 'stale_webhook',
        progress: { stage: 'issues', processed: 40, total: 100, percent: 40 },
        startedAt: new Date(),
      },
    });
    try {
      const page = await browse(api.app, '/dashboard/projects/pages', cookies.member);
      const row = rowOf(page.text, 'data-repository-id', quiet);
      expect(row).toContain(`data-operation-id="${operation.id}" data-operation-status="running"`);
      expect(row).toMatch(/<div class="sync-controls" data-role="controls" hidden>/);
      expect(row).toContain('A sync is running: 40%, 40 of 100 items.');
      expect(row).toContain('>Show progress</button>');
    } finally {
      await database.db.prisma.syncOperation.delete({ where: { id: operation.id } });
    }
  });

  it('lets a person of several projects pick one, and answers a project that is not theirs with a 403 page', async () => {
    const picker = await browse(api.app, '/', cookies.several);
    expect(picker.path).toBe('/dashboard/projects');
    expect(picker.text).toContain('<h1>Projects</h1>');
    expect(picker.text).toContain('<a href="/dashboard/projects/pages">pages</a>');
    expect(picker.text).toContain('<a href="/dashboard/projects/side">side</a>');
    expect(picker.text).toMatch(/you are member[\s\S]*you are viewer/);

    const side = await browse(api.app, '/dashboard/projects/side', cookies.several);
    expect(side.text).toContain('No repository is connected to this project yet.');
    expect(side.text).toContain('>Projects</a>');

    const foreign = await send(api.app, 'GET', '/dashboard/projects/pages', { cookie: cookies.outsider });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toMatch(/^text\/html/);
    expect(foreign.text).toContain('You have no role in project pages');
    const missing = await send(api.app, 'GET', '/dashboard/projects/nope/issues', { cookie: cookies.outsider });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('There is no project');
  });

  it('sends a browser without a session back to sign in', async () => {
    for (const path of ['/dashboard/projects', '/dashboard/projects/pages', '/dashboard/projects/pages/issues']) {
      const answer = await send(api.app, 'GET', path);
      expect(answer.status, path).toBe(302);
      expect(answer.headers.get('location'), path).toBe('/');
    }
  });
});

describe('the issues page', () => {
  it('lists the stored issues in pages of 50 with a next-page link that keeps the filters', async () => {
    const first = await browse(api.app, '/dashboard/projects/pages/issues', cookies.member);
    expect(first.status).toBe(200);
    expect(first.text.match(/<tr data-issue-id="/g)).toHaveLength(50);
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(/^\/dashboard\/projects\/pages\/issues\?cursor=/);
    const second = await browse(api.app, next!, cookies.member);
    expect(second.text.match(/<tr data-issue-id="/g)).toHaveLength(11);
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('>First page</a>');

    const alerts = await browse(api.app, '/dashboard/projects/pages/issues?kind=security_alert', cookies.member);
    expect(alerts.text.match(/<tr data-issue-id="/g)).toHaveLength(1);
    expect(alerts.text).toContain('<option value="security_alert" selected>Security alerts</option>');
  });

  it('filters by title text and repository, and links each issue to its host', async () => {
    const page = await browse(api.app, `/dashboard/projects/pages/issues?repository=${hello}&state=open&q=crash`, cookies.member);
    const rows = page.text.match(/<tr data-issue-id="([^"]+)"/g) ?? [];
    expect(rows).toHaveLength(1);
    const issue = await database.db.prisma.issue.findFirstOrThrow({ where: { title: 'Crash on start' } });
    const row = rowOf(page.text, 'data-issue-id', issue.id);
    expect(row).toContain(`<a href="${issue.url}">Crash on start</a>`);
    expect(row).toContain('octo/hello');
    expect(row).toContain('Linked to <span data-role="external">octo/hello #');
    expect(row).toMatch(/<button type="button" data-action="unlink">Unlink<\/button>/);
    expect(page.text).toMatch(/<input type="search" id="filter-q" name="q" value="crash"/);
    expect(page.text).toContain(`<option value="${hello}" selected>octo/hello</option>`);
  });

  it('offers a link field on an issue that is not linked, and shows a viewer why it cannot link', async () => {
    const local = await database.db.prisma.issue.create({ data: { projectId, title: 'Printer on fire' } });
    const member = await browse(api.app, '/dashboard/projects/pages/issues?q=printer', cookies.member);
    const row = rowOf(member.text, 'data-issue-id', local.id);
    expect(row).toContain('data-linked="false"');
    expect(row).toMatch(/<label for="link-url-[^"]+">Link to URL<\/label>\s*<input type="url" id="link-url-[^"]+" name="url" required/);
    expect(row).toMatch(/<button type="submit">Link<\/button>/);
    expect(row).toMatch(/<div data-role="linked" hidden>/);

    const viewer = await browse(api.app, '/dashboard/projects/pages/issues?q=printer', cookies.viewer);
    expect(viewer.text).toContain('Viewers cannot link or unlink issues');
    expect(rowOf(viewer.text, 'data-issue-id', local.id)).toMatch(/<button type="submit" disabled aria-describedby="link-disabled-reason">Link<\/button>/);
  });

  it('says so when a page link is out of date, and shows the first page', async () => {
    const page = await browse(api.app, '/dashboard/projects/pages/issues?cursor=bm90LWEtY3Vyc29y', cookies.member);
    expect(page.status).toBe(200);
    expect(page.text).toContain('That page link is out of date; here is the first page.');
    expect(page.text.match(/<tr data-issue-id="/g)).toHaveLength(50);
  });
});

describe('what the pages load', () => {
  it('keeps the first page, and the repositories page, under 100 KB with their stylesheet and script, all served here', async () => {
    for (const cookie of [undefined, cookies.admin]) {
      const page = await browse(api.app, '/', cookie);
      const assets = [...page.text.matchAll(/(?:href|src)="(\/dashboard\/assets\/[^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
      expect(assets.length).toBeGreaterThan(0);
      let bytes = Buffer.byteLength(page.text);
      for (const asset of assets) {
        const answer = await send(api.app, 'GET', asset);
        expect(answer.status, asset).toBe(200);
        bytes += Buffer.byteLength(answer.text);
      }
      expect(bytes).toBeLessThan(100 * 1024);
      expect(page.text).not.toMatch(/<(?:link|script|img)[^>]+(?:href|src)="(?:https?:)?\/\//);
    }
  });

  it('serves a script that parses, with a long cache on its versioned URL', async () => {
    const page = await browse(api.app, '/dashboard/projects/pages', cookies.member);
    const src = /<script src="([^"]+)" defer><\/script>/.exec(page.text)?.[1];
    expect(src).toMatch(/^\/dashboard\/assets\/dashboard\.js\?v=[0-9a-f]{12}$/);
    const script = await send(api.app, 'GET', src!);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(() => new Script(script.text)).not.toThrow();
  });
});

describe('the operation as the dialog polls it', () => {
  it('says until when a sync waits for the rate limit, and nothing once it has finished', async () => {
    const resetAt = new Date(Date.now() + 45 * 60_000);
    const operation = await database.db.prisma.syncOperation.create({
      data: {
        projectId,
        repositoryId: quiet,
        status: 'pending',
        syncType: 'issues',
        trigger: 'manual',
        progress: { stage: 'issues', processed: 100, total: 200, percent: 50, rateLimitRemaining: 0, rateLimitResetAt: resetAt.toISOString() },
      },
    });
    try {
      const waiting = await send(api.app, 'GET', `/api/sync-operations/${operation.id}`, { cookie: cookies.viewer, headers: { accept: 'application/json' } });
      expect(JSON.parse(waiting.text).progress).toMatchObject({ percent: 50, rateLimitRemaining: 0, waitingForRateLimitUntil: resetAt.toISOString() });
      await database.db.prisma.syncOperation.update({ where: { id: operation.id }, data: { status: 'cancelled', completedAt: new Date() } });
      const done = await send(api.app, 'GET', `/api/sync-operations/${operation.id}`, { cookie: cookies.viewer, headers: { accept: 'application/json' } });
      expect(JSON.parse(done.text).progress.waitingForRateLimitUntil).toBeNull();
    } finally {
      await database.db.prisma.syncOperation.delete({ where: { id: operation.id } });
    }
  });
});
