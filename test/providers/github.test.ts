import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubProvider } from '../../src/providers/github/github-provider.js';
import { MAX_ATTEMPTS_PER_FAILURE_KIND } from '../../src/providers/github/github-octokit-policy.js';
import { createProvider } from '../../src/providers/index.js';
import type { GitHubProviderOptions } from '../../src/providers/github/github-provider-options.js';
import type { ExternalIssue, Page } from '../../src/providers/provider.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { collect, failure, itemsOf } from '../support/provider-pages.js';

let github: GitHubSimulator;
let sleeps: number[];

beforeEach(async () => {
  github = await startGitHubSimulator();
  sleeps = [];
});

afterEach(async () => {
  await github.close();
});

function provider(options: Partial<GitHubProviderOptions> = {}) {
  return createGitHubProvider({
    repo: 'octo/hello',
    apiUrl: github.url,
    retryBaseMs: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

const idsOf = (pages: Page[]): number[] => itemsOf(pages).map((item) => Number(item.issueId));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (numbers: number[]): number[] => [...numbers].sort((a, b) => a - b);
const issuePaths = () => github.requests.map((request) => request.path).filter((path) => path.includes('/issues'));

describe('listIssues, full listing in creation order', () => {
  it('follows Link rel="next" across pages, yields every issue once and counts pull requests as ignored', async () => {
    const repo = github.repo('octo', 'hello');
    repo.addIssues(120);
    repo.addPullRequests(15);
    repo.addIssues(130);
    const gitHub = provider();

    const pages = await collect(gitHub.listIssues({ state: 'all' }));

    const issueNumbers = [...range(1, 120), ...range(136, 265)];
    expect(idsOf(pages)).toEqual(issueNumbers);
    expect(pages.reduce((sum, page) => sum + (page.ignored ?? 0), 0)).toBe(15);
    expect(pages.map((page) => page.cursor === null)).toEqual([false, false, true]);
    expect(pages[0]!.total).toBe(300);
    expect(pages[0]!.rateLimit).toMatchObject({ limit: 5000, remaining: expect.any(Number) });
    expect(pages[0]!.rateLimit!.resetAt).toBeInstanceOf(Date);
    expect(issuePaths()).toEqual([
      '/repos/octo/hello/issues?state=all&sort=created&direction=asc&per_page=100',
      '/repos/octo/hello/issues?state=all&sort=created&direction=asc&per_page=100&page=2',
      '/repos/octo/hello/issues?state=all&sort=created&direction=asc&per_page=100&page=3',
    ]);
    expect(gitHub.requestCount()).toBe(4);
  });

  it('normalizes an issue with its labels, author, dates and JSON-only extra fields', async () => {
    github.repo('octo', 'hello', {
      issues: [
        {
          title: 'Crash on start',
          body: 'Steps: run it.',
          state: 'closed',
          stateReason: 'not_planned',
          labels: ['bug', 'p1'],
          author: 'mona',
          assignees: ['hubot'],
          milestone: 'v2',
          comments: 3,
          createdAt: new Date('2024-03-01T10:00:00Z'),
          updatedAt: new Date('2024-03-02T11:00:00Z'),
          closedAt: new Date('2024-03-02T11:00:00Z'),
        },
      ],
    });

    const [item] = itemsOf(await collect(provider().listIssues({ state: 'all' })));

    expect(item).toEqual({
      provider: 'github',
      repositoryUrl: 'https://github.com/octo/hello',
      issueId: '1',
      kind: 'issue',
      title: 'Crash on start',
      body: 'Steps: run it.',
      state: 'closed',
      labels: ['bug', 'p1'],
      url: 'https://github.com/octo/hello/issues/1',
      author: 'mona',
      createdAt: new Date('2024-03-01T10:00:00Z'),
      updatedAt: new Date('2024-03-02T11:00:00Z'),
      closedAt: new Date('2024-03-02T11:00:00Z'),
      extra: {
        number: 1,
        milestone: 'v2',
        assignees: ['hubot'],
        comments: 3,
        locked: false,
        state_reason: 'not_planned',
      },
    });
    expect(JSON.parse(JSON.stringify(item!.extra))).toEqual(item!.extra);
  });

  it('loses nothing when issues are edited or closed mid-walk', async () => {
    const repo = github.repo('octo', 'hello', { issues: 350 });
    github.onRequest(({ url }) => {
      if (url.searchParams.get('page') === '2') {
        repo.editIssue(10, { title: 'edited after it was fetched' });
        repo.editIssue(20, { state: 'closed' });
        repo.editIssue(300, { title: 'edited before it was fetched' });
      }
    });

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 350));
    expect(itemsOf(pages).find((item) => item.issueId === '300')!.title).toBe('edited before it was fetched');
  });

  it('does not fetch the next page before the consumer asks for it', async () => {
    github.repo('octo', 'hello', { issues: 450 });
    const iterator = provider().listIssues({ state: 'all' })[Symbol.asyncIterator]();

    await iterator.next();
    await iterator.next();

    expect(issuePaths()).toHaveLength(2);
    await iterator.return?.();
  });
});

describe('listIssues, walk by update time', () => {
  it('yields every open issue once even when issues are edited or closed between pages', async () => {
    const repo = github.repo('octo', 'hello', { issues: 400, pullRequests: 5 });
    const openAtStart = new Set(range(1, 400).filter((number) => repo.issue(number).state === 'open'));
    let firstPage: number[] = [];
    let edited: { fetched: number; closed: number; notYetFetched: number } | null = null;
    github.onRequest(({ url }) => {
      if (url.searchParams.get('sort') !== 'updated' || edited || firstPage.length === 0) return;
      // Between page 1 and page 2: edit an issue already fetched, close another one already fetched
      // (the classic way an offset walk skips an issue), and edit one not fetched yet.
      const fetched = firstPage[3]!;
      const closed = firstPage[7]!;
      const notYetFetched = [...openAtStart].find((number) => !firstPage.includes(number))!;
      repo.editIssue(fetched, { title: 'edited after it was fetched' });
      repo.editIssue(closed, { state: 'closed' });
      repo.editIssue(notYetFetched, { title: 'edited before it was fetched' });
      edited = { fetched, closed, notYetFetched };
    });

    const items: ExternalIssue[] = [];
    for await (const page of provider().listIssues({ state: 'open' })) {
      if (firstPage.length === 0) firstPage = page.items.map((item) => Number(item.issueId));
      items.push(...page.items);
    }

    const { fetched, notYetFetched } = edited!;
    const seen = new Set(items.map((item) => Number(item.issueId)));
    expect(sorted([...seen])).toEqual(sorted([...openAtStart]));
    const versions = new Set(items.map((item) => `${item.issueId}@${item.updatedAt.toISOString()}`));
    expect(versions.size).toBe(items.length);
    // Only the issue edited after it was fetched comes twice: its old version, then its new one.
    expect(items.length).toBe(openAtStart.size + 1);
    expect(items.filter((item) => item.issueId === String(fetched)).map((item) => item.title)).toEqual([
      `Issue ${fetched}`,
      'edited after it was fetched',
    ]);
    expect(items.filter((item) => item.issueId === String(notYetFetched)).map((item) => item.title)).toEqual([
      'edited before it was fetched',
    ]);
  });

  it('yields every issue once when more than 100 share one updated_at second', async () => {
    const second = new Date('2024-06-01T12:00:00Z');
    github.repo('octo', 'hello', {
      issues: [
        ...Array.from({ length: 20 }, (_, i) => ({ state: 'open' as const, updatedAt: new Date(second.getTime() - (i + 1) * 1000) })),
        ...Array.from({ length: 250 }, () => ({ state: 'open' as const, updatedAt: second })),
        ...Array.from({ length: 60 }, (_, i) => ({ state: 'open' as const, updatedAt: new Date(second.getTime() + (i + 1) * 1000) })),
      ],
    });
    const gitHub = provider();

    const pages = await collect(gitHub.listIssues({ state: 'open' }));

    expect(sorted(idsOf(pages))).toEqual(range(1, 330));
    expect(idsOf(pages)).toHaveLength(330);
    expect(gitHub.requestCount()).toBeLessThanOrEqual(8);
  });

  it('only lists issues updated at or after since', async () => {
    const repo = github.repo('octo', 'hello', { issues: 300 });
    const since = new Date('2024-01-02T00:00:00Z');
    const expected = range(1, 300).filter(
      (number) => Date.parse(String(repo.issue(number).updated_at)) >= since.getTime(),
    );

    const pages = await collect(provider().listIssues({ state: 'all', since }));

    expect(sorted(idsOf(pages))).toEqual(expected);
    expect(idsOf(pages)).toHaveLength(expected.length);
    expect(issuePaths()[0]).toContain('sort=updated&direction=asc&per_page=100&since=2024-01-02T00%3A00%3A00Z');
  });
});

describe('listIssues cursor', () => {
  it.each(['all', 'open'] as const)('resumes a %s listing from a page cursor with the next page', async (state) => {
    github.repo('octo', 'hello', { issues: 320 });
    const whole = await collect(provider().listIssues({ state }));

    const resumed = await collect(provider().listIssues({ state, cursor: whole[0]!.cursor }));

    expect(idsOf(resumed.slice(0, 1))).toEqual(idsOf(whole.slice(1, 2)));
    expect(idsOf(resumed)).toEqual(idsOf(whole.slice(1)));
  });

  it('rejects a cursor it did not write', async () => {
    github.repo('octo', 'hello', { issues: 1 });
    await expect(collect(provider().listIssues({ state: 'all', cursor: 'bm90IGEgY3Vyc29y' }))).rejects.toThrow(
      /cursor/,
    );
  });
});

describe('listSecurityAlerts (Dependabot)', () => {
  it('pages with the after cursor and maps states, labels and extra fields', async () => {
    const repo = github.repo('octo', 'hello');
    repo.addAlerts(226);
    repo.addAlerts(1, { state: 'fixed', severity: 'high', package: 'left-pad', ecosystem: 'npm' });
    repo.addAlerts(1, { state: 'dismissed', dismissedReason: 'no_bandwidth', summary: null });
    repo.addAlerts(1, { state: 'auto_dismissed' });
    const gitHub = provider();

    const pages = await collect(gitHub.listSecurityAlerts!({ state: 'all' }));

    const items = itemsOf(pages);
    expect(sorted(items.map((item) => Number(item.issueId.replace('alert-', ''))))).toEqual(range(1, 229));
    expect(pages).toHaveLength(3);
    const alertPaths = github.requests.map((request) => request.path).filter((path) => path.includes('/dependabot/'));
    expect(alertPaths[0]).toBe('/repos/octo/hello/dependabot/alerts?per_page=100');
    expect(alertPaths.slice(1).every((path) => /[?&]after=/.test(path) && !/[?&]page=/.test(path))).toBe(true);
    const fixed = items.find((item) => item.issueId === 'alert-227')!;
    expect(fixed).toMatchObject({
      provider: 'github',
      kind: 'security_alert',
      state: 'closed',
      labels: ['severity:high', 'ecosystem:npm'],
      url: 'https://github.com/octo/hello/security/dependabot/227',
      repositoryUrl: 'https://github.com/octo/hello',
      extra: { number: 227, severity: 'high', package: 'left-pad', ecosystem: 'npm', state: 'fixed' },
    });
    expect(fixed.closedAt).toEqual(fixed.updatedAt);
    const dismissed = items.find((item) => item.issueId === 'alert-228')!;
    expect(dismissed).toMatchObject({ state: 'closed', title: 'Dependabot alert #228' });
    expect(dismissed.extra).toMatchObject({ state: 'dismissed', dismissed_reason: 'no_bandwidth' });
    expect(items.find((item) => item.issueId === 'alert-229')).toMatchObject({ state: 'closed' });
    expect(items.find((item) => item.issueId === 'alert-1')).toMatchObject({ state: 'open', closedAt: null });
  });

  it('asks only for open alerts when the state is open', async () => {
    github.repo('octo', 'hello', { alerts: [{ state: 'open' }, { state: 'fixed' }, { state: 'open' }] });

    const pages = await collect(provider().listSecurityAlerts!({ state: 'open' }));

    expect(itemsOf(pages).map((item) => item.issueId)).toEqual(['alert-3', 'alert-1']);
    expect(github.requests.at(-1)!.path).toContain('state=open');
  });

  it('with since, walks newest-updated first and stops at the first older alert', async () => {
    const repo = github.repo('octo', 'hello');
    repo.addAlerts(250, (i) => ({ updatedAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000) }));
    const since = new Date(Date.UTC(2024, 0, 1) + 200 * 60_000);

    const pages = await collect(provider().listSecurityAlerts!({ state: 'all', since }));

    expect(sorted(itemsOf(pages).map((item) => Number(item.issueId.replace('alert-', ''))))).toEqual(range(201, 250));
    expect(github.requests.at(-1)!.path).toContain('sort=updated&direction=desc');
    expect(pages.at(-1)!.cursor).toBeNull();
  });

  it('reports alerts turned off as unavailable, not as a failure', async () => {
    github.repo('octo', 'hello', { dependabot: 'disabled' });

    const error = await failure(collect(provider().listSecurityAlerts!({ state: 'all' })));

    expect(error.code).toBe('unavailable');
    expect(error.message).toBe(
      "Dependabot alerts are disabled for octo/hello; turn them on in the repository's security settings to sync them.",
    );
  });

  it('reports a token without access to alerts as unavailable, naming the permission', async () => {
    github.repo('octo', 'hello', { dependabot: 'forbidden' });

    const error = await failure(collect(provider().listSecurityAlerts!({ state: 'all' })));

    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('Dependabot alerts: read');
  });
});

