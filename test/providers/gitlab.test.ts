import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderOptions } from '../../src/providers/definition.js';
import { checkGitLabHook } from '../../src/providers/gitlab/gitlab-hook-health.js';
import { createGitLabProvider } from '../../src/providers/gitlab/gitlab-provider.js';
import { createProvider } from '../../src/providers/index.js';
import type { Page } from '../../src/providers/provider.js';
import { createIssueStore } from '../../src/store/prisma-issue-store.js';
import { createOperationStore } from '../../src/store/prisma-operation-store.js';
import { createRepositoryStore } from '../../src/store/prisma-repository-store.js';
import { syncRepository, type SyncEngineDeps, type SyncRequest } from '../../src/sync/sync-repository.js';
import { createGitLabSimulator, gitlabFaults, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { createTestDatabase } from '../support/test-database.js';
import { collect, failure, itemsOf } from '../support/provider-pages.js';

const TOKENS = {
  'glpat-dev': 'developer',
  'glpat-guest': 'guest',
  'glpat-reporter': 'reporter',
  'glpat-maintainer': 'maintainer',
  'glpat-author': { role: 'guest', username: 'carol' },
} as const;
const REPO = 'acme/tools/app';

let gitlab: GitLabSimulator;
let sleeps: number[];

beforeEach(async () => {
  gitlab = await createGitLabSimulator({ tokens: { ...TOKENS } });
  sleeps = [];
});

afterEach(async () => {
  await gitlab.close();
});

function provider(options: Partial<ProviderOptions> = {}) {
  return createGitLabProvider({
    repo: REPO,
    apiUrl: gitlab.url,
    token: 'glpat-dev',
    retryBaseMs: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

const idsOf = (pages: Page[]): number[] => itemsOf(pages).map((item) => Number(item.issueId));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const paths = () => gitlab.requests.map((request) => decodeURIComponent(request.path));
const issueQueries = () =>
  gitlab.requests
    .filter((request) => request.path.includes('/issues'))
    .map((request) => Object.fromEntries(new URL(request.path, gitlab.url).searchParams));

describe('listIssues, full listing', () => {
  it('walks keyset pages by id across 250 issues, each once, with a cursor per page and one request per page', async () => {
    gitlab.project(REPO, { issues: 250 });
    const gitLab = provider();

    const pages = await collect(gitLab.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 250));
    expect(pages.map((page) => page.items.length)).toEqual([100, 100, 50]);
    expect(pages.map((page) => page.cursor === null)).toEqual([false, false, true]);
    expect(pages[0]!.rateLimit).toMatchObject({ limit: 2000, remaining: expect.any(Number), resetAt: expect.any(Date) });
    expect(issueQueries()[0]).toEqual({ state: 'all', pagination: 'keyset', per_page: '100', order_by: 'id', sort: 'asc' });
    expect(issueQueries()[1]).toMatchObject({ pagination: 'keyset', order_by: 'id', cursor: expect.any(String) });
    expect(paths()[0]).toBe(`/api/v4/projects/${REPO}`);
    expect(gitLab.requestCount()).toBe(4);
  });

  it('normalizes an issue: iid as issueId, opened as open, labels, author, dates and the extra fields', async () => {
    gitlab.project(REPO, {
      issues: [
        {
          title: 'Crash on start',
          description: 'Steps: run it.',
          state: 'closed',
          labels: ['bug', 'p1'],
          author: 'mona',
          assignees: ['hubot', 'bob'],
          milestone: 'v2',
          issueType: 'incident',
          createdAt: new Date('2024-03-01T10:00:00.123Z'),
          updatedAt: new Date('2024-03-02T11:00:00.456Z'),
          closedAt: new Date('2024-03-02T11:00:00.456Z'),
        },
        { title: 'Open one', description: null },
      ],
    });

    const items = itemsOf(await collect(provider().listIssues({ state: 'all' })));

    expect(items[0]).toEqual({
      provider: 'gitlab',
      repositoryUrl: `${gitlab.url}/${REPO}`,
      issueId: '1',
      kind: 'issue',
      title: 'Crash on start',
      body: 'Steps: run it.',
      state: 'closed',
      labels: ['bug', 'p1'],
      url: `${gitlab.url}/${REPO}/-/issues/1`,
      author: 'mona',
      createdAt: new Date('2024-03-01T10:00:00.123Z'),
      updatedAt: new Date('2024-03-02T11:00:00.456Z'),
      closedAt: new Date('2024-03-02T11:00:00.456Z'),
      extra: { iid: 1, confidential: false, milestone: 'v2', assignees: ['hubot', 'bob'], issue_type: 'incident' },
    });
    expect(items[1]).toMatchObject({ issueId: '2', state: 'open', body: null, closedAt: null, labels: [] });
    expect(JSON.parse(JSON.stringify(items[0]!.extra))).toEqual(items[0]!.extra);
  });

  it('lists open issues only with state=opened, with the project count as the total', async () => {
    const project = gitlab.project(REPO, { issues: 5 });
    project.addIssues(3, { state: 'closed' });

    const pages = await collect(provider().listIssues({ state: 'open' }));

    expect(idsOf(pages)).toEqual(range(1, 5));
    expect(pages[0]!.total).toBe(5);
    expect(issueQueries()[0]).toMatchObject({ state: 'opened' });
  });

  it('resumes from a saved cursor with the next page, refetching nothing before it', async () => {
    gitlab.project(REPO, { issues: 250 });
    const [first] = await collect(provider().listIssues({ state: 'all' }));
    gitlab.clearRequests();

    const gitLab = provider();
    const rest = await collect(gitLab.listIssues({ state: 'all', cursor: first!.cursor }));

    expect(idsOf(rest)).toEqual(range(101, 250));
    expect(gitLab.requestCount()).toBe(3);
  });

  it('refuses a cursor it did not write, in plain words', async () => {
    gitlab.project(REPO, { issues: 1 });
    await expect(collect(provider().listIssues({ state: 'all', cursor: 'not-ours' }))).rejects.toThrow(/cursor/);
  });

  it('takes a numeric project id and an instance URL that already ends in /api/v4', async () => {
    const project = gitlab.project(REPO, { issues: 3 });
    const gitLab = provider({ repo: String(project.id), apiUrl: `${gitlab.url}/api/v4/` });

    const pages = await collect(gitLab.listIssues({ state: 'all' }));
    const repository = await gitLab.repository();

    expect(idsOf(pages)).toEqual([1, 2, 3]);
    expect(repository).toEqual({
      id: String(project.id),
      fullName: REPO,
      url: `${gitlab.url}/${REPO}`,
      defaultBranch: 'main',
      private: true,
      openIssuesHint: 3,
    });
    expect(paths()[0]).toBe(`/api/v4/projects/${project.id}`);
    expect(gitLab.requestCount()).toBe(2);
  });

  it('sends the token as a Bearer header that GitLab accepts for every kind of token', async () => {
    gitlab.project(REPO, { issues: 1 });
    const seen: (string | null)[] = [];
    const gitLab = provider({
      fetch: async (input, init) => {
        seen.push(new Headers(init?.headers).get('authorization'));
        return fetch(input, init);
      },
    });
    await collect(gitLab.listIssues({ state: 'all' }));
    expect(seen).toEqual(['Bearer glpat-dev', 'Bearer glpat-dev']);
  });
});

describe('listIssues on a server without keyset paging', () => {
  it('falls back to a window walk by created_at after the 400, with x-total as the total', async () => {
    gitlab.project(REPO, { issues: 250 });
    gitlab.setKeyset(false);
    const gitLab = provider();

    const pages = await collect(gitLab.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 250));
    expect(pages.map((page) => page.total)).toEqual([250, 250, 250]);
    expect(gitlab.requests.filter((request) => request.path.includes('/issues')).map((request) => request.status)).toEqual([400, 200, 200, 200]);
    const [, first, second] = issueQueries();
    expect(first).toEqual({ state: 'all', order_by: 'created_at', sort: 'asc', per_page: '100' });
    expect(second).toMatchObject({ created_after: expect.any(String) });
    expect(second!.page).toBeUndefined();
  });

  it('falls back as well when the server answers 405 to keyset paging', async () => {
    gitlab.project(REPO, { issues: 3 });
    gitlab.fault({ status: 405, body: { message: 'Keyset pagination is not yet available for this type of request' }, path: /pagination=keyset/ });

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual([1, 2, 3]);
    expect(issueQueries()[1]).toEqual({ state: 'all', order_by: 'created_at', sort: 'asc', per_page: '100' });
  });

  it('skips nothing when an issue already listed is deleted mid-walk (an offset would shift past one)', async () => {
    const project = gitlab.project(REPO, { issues: 250 });
    gitlab.setKeyset(false);
    let served = 0;
    gitlab.onServed(({ url, status }) => {
      if (url.pathname.endsWith('/issues') && status === 200 && ++served === 1) project.deleteIssue(5);
    });

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 250));
  });

  it('pages within one instant when a whole page shares its created_at, yielding each issue once', async () => {
    const instant = new Date('2024-05-01T00:00:00.000Z');
    const project = gitlab.project(REPO);
    project.addIssues(5);
    project.addIssues(230, { createdAt: instant });
    project.addIssues(5, { createdAt: new Date('2024-06-01T00:00:00Z') });
    gitlab.setKeyset(false);

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages).sort((a, b) => a - b)).toEqual(range(1, 240));
    expect(new Set(idsOf(pages)).size).toBe(240);
    expect(issueQueries().some((query) => query.page === '2' && query.created_after === instant.toISOString())).toBe(true);
  });

  it('walks issues changed since a watermark by updated_after windows, missing none edited mid-walk', async () => {
    const project = gitlab.project(REPO, { issues: 300 });
    gitlab.setKeyset(false);
    const since = new Date(project.issue(51).updatedAt);
    let served = 0;
    gitlab.onServed(({ url, status }) => {
      if (url.pathname.endsWith('/issues') && status === 200 && ++served === 1) {
        project.editIssue(60, { title: 'edited after it was listed' });
        project.editIssue(250, { title: 'edited before it was listed' });
      }
    });

    const pages = await collect(provider().listIssues({ state: 'all', since }));

    const ids = idsOf(pages);
    expect(new Set(ids)).toEqual(new Set(range(51, 300)));
    expect(itemsOf(pages).find((item) => item.issueId === '250')!.title).toBe('edited before it was listed');
    expect(itemsOf(pages).filter((item) => item.issueId === '60').at(-1)!.title).toBe('edited after it was listed');
    expect(issueQueries()[1]).toMatchObject({ order_by: 'updated_at', updated_after: since.toISOString() });
  });
});

