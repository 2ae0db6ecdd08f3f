import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBitbucketProvider } from '../../src/providers/bitbucket/bitbucket-provider.js';
import type { ProviderOptions } from '../../src/providers/definition.js';
import { createProvider } from '../../src/providers/index.js';
import type { ExternalIssue } from '../../src/providers/provider.js';
import { createIssueStore } from '../../src/store/prisma-issue-store.js';
import { createOperationStore } from '../../src/store/prisma-operation-store.js';
import { createRepositoryStore } from '../../src/store/prisma-repository-store.js';
import type { SyncType } from '../../src/store/issue-store.js';
import { syncRepository, type SyncEngineDeps } from '../../src/sync/sync-repository.js';
import { bitbucketFaults, startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { createTestDatabase } from '../support/test-database.js';
import { collect, failure, itemsOf } from '../support/provider-pages.js';

const EMAIL = 'ada@example.com';
const API_TOKEN = 'ATATT3xFfGF0apiToken';
const ACCESS_TOKEN = 'ATCTT3xFfGN0accessToken';

let bitbucket: BitbucketSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sleeps: number[];

beforeAll(async () => {
  [bitbucket, database] = await Promise.all([
    startBitbucketSimulator({ apiToken: { email: EMAIL, token: API_TOKEN }, accessToken: ACCESS_TOKEN }),
    createTestDatabase(),
  ]);
});
afterAll(async () => {
  await bitbucket?.close();
  await database?.drop();
});
beforeEach(() => {
  sleeps = [];
});

function provider(repo: string, options: Partial<ProviderOptions> = {}) {
  return createBitbucketProvider({
    repo,
    apiUrl: bitbucket.url,
    token: ACCESS_TOKEN,
    retryBaseMs: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

const requestsTo = (repo: string) => bitbucket.requests.filter((request) => request.path.startsWith(`/repositories/${repo}`));

describe('authentication', () => {
  it('sends an API token given as email:token as Basic, and an access token as Bearer', async () => {
    bitbucket.repo('acme', 'auth');
    await provider('acme/auth', { token: `${EMAIL}:${API_TOKEN}` }).repository();
    await provider('acme/auth', { token: ACCESS_TOKEN }).repository();
    const [basic, bearer] = requestsTo('acme/auth');
    expect(basic).toMatchObject({ status: 200, authorization: `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}` });
    expect(bearer).toMatchObject({ status: 200, authorization: `Bearer ${ACCESS_TOKEN}` });
  });

  it('fails with unauthorized and says which tokens work when the token is refused, without retrying', async () => {
    bitbucket.repo('acme', 'badtoken');
    const error = await failure(provider('acme/badtoken', { token: 'expired' }).repository());
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(error.message).toMatch(/email:token.*access token/);
    expect(requestsTo('acme/badtoken')).toHaveLength(1);
  });
});

describe('repository', () => {
  it('reads the repository once per provider', async () => {
    const repo = bitbucket.repo('acme', 'info', { mainBranch: 'trunk', private: false });
    const bb = provider('acme/info');
    const [first, second] = await Promise.all([bb.repository(), bb.repository()]);
    expect(first).toEqual({
      id: repo.uuid,
      fullName: 'acme/info',
      url: 'https://bitbucket.org/acme/info',
      defaultBranch: 'trunk',
      mainBranch: 'trunk',
      private: false,
      openIssuesHint: null,
    });
    expect(second).toBe(first);
    expect(bb.requestCount()).toBe(1);
  });

  it('fails with not_found for an unknown repository', async () => {
    const error = await failure(provider('acme/nowhere').repository());
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
    expect(error.message).toContain('acme/nowhere');
  });

  it('is created through the provider registry', async () => {
    bitbucket.repo('acme', 'registry');
    const bb = await createProvider('bitbucket', { repo: 'acme/registry', apiUrl: bitbucket.url, token: ACCESS_TOKEN });
    expect(bb.kind).toBe('bitbucket');
    expect(bb.listingTraits).toEqual({ security: { ignoresSince: true, complete: true } });
    expect((await bb.repository()).fullName).toBe('acme/registry');
  });
});

describe('listIssues', () => {
  it('ends in gone with the removal of the issue tracker explained, without asking the removed API', async () => {
    bitbucket.repo('acme', 'noissues');
    const error = await failure(collect(provider('acme/noissues').listIssues({ state: 'open' })));
    expect(error).toMatchObject({ code: 'gone', status: 410 });
    expect(error.message).toMatch(/removed the issue tracker of Bitbucket Cloud on 2026-08-20/);
    expect(error.message).toMatch(/--type security/);
    // Only the repository was read: the tracker's API answers 410 for every repository since then.
    expect(requestsTo('acme/noissues').map((request) => request.path)).toEqual([expect.stringMatching(/\/repositories\/acme\/noissues$/)]);
  });

  it('fails with not_found, not a skipped part, for an unknown repository', async () => {
    const error = await failure(collect(provider('acme/missing').listIssues({ state: 'open' })));
    expect(error.code).toBe('not_found');
  });
});

describe('listSecurityAlerts', () => {
  it('lists the VULNERABILITY annotations of the head\'s SECURITY reports, across pages, within the request bound', async () => {
    const repo = bitbucket.repo('acme', 'findings');
    repo.securityReport('snyk', 150);
    repo.securityReport('lint', [{ externalId: 'smell', type: 'CODE_SMELL' }], { type: 'COVERAGE' });
    repo.securityReport('trivy', [
      { externalId: 'CVE-2026-1/lodash', summary: 'Prototype pollution', severity: 'CRITICAL', path: 'package.json', line: 4 },
      { externalId: 'smell-2', type: 'CODE_SMELL' },
      { externalId: 'fixed', result: 'PASSED' },
    ]);
    const bb = provider('acme/findings');
    const pages = await collect(bb.listSecurityAlerts!({ state: 'all' }));
    const items = itemsOf(pages);
    expect(items).toHaveLength(152);
    expect(new Set(items.map((item) => item.issueId)).size).toBe(152);
    for (const item of items) expect(item.issueId).toMatch(/^finding-[A-Za-z0-9._-]+-[A-Za-z0-9._-]+$/);
    expect(items[0]).toMatchObject({ issueId: 'finding-snyk-snyk-f1', kind: 'security_alert', provider: 'bitbucket', state: 'open' });

    const cve = items.find((item) => item.title === 'Prototype pollution')!;
    const trivy = repo.head!.reports[2]!;
    expect(cve).toMatchObject({
      repositoryUrl: 'https://bitbucket.org/acme/findings',
      kind: 'security_alert',
      state: 'open',
      labels: ['severity:critical', 'reporter:scanner'],
      closedAt: null,
      extra: { severity: 'critical', path: 'package.json', line: 4, report: 'trivy scan', reportId: 'trivy', annotationId: 'CVE-2026-1/lodash', commit: repo.head!.hash },
    });
    // `/` is not an issueId character: the id keeps what it can and a hash of the original.
    expect(cve.issueId).toMatch(/^finding-trivy-CVE-2026-1_lodash\.[0-9a-f]{10}$/);
    expect(cve.updatedAt.toISOString()).toBe(trivy.annotations[0]!.updated_on);
    expect(items.find((item) => item.issueId === 'finding-trivy-fixed')).toMatchObject({ state: 'closed', closedAt: expect.any(Date) });

    // Cursors: each page's leads to the next, the last is null.
    expect(pages.at(-1)!.cursor).toBeNull();
    expect(pages.slice(0, -1).every((page) => typeof page.cursor === 'string')).toBe(true);
    // repository + head + 1 report page + ceil(150/100) + ceil(3/100) annotation pages (the COVERAGE report is not read).
    expect(bb.requestCount()).toBe(1 + 1 + 1 + 2 + 1);
    expect(pages[0]!.total).toBe(150);
  });

  it('keeps a finding\'s issueId when the head moves and its report is re-created with new uuids', async () => {
    const repo = bitbucket.repo('acme', 'stable');
    repo.securityReport('snyk', 3);
    repo.securityReport(null, [{ externalId: null, summary: 'No ids at all' }]);
    const before = itemsOf(await collect(provider('acme/stable').listSecurityAlerts!({ state: 'all' })));
    repo.push();
    const after = itemsOf(await collect(provider('acme/stable').listSecurityAlerts!({ state: 'all' })));
    const withExternalIds = (items: ExternalIssue[]) => items.filter((item) => item.title !== 'No ids at all').map((item) => item.issueId);
    expect(withExternalIds(after)).toEqual(withExternalIds(before));
    expect(after[0]!.updatedAt.getTime()).toBeGreaterThan(before[0]!.updatedAt.getTime());
    // A tool that sets no external_id gets its uuid, braces dropped: such findings renew with every commit.
    const anonymous = after.find((item) => item.title === 'No ids at all')!;
    expect(anonymous.issueId).toMatch(/^finding-[0-9a-f-]{36}-[0-9a-f-]{36}$/);
  });

  it('resumes from a cursor with the next annotation page, refetching only the reports page', async () => {
    const repo = bitbucket.repo('acme', 'resume');
    repo.securityReport('snyk', 230);
    const all = await collect(provider('acme/resume').listSecurityAlerts!({ state: 'all' }));
    const bb = provider('acme/resume');
    const rest = await collect(bb.listSecurityAlerts!({ state: 'all', cursor: all[0]!.cursor }));
    expect(itemsOf(rest).map((item) => item.issueId)).toEqual(itemsOf(all).slice(100).map((item) => item.issueId));
    // repository + the reports page + annotation pages 2 and 3; the head is pinned in the cursor.
    expect(bb.requestCount()).toBe(4);
  });

  it('fails unavailable, so the part is skipped and nothing resolved, while the head has no security report', async () => {
    const repo = bitbucket.repo('acme', 'noreport');
    repo.securityReport('lint', [{ externalId: 'smell', type: 'CODE_SMELL' }], { type: 'COVERAGE' });
    const error = await failure(collect(provider('acme/noreport').listSecurityAlerts!({ state: 'all' })));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/no Code Insights security report yet/);
  });

  it('yields nothing for a repository without a main branch', async () => {
    bitbucket.repo('acme', 'empty', { mainBranch: null });
    const pages = await collect(provider('acme/empty').listSecurityAlerts!({ state: 'all' }));
    expect(itemsOf(pages)).toEqual([]);
  });

  it('waits out a 429 without Retry-After with a backoff, honours Retry-After, and retries 5xx', async () => {
    const repo = bitbucket.repo('acme', 'polite');
    repo.securityReport('snyk', 5);
    bitbucket.fault({ ...bitbucketFaults.tooManyRequests(), path: /^\/repositories\/acme\/polite\/commit\/[^/]+\/reports\?/ });
    bitbucket.fault({ ...bitbucketFaults.tooManyRequests(2), path: /\/annotations/ });
    bitbucket.fault({ ...bitbucketFaults.serverError(502), path: '/repositories/acme/polite/refs/branches/main' });
    const bb = provider('acme/polite');
    const items = itemsOf(await collect(bb.listSecurityAlerts!({ state: 'all' })));
    expect(items).toHaveLength(5);
    expect(sleeps).toContain(2000);
    expect(sleeps).toHaveLength(3);
    expect(requestsTo('acme/polite').map((request) => request.status)).toEqual([200, 502, 200, 429, 200, 429, 200]);
  });

  it('fails with rate_limited and the reset when the wait is longer than allowed', async () => {
    bitbucket.repo('acme', 'limited').securityReport('snyk', 1);
    bitbucket.fault({ ...bitbucketFaults.tooManyRequests(3600), path: /^\/repositories\/acme\/limited\/.*\/reports\?/ });
    const error = await failure(collect(provider('acme/limited').listSecurityAlerts!({ state: 'all' })));
    expect(error.code).toBe('rate_limited');
    expect(error.resetAt).toBeInstanceOf(Date);
  });

  it('fails with server_error after the last attempt of a 5xx', async () => {
    bitbucket.repo('acme', 'down').securityReport('snyk', 1);
    bitbucket.fault({ ...bitbucketFaults.serverError(), path: /^\/repositories\/acme\/down\/.*\/reports\?/, times: 4 });
    const error = await failure(collect(provider('acme/down').listSecurityAlerts!({ state: 'all' })));
    expect(error.code).toBe('server_error');
    expect(requestsTo('acme/down').filter((request) => request.status === 503)).toHaveLength(4);
  });

  it('gives up on a host slower than the attempt timeout with unreachable', async () => {
    const slow = await startBitbucketSimulator({ latencyMs: 200 });
    try {
      slow.repo('acme', 'slow');
      const bb = createBitbucketProvider({ repo: 'acme/slow', apiUrl: slow.url, timeoutMs: 20, retryBaseMs: 1 });
      const error = await failure(bb.repository());
      expect(error.code).toBe('unreachable');
      expect(error.message).toMatch(/timed out/);
      expect(bb.requestCount()).toBe(4);
    } finally {
      await slow.close();
    }
  });

  it('reports the scaled rate limit when Bitbucket sends its headers', async () => {
    const scaled = await startBitbucketSimulator({ scaledRateLimit: 5000 });
    try {
      scaled.repo('acme', 'scaled').securityReport('snyk', 1);
      const pages = await collect(createBitbucketProvider({ repo: 'acme/scaled', apiUrl: scaled.url }).listSecurityAlerts!({ state: 'all' }));
      expect(pages[0]!.rateLimit).toEqual({ limit: 5000, remaining: null, resetAt: null });
    } finally {
      await scaled.close();
    }
  });
});

describe('getIssue and freshness', () => {
  it('finds a finding of the head by its issueId, and no numbered issue', async () => {
    const repo = bitbucket.repo('acme', 'lookup');
    repo.securityReport('snyk-code', 120);
    const bb = provider('acme/lookup');
    expect(await bb.getIssue!('finding-snyk-code-snyk-code-f110')).toMatchObject({ issueId: 'finding-snyk-code-snyk-code-f110', state: 'open' });
    expect(await bb.getIssue!('finding-snyk-code-nothing')).toBeNull();
    expect(await bb.getIssue!('12')).toBeNull();
  });

  it('tells a change by the head commit\'s date, with one request once the repository is read', async () => {
    const repo = bitbucket.repo('acme', 'fresh');
    const bb = provider('acme/fresh');
    await bb.repository();
    const before = bb.requestCount();
    const head = repo.head!;
    expect(await bb.freshness({ watermark: new Date(head.date.getTime() - 1), etag: null })).toEqual({
      changed: true, latestUpdatedAt: head.date, etag: null, version: head.hash,
    });
    expect(bb.requestCount() - before).toBe(1);
    expect((await bb.freshness({ watermark: head.date, etag: null })).changed).toBe(false);
    repo.push();
    expect((await bb.freshness({ watermark: head.date, etag: null })).changed).toBe(true);
  });
});

describe('a sync through the engine', () => {
  async function setUp(name: string) {
    const repo = bitbucket.repo('acme', name);
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: name, name } });
    const connection = await prisma.repositoryConnection.create({
      data: { projectId: project.id, provider: 'bitbucket', fullPath: `acme/${name}`, url: repo.htmlUrl },
    });
    const operations = createOperationStore(database.db);
    const deps: SyncEngineDeps = {
      issues: createIssueStore(database.db),
      operations,
      repositories: createRepositoryStore(database.db),
      progressMinIntervalMs: 0,
    };
    const sync = async (syncType: SyncType = 'all', options: Partial<ProviderOptions> = {}) => {
      const operation = await operations.create({ projectId: project.id, repositoryId: connection.id, syncType, includeClosed: false, trigger: 'cli' });
      const bb = provider(`acme/${name}`, options);
      const outcome = await syncRepository(deps, {
        operationId: operation.id, projectId: project.id, repositoryId: connection.id, provider: bb, syncType, includeClosed: false,
      });
      return { outcome, requests: bb.requestCount(), operation: await operations.get(operation.id) };
    };
    const stored = () => prisma.issue.findMany({ where: { projectId: project.id }, orderBy: { externalId: 'asc' } });
    return { repo, sync, stored };
  }

  it('imports exactly the findings and ends the issues part skipped with the 410 explanation; a second sync creates nothing', async () => {
    const { repo, sync, stored } = await setUp('full');
    repo.securityReport('snyk', 120);
    repo.securityReport('trivy', [{ externalId: 'CVE-1' }, { externalId: 'smell', type: 'CODE_SMELL' }, { externalId: 'passed', result: 'PASSED' }]);

    const first = await sync('all');
    expect(first.outcome.status).toBe('completed');
    // The PASSED finding is closed and not stored yet: an open-only sync leaves it out.
    expect(first.outcome.results).toMatchObject({ created: 121, updated: 0, failed: 0, securityAlerts: 121, issues: 0 });
    expect(first.outcome.results.skippedParts).toEqual([{ part: 'issues', reason: expect.stringMatching(/2026-08-20.*--type security/) }]);
    expect(first.operation).toMatchObject({ status: 'completed' });
    // repository + head + reports + 2 + 1 annotation pages; no request to the removed tracker, no catch-up.
    expect(first.requests).toBe(6);
    const rows = await stored();
    expect(rows).toHaveLength(121);
    expect(rows.every((row) => row.kind === 'security_alert' && row.state === 'open')).toBe(true);

    const second = await sync('all');
    expect(second.outcome.results).toMatchObject({ created: 0, updated: 0, skipped: 121 });
    expect(await stored()).toHaveLength(121);
  });

  it('resolves (closes, keeps) a finding the new head no longer holds', async () => {
    const { repo, sync, stored } = await setUp('resolved');
    repo.securityReport('snyk', 3);
    await sync('security');
    repo.push({ drop: ['snyk-f2'] });

    const { outcome } = await sync('security');
    // The two kept findings come with newer dates (re-created reports), the dropped one is resolved.
    expect(outcome.results).toMatchObject({ created: 0, updated: 3, skipped: 0 });
    const rows = await stored();
    expect(rows).toHaveLength(3);
    const gone = rows.find((row) => row.externalId === 'bitbucket:https://bitbucket.org/acme/resolved:finding-snyk-snyk-f2')!;
    expect(gone).toMatchObject({ state: 'closed', externalClosedAt: expect.any(Date) });
    expect(gone.customFields).toMatchObject({ resolvedReason: expect.stringMatching(/gone from/) });
    expect(rows.filter((row) => row.state === 'open')).toHaveLength(2);

    const again = await sync('security');
    expect(again.outcome.results).toMatchObject({ created: 0, updated: 0, skipped: 2 });
  });

  it('fails on a refused token and on an unknown repository', async () => {
    const { sync } = await setUp('refused');
    const refused = await sync('security', { token: 'wrong' });
    expect(refused.outcome).toMatchObject({ status: 'failed', errorCode: 'unauthorized' });

    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'ghost', name: 'ghost' } });
    const operations = createOperationStore(database.db);
    const operation = await operations.create({ projectId: project.id, repositoryId: null, syncType: 'all', includeClosed: false, trigger: 'cli' });
    const outcome = await syncRepository(
      { issues: createIssueStore(database.db), operations },
      { operationId: operation.id, projectId: project.id, repositoryId: null, provider: provider('acme/ghost'), syncType: 'all', includeClosed: false },
    );
    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'not_found' });
  });
});