describe('rate limits and retries', () => {
  it('retries a 429 after its Retry-After, and counts the retry', async () => {
    github.repo('octo', 'hello', { issues: 150 });
    github.fault({ ...githubFaults.tooManyRequests(1), path: '/repos/octo/hello/issues' });
    const gitHub = provider();

    const pages = await collect(gitHub.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 150));
    expect(sleeps).toEqual([1000]);
    expect(gitHub.requestCount()).toBe(1 + 2 + 1);
  });

  it.each([403, 429] as const)('retries a secondary rate limit (%i) after its retry-after', async (status) => {
    github.repo('octo', 'hello', { issues: 50 });
    github.fault({ ...githubFaults.secondaryRateLimit(2, status), path: '/repos/octo/hello/issues', times: 2 });
    const gitHub = provider();

    const pages = await collect(gitHub.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 50));
    expect(sleeps).toEqual([2000, 2000]);
    expect(gitHub.requestCount()).toBe(1 + 1 + 2);
  });

  it.each([
    ['a server error', githubFaults.serverError(502), 'server_error'],
    ['a secondary limit (403)', githubFaults.secondaryRateLimit(0, 403), 'rate_limited'],
    ['a 429', githubFaults.tooManyRequests(0), 'rate_limited'],
    ['a 403 with Retry-After alone', { ...githubFaults.tooManyRequests(0), status: 403 }, 'rate_limited'],
  ] as const)('gives up after 4 attempts on %s (MAX_ATTEMPTS_PER_FAILURE_KIND)', async (_name, fault, code) => {
    github.repo('octo', 'hello', { issues: 5 });
    github.fault({ ...fault, path: '/repos/octo/hello', times: 100 });
    const gitHub = provider();
    const error = await failure(gitHub.repository());
    expect(error.code).toBe(code);
    expect(gitHub.requestCount()).toBe(MAX_ATTEMPTS_PER_FAILURE_KIND);
  });

  it('gives up on a secondary rate limit that asks for a longer wait than allowed', async () => {
    github.repo('octo', 'hello', { issues: 5 });
    github.fault({ ...githubFaults.secondaryRateLimit(120), path: '/repos/octo/hello/issues' });

    const error = await failure(collect(provider({ maxRateLimitWaitMs: 60_000 }).listIssues({ state: 'all' })));

    expect(error.code).toBe('rate_limited');
    expect(error.resetAt).toBeInstanceOf(Date);
    expect(sleeps).toEqual([]);
  });

  it('retries a 500 once with a short backoff', async () => {
    github.repo('octo', 'hello', { issues: 10 });
    github.fault({ ...githubFaults.serverError(500), path: '/repos/octo/hello/issues' });
    const gitHub = provider();

    const pages = await collect(gitHub.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 10));
    expect(gitHub.requestCount()).toBe(1 + 1 + 1);
  });

  it('fails with server_error when 5xx persists after the retries', async () => {
    github.repo('octo', 'hello', { issues: 10 });
    github.fault({ ...githubFaults.serverError(502), path: '/repos/octo/hello/issues', times: 10 });
    const gitHub = provider();

    const error = await failure(collect(gitHub.listIssues({ state: 'all' })));

    expect(error.code).toBe('server_error');
    expect(error.status).toBe(502);
    expect(gitHub.requestCount()).toBe(1 + 4);
  });

  it('fails with rate_limited and the reset time when the primary limit resets too far ahead', async () => {
    github.repo('octo', 'hello', { issues: 10 });
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    github.fault({ ...githubFaults.primaryRateLimit(resetAt), path: '/repos/octo/hello/issues' });

    const error = await failure(collect(provider().listIssues({ state: 'all' })));

    expect(error.code).toBe('rate_limited');
    expect(error.resetAt).toEqual(resetAt);
    expect(error.message).toContain(resetAt.toISOString());
    expect(sleeps).toEqual([]);
  });

  it('waits out a primary limit that resets within the allowed wait', async () => {
    github.repo('octo', 'hello', { issues: 10 });
    github.fault({ ...githubFaults.primaryRateLimit(new Date(Date.now() + 5_000)), path: '/repos/octo/hello/issues' });

    const pages = await collect(provider().listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 10));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3_000);
    expect(sleeps[0]).toBeLessThanOrEqual(7_000);
  });
});