describe('listIssues since a watermark', () => {
  it('asks for updated_after in keyset order of updated_at, inclusive of the watermark', async () => {
    const project = gitlab.project(REPO, { issues: 20 });
    const since = new Date(project.issue(15).updatedAt);

    const pages = await collect(provider().listIssues({ state: 'all', since }));

    expect(idsOf(pages)).toEqual(range(15, 20));
    expect(issueQueries()[0]).toEqual({
      state: 'all',
      pagination: 'keyset',
      per_page: '100',
      updated_after: since.toISOString(),
      order_by: 'updated_at',
      sort: 'asc',
    });
    expect(pages[0]!.total).toBeNull();
  });

  it('sees an issue edited mid-walk again after the walk reaches it, skipping none', async () => {
    const project = gitlab.project(REPO, { issues: 250 });
    let served = 0;
    gitlab.onServed(({ url }) => {
      if (url.pathname.endsWith('/issues') && ++served === 1) {
        project.editIssue(3, { title: 'changed' });
        project.editIssue(180, { state: 'closed' });
      }
    });

    const pages = await collect(provider().listIssues({ state: 'all', since: new Date(0) }));

    expect(new Set(idsOf(pages))).toEqual(new Set(range(1, 250)));
    expect(itemsOf(pages).filter((item) => item.issueId === '3').map((item) => item.title)).toEqual(['Issue 3', 'changed']);
    expect(itemsOf(pages).find((item) => item.issueId === '180')).toMatchObject({ state: 'closed', closedAt: expect.any(Date) });
  });
});

