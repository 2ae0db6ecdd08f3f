import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let projectId: string;
let member: string;
let viewer: string;
let outsider: string;
let repositoryId: string;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  projectId = (await api.project('tracker')).id;
  const other = await api.project('other');
  [member, viewer, outsider] = await Promise.all([
    api.user(projectId, 'member'),
    api.user(projectId, 'viewer'),
    api.user(other.id, 'admin'),
  ]);
  github.repo('octo', 'tracked', { alerts: 3 }).addIssues(24, (index) => ({
    title: index % 3 === 0 ? `Crash on start ${index}` : `Feature ${index}`,
    state: index % 2 === 0 ? 'open' : 'closed',
  }));
  repositoryId = await api.connect(projectId, 'octo/tracked');
  const sync = await api.request('POST', `/api/projects/tracker/repositories/${repositoryId}/sync`, {
    token: member, json: { syncType: 'all', includeClosed: true, confirm: true },
  });
  expect(sync.body.results).toMatchObject({ created: 27, failed: 0 });
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

const issuesPath = (query = '') => `/api/projects/tracker/issues${query}`;

async function listAll(query: string, token = viewer) {
  const items = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = query ? '&' : '?';
    const answer = await api.request('GET', issuesPath(`${query}${cursor ? `${separator}cursor=${cursor}` : ''}`), { token });
    expect(answer.status).toBe(200);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { items, pages };
}

describe('GET /api/projects/:projectId/issues', () => {
  it('pages through every issue with the cursor, each exactly once', async () => {
    const { items, pages } = await listAll('?limit=10');
    expect(items).toHaveLength(27);
    expect(pages).toBe(3);
    expect(new Set(items.map((item) => item.id)).size).toBe(27);
    expect(items[0]).toEqual({
      id: expect.any(String), externalId: expect.stringMatching(/^github:https:\/\/github\.com\/octo\/tracked:/), repositoryId,
      repositoryUrl: 'https://github.com/octo/tracked', kind: expect.any(String), state: expect.any(String), title: expect.any(String),
      url: expect.any(String), labels: expect.any(Array), author: expect.anything(), unlinked: false,
      externalUpdatedAt: expect.any(String), createdAt: expect.any(String),
    });
    const first = await api.request('GET', issuesPath(), { token: viewer });
    expect(first.body.items).toHaveLength(27);
    expect(first.body.nextCursor).toBeNull();
  });

  it('filters by repository, kind, state and title text', async () => {
    await database.db.prisma.issue.createMany({ data: [{ projectId, title: 'Uses 100% CPU' }, { projectId, title: 'snake_case name' }] });
    const stored = await database.db.prisma.issue.findMany({ where: { projectId } });
    const expectIds = async (query: string, keep: (row: (typeof stored)[number]) => boolean) => {
      const { items } = await listAll(query);
      expect(items.map((item) => item.id).sort(), query).toEqual(stored.filter(keep).map((row) => row.id).sort());
    };
    await expectIds('?kind=security_alert', (row) => row.kind === 'security_alert');
    await expectIds('?kind=issue&state=closed', (row) => row.kind === 'issue' && row.state === 'closed');
    await expectIds('?q=crash%20ON', (row) => row.title.toLowerCase().includes('crash on'));
    await expectIds(`?repository=${repositoryId}&state=open&limit=4`, (row) => row.repositoryId === repositoryId && row.state === 'open');
    await expectIds('?q=%25', (row) => row.title.includes('%'));
    await expectIds('?q=e_c', (row) => row.title.includes('e_c'));
    expect((await listAll('?q=%25')).items).toHaveLength(1);
    await expectIds('?repository=7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11', () => false);
  });

  it('refuses bad filters with 400 and other projects with 403', async () => {
    const bad: [string, string][] = [
      ['?kind=bug', 'kind must be one of issue, security_alert'],
      ['?state=all', 'state must be one of open, closed'],
      ['?limit=0', 'limit must be a whole number from 1 to 100'],
      ['?limit=101', 'limit must be a whole number from 1 to 100'],
      ['?limit=ten', 'limit must be a whole number from 1 to 100'],
      ['?repository=', 'repository must not be empty'],
      ['?status=open', '"status" is not a known field'],
      [`?q=${'x'.repeat(201)}`, 'q must be at most 200 characters long'],
      ['?q=%00', 'q must not contain NUL characters'],
    ];
    for (const [query, message] of bad) {
      expect(await api.request('GET', issuesPath(query), { token: viewer }), query).toMatchObject({
        status: 400, body: { error: 'invalid_query', message },
      });
    }
    for (const cursor of ['garbage', Buffer.from('2026-01-01T00:00:00Z|not-a-uuid').toString('base64url'), Buffer.from('-100000-01-01T00:00:00Z|7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11').toString('base64url')]) {
      expect(await api.request('GET', issuesPath(`?cursor=${cursor}`), { token: viewer })).toMatchObject({
        status: 400, body: { error: 'invalid_cursor' },
      });
    }
    expect(await api.request('GET', issuesPath(), { token: outsider })).toMatchObject({ status: 403 });
  });
});

