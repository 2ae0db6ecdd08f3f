import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { browse, ORIGIN, send, signIn } from './dashboard-browser.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let member: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  const project = await api.project('signin');
  member = await api.user(project.id, 'member', 'Grace');
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

describe('dashboard sign-in', () => {
  it('shows a signed-out browser at / a form with a labelled password field for the token', async () => {
    const page = await send(api.app, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<label for="token">API token<\/label>\s*<input type="password" id="token" name="token"/);
    expect(page.text).toContain('<form method="post" action="/dashboard/sign-in">');
    expect(page.text).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(page.text).toMatch(/<header[^>]*>[\s\S]*<\/header>\s*<main id="main"/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('keeps answering the JSON guide to Accept: application/json, now pointing at the dashboard', async () => {
    const answer = await api.request('GET', '/', { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ service: 'issue-sync', dashboard: { available: true, url: 'http://localhost/' } });
    expect(answer.body.api).toContainEqual({ usage: 'GET /api/projects', what: expect.any(String) });
  });

  it('keeps the guide to the command line and the API as a page at /guide, linking the dashboard', async () => {
    const page = await send(api.app, 'GET', '/guide');
    expect(page.status).toBe(200);
    expect(page.text).toContain('The dashboard is at http://localhost/: sign in there with an API token');
    expect(page.text).toContain('<a href="http://localhost/">Open the dashboard</a>');
    expect(page.text).toContain('issue-sync users add --project SLUG --name NAME --role member');
  });

  it('sets an HttpOnly, SameSite=Strict, Path=/ session cookie for a good token and sends the browser to the projects', async () => {
    const answer = await send(api.app, 'POST', '/dashboard/sign-in', { form: { token: member }, headers: { origin: ORIGIN } });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/dashboard/projects');
    const cookie = answer.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^issue_sync_session=[^;]+;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('marks the cookie Secure when the dashboard is reached over https', async () => {
    const direct = await api.app.request('https://issues.example.com/dashboard/sign-in', {
      method: 'POST',
      headers: { origin: 'https://issues.example.com', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: member }).toString(),
    });
    expect(direct.status).toBe(303);
    expect(direct.headers.get('set-cookie')).toMatch(/; Secure/);

    const proxied = await send(api.app, 'POST', '/dashboard/sign-in', {
      form: { token: member },
      headers: { origin: 'https://localhost', 'x-forwarded-proto': 'https' },
    });
    expect(proxied.status).toBe(303);
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('answers a wrong token with the form again, a plain 401 error, no cookie and no trace of what was typed', async () => {
    const typed = `${member}x`;
    const answer = await send(api.app, 'POST', '/dashboard/sign-in', { form: { token: typed }, headers: { origin: ORIGIN } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.text).toContain('That token is unknown or has been revoked.');
    expect(answer.text).toContain('<label for="token">API token</label>');
    expect(answer.text).not.toContain(typed);
    expect(answer.text).not.toMatch(/\bat [\w.<>]+ \(|Error:|node_modules/);

    const empty = await send(api.app, 'POST', '/dashboard/sign-in', { form: { token: ' ' }, headers: { origin: ORIGIN } });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter an API token to sign in.');
  });

  it('refuses a sign-in form posted from another site', async () => {
    const forged: Record<string, string>[] = [{ origin: 'https://evil.example' }, {}, { referer: 'https://evil.example/page' }, { origin: 'null' }];
    for (const headers of forged) {
      const answer = await send(api.app, 'POST', '/dashboard/sign-in', { form: { token: member }, headers });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
    const referred = await send(api.app, 'POST', '/dashboard/sign-in', { form: { token: member }, headers: { referer: `${ORIGIN}/` } });
    expect(referred.status).toBe(303);
  });

  it('accepts ADMIN_TOKEN', async () => {
    const cookie = await signIn(api.app, ADMIN_TOKEN);
    const page = await browse(api.app, '/', cookie);
    expect(page.status).toBe(200);
    expect(page.path).toBe('/dashboard/projects/signin');
    expect(page.text).toContain('Signed in with the admin token');
  });

  it('never puts the token in a page or a URL', async () => {
    const cookie = await signIn(api.app, member);
    expect(cookie).toBe(`issue_sync_session=${member}`);
    for (const path of ['/', '/dashboard/projects', '/dashboard/projects/signin', '/dashboard/projects/signin/issues']) {
      const page = await browse(api.app, path, cookie);
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain(member);
      expect(page.path, path).not.toContain(member);
    }
    const script = await send(api.app, 'GET', '/dashboard/assets/dashboard.js');
    expect(script.text).not.toContain(member);
    expect(script.text).not.toMatch(/document\.cookie|localStorage/);
  });

  it('signs out: the cookie is cleared and the pages send the browser back to sign in', async () => {
    const cookie = await signIn(api.app, member);
    const out = await send(api.app, 'POST', '/dashboard/sign-out', { cookie, headers: { origin: ORIGIN } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/?signed-out');
    expect(out.headers.get('set-cookie')).toMatch(/^issue_sync_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
    const after = await browse(api.app, '/?signed-out');
    expect(after.text).toContain('You are signed out.');
    const page = await send(api.app, 'GET', '/dashboard/projects/signin');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/');

    const forged = await send(api.app, 'POST', '/dashboard/sign-out', { cookie, headers: { origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
  });

  it('ends the session of a revoked token and says so', async () => {
    const project = await api.project('revoked');
    const token = await api.user(project.id, 'viewer', 'Revoked');
    const cookie = await signIn(api.app, token);
    await database.db.prisma.apiToken.updateMany({ where: { user: { name: 'Revoked' } }, data: { revokedAt: new Date() } });
    const page = await send(api.app, 'GET', '/dashboard/projects/revoked', { cookie });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/?session=ended');
    expect(page.headers.get('set-cookie')).toMatch(/^issue_sync_session=; Max-Age=0/);
    const home = await send(api.app, 'GET', '/', { cookie });
    expect(home.status).toBe(200);
    expect(home.text).toContain('Your session has ended');
  });
});