describe('confidential issues', () => {
  it('are synced, marked confidential, when the token role sees them, and absent when it does not', async () => {
    const project = gitlab.project(REPO);
    project.addIssues(2);
    project.addIssues(1, { confidential: true });
    project.addIssues(1, { confidential: true, author: 'carol' });

    const developer = itemsOf(await collect(provider().listIssues({ state: 'all' })));
    const guest = itemsOf(await collect(provider({ token: 'glpat-guest' }).listIssues({ state: 'all' })));
    const author = itemsOf(await collect(provider({ token: 'glpat-author' }).listIssues({ state: 'all' })));

    expect(developer.map((item) => [item.issueId, item.extra.confidential])).toEqual([
      ['1', false],
      ['2', false],
      ['3', true],
      ['4', true],
    ]);
    expect(guest.map((item) => item.issueId)).toEqual(['1', '2']);
    expect(author.map((item) => item.issueId)).toEqual(['1', '2', '4']);
    expect(await provider({ token: 'glpat-guest' }).getIssue!('3')).toBeNull();
    expect(await provider().getIssue!('3')).toMatchObject({ issueId: '3', extra: { confidential: true } });
  });
});

describe('politeness and failures', () => {
  it('waits out a 429 for its Retry-After, then goes on', async () => {
    gitlab.project(REPO, { issues: 150 });
    gitlab.fault({ ...gitlabFaults.tooManyRequests({ retryAfterSeconds: 7 }), path: /\/issues\?.*cursor=/ });
    const gitLab = provider();

    const pages = await collect(gitLab.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 150));
    expect(sleeps).toEqual([7000]);
    expect(gitLab.requestCount()).toBe(4);
  });

  it('waits for RateLimit-Reset when a 429 has no Retry-After', async () => {
    gitlab.project(REPO, { issues: 5 });
    const now = new Date('2026-01-01T00:00:00Z');
    gitlab.fault({ ...gitlabFaults.tooManyRequests({ resetAt: new Date(now.getTime() + 20_000) }), path: /\/issues/ });

    const pages = await collect(provider({ clock: () => now }).listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 5));
    expect(sleeps).toEqual([20_000]);
  });

  it('waits for the quota window of a 429 that only carries the usual RateLimit-Reset', async () => {
    gitlab.project(REPO, { issues: 5 });
    gitlab.fault({ ...gitlabFaults.tooManyRequests(), path: /\/issues/ });

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 5));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(sleeps[0]).toBeLessThanOrEqual(60_000);
  });

  it('backs off on a bare 429 without Retry-After or reset', async () => {
    gitlab.project(REPO, { issues: 5 });
    gitlab.fault({ ...gitlabFaults.tooManyRequests(), withoutQuotaHeaders: true, path: /\/issues/ });

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 5));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThanOrEqual(5 * 2 ** 2);
  });

  it('fails with rate_limited and the reset time when the reset is too far to wait for', async () => {
    gitlab.project(REPO, { issues: 5 });
    const resetAt = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
    gitlab.fault({ ...gitlabFaults.tooManyRequests({ resetAt }), path: /\/issues/ });

    const error = await failure(collect(provider({ sleep: undefined }).listIssues({ state: 'all' })));

    expect(error.code).toBe('rate_limited');
    expect(Math.abs(error.resetAt!.getTime() - resetAt.getTime())).toBeLessThan(2000);
    expect(error.message).toMatch(/rate limit.*resets at/i);
  });

  it('retries 5xx answers and a connection reset, counting every attempt', async () => {
    gitlab.project(REPO, { issues: 120 });
    gitlab.fault({ ...gitlabFaults.serverError(502), path: /\/issues/, times: 2 });
    gitlab.fault({ ...gitlabFaults.connectionReset(), path: /\/issues\?.*cursor=/ });
    const gitLab = provider();

    const pages = await collect(gitLab.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 120));
    expect(sleeps).toHaveLength(3);
    expect(gitLab.requestCount()).toBe(1 + 2 + 1 + 2);
  });

  it('gives up on a server that keeps failing with server_error', async () => {
    gitlab.project(REPO, { issues: 1 });
    gitlab.fault({ ...gitlabFaults.serverError(503), path: /\/issues/, times: 10 });
    const error = await failure(collect(provider().listIssues({ state: 'all' })));
    expect(error.code).toBe('server_error');
  });

  it('says a refused token is unauthorized, and what to check', async () => {
    gitlab.project(REPO, { issues: 1 });
    const error = await failure(provider({ token: 'glpat-wrong' }).repository());
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(error.message).toMatch(/read_api/);
  });

  it('says an unknown project is not_found, in plain words', async () => {
    const error = await failure(provider({ repo: 'acme/nope' }).repository());
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
    expect(error.message).toMatch(/no project acme\/nope, or the token cannot see it/);
  });

  it('turns a malformed page into bad_response, not a crash', async () => {
    gitlab.project(REPO, { issues: 1 });
    gitlab.fault({ status: 200, body: [{ iid: 'one', title: 3 }], path: /\/issues/ });
    const error = await failure(collect(provider().listIssues({ state: 'all' })));
    expect(error.code).toBe('bad_response');
    expect(error.message).toMatch(/issue list/);
  });
});