describe('errors', () => {
  it('reports a rejected token as unauthorized without showing it', async () => {
    await github.close();
    github = await startGitHubSimulator({ token: 'right-token' });
    github.repo('octo', 'hello', { issues: 1 });

    const error = await failure(provider({ token: 'ghp_wrongSecretValue' }).repository());

    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/^GitHub rejected the token \(401\).*check that it is the right one/);
    // Shown by the CLI, the API and the dashboard alike: no command-line option in it.
    expect(error.message).not.toMatch(/--[a-z]/);
    expect(error.message).not.toContain('ghp_wrongSecretValue');
    expect(JSON.stringify(error.cause)).not.toContain('ghp_wrongSecretValue');
  });

  it('sends the token and succeeds when it is the right one', async () => {
    await github.close();
    github = await startGitHubSimulator({ token: 'right-token' });
    github.repo('octo', 'hello', { issues: 3 });

    const pages = await collect(provider({ token: 'right-token' }).listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual([1, 2, 3]);
  });

  it('reports an unknown repository as not_found naming it and the host', async () => {
    const error = await failure(collect(provider({ repo: 'octo/missing' }).listIssues({ state: 'all' })));

    expect(error.code).toBe('not_found');
    expect(error.message).toBe(
      `Repository octo/missing was not found on ${new URL(github.url).host}, or the token cannot see it.`,
    );
  });

  it('reports a closed port as unreachable naming the host', async () => {
    const { url } = github;
    await github.close();
    github = await startGitHubSimulator();
    const gitHub = provider({ apiUrl: url });

    const error = await failure(gitHub.repository());

    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(new URL(url).host);
    expect(error.message).toContain('connection refused');
    expect(gitHub.requestCount()).toBe(4);
  });

  it('reports a body that is not an issue list as bad_response', async () => {
    github.repo('octo', 'hello', { issues: 1 });
    github.fault({ status: 200, body: [{ number: 'one' }], path: '/repos/octo/hello/issues' });

    const error = await failure(collect(provider().listIssues({ state: 'all' })));

    expect(error.code).toBe('bad_response');
    expect(error.message).toContain('0.number');
  });

  it('reports a body that is not JSON (a proxy error page) as bad_response', async () => {
    github.repo('octo', 'hello', { issues: 1 });
    github.fault({ status: 200, rawBody: '<html>Bad gateway</html>', path: '/repos/octo/hello/issues' });

    const error = await failure(collect(provider().listIssues({ state: 'all' })));

    expect(error.code).toBe('bad_response');
    expect(error.message).toMatch(/not JSON/);
  });

  it('reports a 403 that is not a rate limit as forbidden', async () => {
    github.repo('octo', 'hello', { issues: 1 });
    github.fault({ status: 403, body: { message: 'Resource not accessible by integration' }, path: '/repos/octo/hello/issues' });

    const error = await failure(collect(provider().listIssues({ state: 'all' })));

    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('Resource not accessible by integration');
  });
});