describe('link and unlink', () => {
  const linkPath = (issueId: string) => `/api/projects/tracker/issues/${issueId}/link`;
  const localIssue = (title: string) =>
    database.db.prisma.issue.create({ data: { projectId, title, repositoryUrl: 'https://github.com/octo/tracked' } });

  it('links a local issue by repository and issue id after checking it exists, and refuses a second link to it (409)', async () => {
    const target = await localIssue('Written by hand');
    // Issue 25 exists on GitHub but not in the database yet (added after the sync).
    github.repo('octo', 'tracked', { issues: [{ title: 'Added later' }] });
    const linked = await api.request('POST', linkPath(target.id), { token: member, json: { repositoryId, externalIssueId: 25 } });
    expect(linked.status).toBe(200);
    const externalId = 'github:https://github.com/octo/tracked:25';
    expect(linked.body).toEqual({
      issue: expect.objectContaining({ id: target.id, externalId, repositoryId, unlinked: false, title: 'Written by hand' }),
      external: { externalId, kind: 'issue', title: 'Added later', state: 'open', url: 'https://github.com/octo/tracked/issues/25' },
    });

    const twice = await api.request('POST', linkPath(target.id), { token: member, json: { repositoryId, externalIssueId: '25' } });
    expect(twice.status).toBe(200);

    const other = await localIssue('Another hand-written one');
    const conflict = await api.request('POST', linkPath(other.id), { token: member, json: { repositoryId, externalIssueId: '25' } });
    expect(conflict).toMatchObject({ status: 409, body: { error: 'already_linked', issueId: target.id, externalId } });
    expect((await database.db.prisma.issue.findUniqueOrThrow({ where: { id: other.id } })).externalId).toBeNull();

    // The next sync updates the linked issue instead of creating a copy.
    const sync = await api.request('POST', `/api/projects/tracker/repositories/${repositoryId}/sync`, {
      token: member, json: { syncType: 'issues', includeClosed: true, confirm: true },
    });
    expect(sync.body.results).toMatchObject({ created: 0, updated: 1 });
    expect(await database.db.prisma.issue.findUniqueOrThrow({ where: { id: target.id } })).toMatchObject({ title: 'Added later', externalId });
  });

  it('links by the web URL of an issue or a Dependabot alert', async () => {
    const issue = await localIssue('Linked by URL');
    const alert = await database.db.prisma.issue.findFirstOrThrow({ where: { projectId, kind: 'security_alert' } });
    const number = alert.externalId!.split(':alert-')[1];
    // The alert is already stored as its own issue: linking another issue to it conflicts.
    const taken = await api.request('POST', linkPath(issue.id), {
      token: member, json: { url: `https://github.com/octo/tracked/security/dependabot/${number}` },
    });
    expect(taken).toMatchObject({ status: 409, body: { error: 'already_linked', issueId: alert.id } });

    github.repo('octo', 'tracked', { issues: [{ title: 'Another late one' }] });
    const byUrl = await api.request('POST', linkPath(issue.id), { token: member, json: { url: 'https://github.com/OCTO/tracked/issues/26/' } });
    expect(byUrl).toMatchObject({ status: 200, body: { issue: { externalId: 'github:https://github.com/octo/tracked:26' } } });
  });

  it('refuses links to what does not exist, pull requests, bad bodies and viewers', async () => {
    const issue = await localIssue('Stays unlinked');
    const post = (json: unknown, token = member, id = issue.id) => api.request('POST', linkPath(id), { token, json });
    expect(await post({ repositoryId, externalIssueId: '9999' })).toMatchObject({ status: 422, body: { error: 'external_issue_not_found' } });
    expect(await post({ repositoryId, externalIssueId: 'alert-99' })).toMatchObject({ status: 422, body: { error: 'external_issue_not_found' } });
    expect(await post({ url: 'https://github.com/octo/unknown/issues/1' })).toMatchObject({ status: 422, body: { error: 'unknown_repository' } });
    expect(await post({ url: 'https://github.com/octo/tracked/pull/3' })).toMatchObject({ status: 422, body: { error: 'not_an_issue' } });
    expect(await post({ url: 'https://github.com/octo/tracked/wiki' })).toMatchObject({ status: 400 });
    expect(await post({ repositoryId: '7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11', externalIssueId: '1' })).toMatchObject({
      status: 422, body: { error: 'unknown_repository' },
    });
    expect(await post({ repositoryId })).toMatchObject({
      status: 400, body: { message: 'The body must have url, or repositoryId and externalIssueId' },
    });
    expect(await post({ url: 'https://github.com/octo/tracked/issues/1', repositoryId })).toMatchObject({ status: 400 });
    expect(await post({ repositoryId, externalIssueId: '1' }, viewer)).toMatchObject({ status: 403 });
    expect(await post({ repositoryId, externalIssueId: '1' }, member, '7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11')).toMatchObject({
      status: 404, body: { error: 'issue_not_found' },
    });
    expect(await post({ repositoryId, externalIssueId: '1' }, member, 'nope')).toMatchObject({ status: 404 });
    expect((await database.db.prisma.issue.findUniqueOrThrow({ where: { id: issue.id } })).externalId).toBeNull();
  });

  it('unlinks an issue, so the title rule never claims it again; 404 when it is not linked', async () => {
    github.repo('octo', 'tracked', { issues: [{ title: 'Twin title' }] });
    const issue = await localIssue('Twin title');
    const linked = await api.request('POST', linkPath(issue.id), { token: member, json: { repositoryId, externalIssueId: '27' } });
    expect(linked.status).toBe(200);

    expect(await api.request('DELETE', linkPath(issue.id), { token: viewer })).toMatchObject({ status: 403 });
    const unlinked = await api.request('DELETE', linkPath(issue.id), { token: member });
    expect(unlinked).toMatchObject({ status: 200, body: { issue: { id: issue.id, externalId: null, unlinked: true, title: 'Twin title' } } });
    expect(await api.request('DELETE', linkPath(issue.id), { token: member })).toMatchObject({ status: 404, body: { error: 'not_linked' } });
    expect(await api.request('DELETE', linkPath('7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11'), { token: member })).toMatchObject({
      status: 404, body: { error: 'issue_not_found' },
    });

    // Same title, same repository URL: the sync stores #27 as an issue of its own.
    const sync = await api.request('POST', `/api/projects/tracker/repositories/${repositoryId}/sync`, {
      token: member, json: { syncType: 'issues', includeClosed: true, confirm: true },
    });
    expect(sync.body.results).toMatchObject({ created: 1 });
    const twins = await database.db.prisma.issue.findMany({ where: { projectId, title: 'Twin title' } });
    expect(twins.map((row) => row.externalId).sort()).toEqual(['github:https://github.com/octo/tracked:27', null]);
  });
});