describe('listSecurityAlerts', () => {
  it('lists vulnerabilities over GraphQL, oldest detected first, 100 a page, as security alerts', async () => {
    const project = gitlab.project(REPO);
    project.addVulnerabilities(140);
    const [dismissed] = project.addVulnerabilities(1, { state: 'DISMISSED', severity: 'LOW', reportType: 'DEPENDENCY_SCANNING' });
    project.addVulnerabilities(9, { state: 'CONFIRMED' });
    const gitLab = provider();

    const pages = await collect(gitLab.listSecurityAlerts!({ state: 'all' }));

    const items = itemsOf(pages);
    expect(pages.map((page) => page.items.length)).toEqual([100, 50]);
    expect(pages.map((page) => page.cursor === null)).toEqual([false, true]);
    expect(new Set(items.map((item) => item.issueId)).size).toBe(150);
    expect(items.every((item) => item.kind === 'security_alert' && /^vuln-\d+$/.test(item.issueId))).toBe(true);
    const closed = items.find((item) => item.issueId === `vuln-${dismissed!.id}`)!;
    expect(closed).toMatchObject({
      state: 'closed',
      closedAt: closed.updatedAt,
      url: `${gitlab.url}/${REPO}/-/security/vulnerabilities/${dismissed!.id}`,
      repositoryUrl: `${gitlab.url}/${REPO}`,
      extra: { severity: 'LOW', reportType: 'DEPENDENCY_SCANNING', state: 'DISMISSED', uuid: dismissed!.uuid },
    });
    expect(items.filter((item) => item.state === 'open')).toHaveLength(149);
    expect(gitLab.requestCount()).toBe(3);
    expect(gitLab.listingTraits?.security?.ignoresSince).toBe(true);
  });

  it('asks GitLab for the open states only when only open alerts are wanted', async () => {
    const project = gitlab.project(REPO);
    project.addVulnerabilities(2);
    project.addVulnerabilities(2, { state: 'RESOLVED' });
    const items = itemsOf(await collect(provider().listSecurityAlerts!({ state: 'open' })));
    expect(items.map((item) => item.state)).toEqual(['open', 'open']);
  });

  it('is unavailable with its reason for a role below Developer, without asking GraphQL', async () => {
    gitlab.project(REPO, { vulnerabilities: 3 });
    const gitLab = provider({ token: 'glpat-reporter' });

    const error = await failure(collect(gitLab.listSecurityAlerts!({ state: 'all' })));

    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/Ultimate.*Developer role.*Reporter.*skipped/);
    expect(paths().some((path) => path.includes('graphql'))).toBe(false);
  });

  it('is unavailable when GitLab answers vulnerabilities: null (no Ultimate)', async () => {
    gitlab.project(REPO, { vulnerabilities: 3, tier: 'free-null' });
    const error = await failure(collect(provider().listSecurityAlerts!({ state: 'all' })));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/Ultimate/);
  });

  it('reads empty nodes for a Developer as no vulnerabilities (GitLab does not tell a project without Ultimate apart)', async () => {
    gitlab.project(REPO, { vulnerabilities: 3, tier: 'free-empty' });
    const pages = await collect(provider().listSecurityAlerts!({ state: 'all' }));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.items).toEqual([]);
  });

  it('resumes from a saved cursor', async () => {
    gitlab.project(REPO, { vulnerabilities: 150 });
    const [first] = await collect(provider().listSecurityAlerts!({ state: 'all' }));
    const rest = itemsOf(await collect(provider().listSecurityAlerts!({ state: 'all', cursor: first!.cursor })));
    expect(rest).toHaveLength(50);
    expect(new Set([...first!.items, ...rest].map((item) => item.issueId)).size).toBe(150);
  });
});