describe('cancellation and injected clients', () => {
  it('stops with the abort reason when the signal is aborted between pages', async () => {
    github.repo('octo', 'hello', { issues: 250 });
    const controller = new AbortController();
    const iterator = provider().listIssues({ state: 'all', signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();

    controller.abort(new Error('stop now'));

    await expect(iterator.next()).rejects.toThrow('stop now');
  });

  it("uses an already authenticated Octokit (the GitHub App's client) and still counts its requests", async () => {
    await github.close();
    github = await startGitHubSimulator({ token: 'installation-token' });
    github.repo('octo', 'hello', { issues: 120 });
    const octokit = new ProbotOctokit({ baseUrl: github.url, auth: { token: 'installation-token' } });
    const gitHub = createGitHubProvider({ repo: 'octo/hello', octokit });

    const pages = await collect(gitHub.listIssues({ state: 'all' }));

    expect(idsOf(pages)).toEqual(range(1, 120));
    expect(gitHub.requestCount()).toBe(3);
  });
});

describe('repository and freshness', () => {
  it('maps the repository and reads it once per provider', async () => {
    github.repo('octo', 'hello', { issues: 8 });
    const gitHub = provider();

    const info = await gitHub.repository();
    await collect(gitHub.listIssues({ state: 'all' }));
    await collect(gitHub.listSecurityAlerts!({ state: 'all' }));

    expect(info).toEqual({
      id: expect.any(String),
      fullName: 'octo/hello',
      url: 'https://github.com/octo/hello',
      defaultBranch: 'main',
      private: false,
      openIssuesHint: 6,
    });
    expect(github.requests.filter((request) => request.path === '/repos/octo/hello')).toHaveLength(1);
  });

  it('tells whether anything changed since the watermark, with a conditional request on the ETag it returned', async () => {
    const repo = github.repo('octo', 'hello', { issues: 5 });

    const first = await provider().freshness({ watermark: null, etag: null });
    // A new provider (as every job makes) with the stored ETag: a 304 that costs no point.
    const unchanged = await provider().freshness({ watermark: first.latestUpdatedAt, etag: first.etag });
    repo.editIssue(2, { title: 'new title' });
    const changed = await provider().freshness({ watermark: first.latestUpdatedAt, etag: unchanged.etag });

    expect(first).toMatchObject({ changed: true, etag: expect.any(String), pointsSpent: 1 });
    expect(unchanged).toMatchObject({ changed: false, latestUpdatedAt: null, etag: first.etag, pointsSpent: 0 });
    expect(unchanged.rateLimit).toMatchObject({ limit: 5000, remaining: first.rateLimit!.remaining });
    expect(changed.changed).toBe(true);
    expect(changed.etag).not.toBe(first.etag);
    expect(changed.latestUpdatedAt!.getTime()).toBeGreaterThan(first.latestUpdatedAt!.getTime());
    expect(github.requests.map((request) => request.status)).toEqual([200, 304, 200]);
  });

  it('looks past pull requests to the newest issue, and at the newest Dependabot alert when asked', async () => {
    const repo = github.repo('octo', 'hello', { issues: 3, alerts: 2 });
    const issueTime = new Date(repo.issue(1).updated_at as string);
    repo.addPullRequests(2, { updatedAt: new Date(issueTime.getTime() + 3_600_000_000) });
    const newestIssue = new Date(Math.max(...[1, 2, 3].map((n) => Date.parse(repo.issue(n).updated_at as string))));

    const issuesOnly = await provider().freshness({ watermark: newestIssue, etag: null });
    expect(issuesOnly).toMatchObject({ changed: false, latestUpdatedAt: newestIssue, parts: { issues: newestIssue } });
    expect(issuesOnly.parts).not.toHaveProperty('security');

    repo.editAlert(1, { state: 'dismissed' });
    const alertTime = new Date(repo.findAlert(1)!.updated_at as string);
    const withAlerts = await provider().freshness({ watermark: newestIssue, securityWatermark: new Date(alertTime.getTime() - 1000), etag: null });
    expect(withAlerts).toMatchObject({ changed: true, parts: { issues: newestIssue, security: alertTime }, pointsSpent: 2 });
    expect(github.requests.at(-1)!.path).toMatch(/\/dependabot\/alerts\?.*sort=updated/);
  });

  it('takes Dependabot alerts switched off as nothing to check', async () => {
    github.repo('octo', 'hello', { issues: 1, dependabot: 'disabled' });
    const fresh = await provider().freshness({ watermark: null, securityWatermark: null, etag: null });
    expect(fresh).toMatchObject({ changed: true, parts: { security: null } });
  });
});

describe('createProvider', () => {
  it('builds the GitHub provider', async () => {
    const gitHub = await createProvider('github', { repo: 'octo/hello', apiUrl: github.url });
    expect(gitHub.kind).toBe('github');
    expect(gitHub.repo).toBe('octo/hello');
  });
});