describe('getIssue, freshness', () => {
  it('reads an issue by iid and a vulnerability by vuln-<id>; null for what is missing or elsewhere', async () => {
    const project = gitlab.project(REPO, { issues: 3 });
    const [vulnerability] = project.addVulnerabilities(1, { title: 'SQL injection' });
    const [foreign] = gitlab.project('acme/other', { vulnerabilities: 1 }).vulnerabilities;
    const gitLab = provider();

    expect(await gitLab.getIssue!('2')).toMatchObject({ issueId: '2', title: 'Issue 2', kind: 'issue' });
    expect(await gitLab.getIssue!(`vuln-${vulnerability!.id}`)).toMatchObject({
      issueId: `vuln-${vulnerability!.id}`,
      title: 'SQL injection',
      kind: 'security_alert',
    });
    expect(await gitLab.getIssue!('99')).toBeNull();
    expect(await gitLab.getIssue!('vuln-99999')).toBeNull();
    expect(await gitLab.getIssue!(`vuln-${foreign!.id}`)).toBeNull();
    expect(await gitLab.getIssue!('alert-1')).toBeNull();
  });

  it('tells in one request whether anything changed since a watermark', async () => {
    const project = gitlab.project(REPO, { issues: 3 });
    const latest = new Date(project.issue(3).updatedAt);
    const gitLab = provider();

    expect(await gitLab.freshness({ watermark: latest, etag: null })).toEqual({ changed: false, latestUpdatedAt: latest, etag: null });
    expect(gitLab.requestCount()).toBe(1);
    project.editIssue(1, { title: 'new' });
    expect((await gitLab.freshness({ watermark: latest, etag: null })).changed).toBe(true);
    expect(issueQueries()[0]).toEqual({ state: 'all', order_by: 'updated_at', sort: 'desc', per_page: '1' });
  });

  it('is what the registry creates for gitlab', async () => {
    gitlab.project(REPO, { issues: 1 });
    const created = await createProvider('gitlab', { repo: REPO, apiUrl: gitlab.url, token: 'glpat-dev' });
    expect(created.kind).toBe('gitlab');
    expect((await created.repository()).fullName).toBe(REPO);
  });
});

describe('checkGitLabHook', () => {
  const check = (webhookId: string | null, token = 'glpat-maintainer') =>
    checkGitLabHook({ options: { repo: REPO, apiUrl: gitlab.url, token, retryBaseMs: 1 }, webhookId });

  it('maps alert_status to active, stale (with the time it resumes) and inactive', async () => {
    const project = gitlab.project(REPO);
    const until = new Date('2026-12-02T06:00:00Z');
    project.addHook({ id: 1 });
    project.addHook({ id: 2, alertStatus: 'temporarily_disabled', disabledUntil: until });
    project.addHook({ id: 3, alertStatus: 'disabled' });

    expect(await check('1')).toMatchObject({ status: 'active' });
    expect(await check('2')).toEqual({ status: 'stale', reason: expect.stringContaining(until.toISOString()) });
    expect(await check('3')).toEqual({ status: 'inactive', reason: expect.stringMatching(/test delivery/) });
  });

  it('is null when GitLab is too old to report alert_status', async () => {
    gitlab.project(REPO).addHook({ id: 1 });
    gitlab.fault({ status: 200, body: { id: 1, url: 'https://sync.example.com/api/gitlab/webhooks' }, path: /\/hooks\/1$/ });
    expect(await check('1')).toBeNull();
  });

  it('is null when the token may not read hooks; inactive for a deleted hook', async () => {
    const project = gitlab.project(REPO);
    project.addHook({ id: 1, alertStatus: 'disabled' });

    expect(await check('1', 'glpat-dev')).toBeNull();
    expect(await check('404')).toEqual({ status: 'inactive', reason: expect.stringMatching(/no webhook 404/) });
    expect(gitlab.requests).toHaveLength(2);
  });

  it('without a webhook id, finds the hook that delivers to issue-sync and returns its id', async () => {
    const project = gitlab.project(REPO);
    project.addHook({ id: 5, url: 'https://ci.example.com/gitlab', alertStatus: 'executable' });
    expect(await check(null)).toBeNull();
    project.addHook({ id: 6, url: 'https://sync.example.com/api/gitlab/webhooks/', alertStatus: 'temporarily_disabled' });
    expect(await check(null)).toEqual({ status: 'stale', reason: expect.stringMatching(/paused webhook 6/), webhookId: '6' });
    // Listing hooks needs Maintainer too.
    expect(await check(null, 'glpat-dev')).toBeNull();
    expect(gitlab.requests.map((request) => request.path.split('?')[0])).toEqual([
      `/api/v4/projects/${encodeURIComponent(REPO)}/hooks`,
      `/api/v4/projects/${encodeURIComponent(REPO)}/hooks`,
      `/api/v4/projects/${encodeURIComponent(REPO)}/hooks`,
    ]);
  });

  it('throws the refusal for an unknown project or a bad token', async () => {
    expect((await failure(checkGitLabHook({ options: { repo: 'acme/nope', apiUrl: gitlab.url, token: 'glpat-maintainer' }, webhookId: '1' }))).code).toBe(
      'not_found',
    );
    gitlab.project(REPO);
    expect((await failure(check('1', 'glpat-wrong'))).code).toBe('unauthorized');
  });
});

describe('syncRepository with the GitLab provider', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function setUp(name: string) {
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: name, name } });
    const repository = await prisma.repositoryConnection.create({
      data: { projectId: project.id, provider: 'gitlab', fullPath: `acme/${name}`, url: `${gitlab.url}/acme/${name}` },
    });
    const operations = createOperationStore(database.db);
    const deps: SyncEngineDeps = {
      issues: createIssueStore(database.db),
      operations,
      repositories: createRepositoryStore(database.db),
      progressMinIntervalMs: 0,
    };
    const run = async (extra: Partial<SyncRequest> & { provider: SyncRequest['provider'] }) => {
      const syncType = extra.syncType ?? 'issues';
      const operationId =
        extra.operationId ??
        (await operations.create({ projectId: project.id, repositoryId: repository.id, syncType, includeClosed: true, trigger: 'manual' })).id;
      const outcome = await syncRepository(deps, {
        operationId,
        projectId: project.id,
        repositoryId: repository.id,
        syncType,
        includeClosed: true,
        ...extra,
      });
      return { operationId, ...outcome };
    };
    const stored = async () => {
      const issues = await prisma.issue.findMany({ where: { projectId: project.id } });
      return new Map(issues.map((issue) => [issue.externalId!.split(':').at(-1)!, issue] as const));
    };
    return { run, stored, gitLab: (options: Partial<ProviderOptions> = {}) => provider({ repo: `acme/${name}`, ...options }) };
  }

  it('ends a full sync with edits and creations mid-walk holding exactly what GitLab has; a second sync creates nothing', async () => {
    const project = gitlab.project('acme/busy', { issues: 250 });
    const { run, stored, gitLab } = await setUp('busy');
    let served = 0;
    gitlab.onServed(({ url }) => {
      if (!url.pathname.endsWith('/issues') || ++served !== 1) return;
      project.editIssue(5, { title: 'renamed while listing' });
      project.editIssue(220, { state: 'closed' });
      project.addIssues(2, { title: 'created while listing' });
    });

    const first = await run({ provider: gitLab() });
    gitlab.onServed(null);

    expect(first).toMatchObject({ status: 'completed', results: { created: 252, failed: 0 } });
    const rows = await stored();
    expect(rows.size).toBe(252);
    for (const issue of project.issues) {
      const row = rows.get(String(issue.iid))!;
      expect({ iid: issue.iid, title: row.title, state: row.state }).toEqual({
        iid: issue.iid,
        title: issue.title,
        state: issue.state === 'closed' ? 'closed' : 'open',
      });
    }

    const second = await run({ provider: gitLab() });
    expect(second).toMatchObject({ status: 'completed', results: { created: 0, failed: 0 } });
    expect((await stored()).size).toBe(252);
  });

  it('syncs incrementally from the watermark, reading only what changed', async () => {
    const project = gitlab.project('acme/steady', { issues: 120 });
    const { run, stored, gitLab } = await setUp('steady');
    const full = await run({ provider: gitLab() });
    expect(full.status).toBe('completed');
    if (full.status !== 'completed') return;
    project.editIssue(7, { title: 'changed later' });
    project.addIssues(1, { title: 'new later' });

    const incremental = gitLab();
    const outcome = await run({ provider: incremental, since: full.watermarks });

    expect(outcome).toMatchObject({ status: 'completed', results: { created: 1, updated: 1 } });
    expect(incremental.requestCount()).toBe(2);
    expect((await stored()).get('7')!.title).toBe('changed later');
  });

  it('records vulnerabilities a role cannot read as a skipped part with the reason, not a failure', async () => {
    gitlab.project('acme/guarded', { issues: 3, vulnerabilities: 2 });
    const { run, gitLab } = await setUp('guarded');

    const outcome = await run({ provider: gitLab({ token: 'glpat-reporter' }), syncType: 'all' });

    expect(outcome).toMatchObject({
      status: 'completed',
      results: { issues: 3, securityAlerts: 0, skippedParts: [{ part: 'security', reason: expect.stringMatching(/Developer role/) }] },
    });
  });

  it('records issues turned off in the project settings as a skipped part, and still syncs vulnerabilities', async () => {
    gitlab.project('acme/noissues', { vulnerabilities: 2, issuesEnabled: false });
    const { run, gitLab } = await setUp('noissues');

    const outcome = await run({ provider: gitLab(), syncType: 'all' });

    expect(outcome).toMatchObject({
      status: 'completed',
      results: { issues: 0, securityAlerts: 2, skippedParts: [{ part: 'issues', reason: expect.stringMatching(/Issues are turned off/) }] },
    });
  });

  it('pauses on a rate limit far from its reset and resumes from the checkpoint with exact counts', async () => {
    gitlab.project('acme/limited', { issues: 350 });
    const { run, stored, gitLab } = await setUp('limited');
    const resetAt = new Date(Math.floor((Date.now() + 3_600_000) / 1000) * 1000);
    let listed = 0;
    gitlab.onRequest(({ url }) => {
      if (url.pathname.endsWith('/issues') && ++listed === 3) gitlab.fault({ ...gitlabFaults.tooManyRequests({ resetAt }), path: /\/issues/ });
    });

    const paused = await run({ provider: gitLab(), pauseOnRateLimit: true });
    gitlab.onRequest(null);

    expect(paused).toMatchObject({ status: 'waiting', resumeAt: resetAt, checkpoint: { part: 'issues', phase: 'list', processed: 200 } });
    if (paused.status !== 'waiting') return;
    expect((await stored()).size).toBe(200);
    const resumedProvider = gitLab();
    const resumed = await run({ provider: resumedProvider, resumeFrom: paused.checkpoint, operationId: paused.operationId });
    expect(resumed).toMatchObject({ status: 'completed', results: { created: 350, issues: 350 } });
    expect((await stored()).size).toBe(350);
    // The project read, the two pages left (the one the limit stopped first), then the catch-up.
    expect(resumedProvider.requestCount()).toBe(4);
  });

  it('stays within ceil(N/100) + ceil(A/100) + 3 requests for a full sync of 250 issues and 150 vulnerabilities', async () => {
    gitlab.project('acme/bound', { issues: 250, vulnerabilities: 150 });
    const { run, gitLab } = await setUp('bound');
    const counted = gitLab();

    const outcome = await run({ provider: counted, syncType: 'all' });

    expect(outcome).toMatchObject({ status: 'completed', results: { issues: 250, securityAlerts: 150 } });
    // The project read, 3 issue pages, 1 catch-up page, 2 vulnerability pages (no catch-up: ignoresSince).
    expect(counted.requestCount()).toBe(7);
    expect(counted.requestCount()).toBeLessThanOrEqual(3 + 2 + 3);
    expect(counted.requestCount()).toBe(gitlab.requests.length);
  });
});
