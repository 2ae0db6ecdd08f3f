/**
 * The engine's listing traits, through the real Bitbucket provider (whose security part is
 * `ignoresSince` and `complete`) against the loopback simulator, on real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitbucketProvider } from '../../src/providers/bitbucket/bitbucket-provider.js';
import { createIssueStore } from '../../src/store/prisma-issue-store.js';
import { createOperationStore } from '../../src/store/prisma-operation-store.js';
import { createRepositoryStore } from '../../src/store/prisma-repository-store.js';
import type { IssueWrite } from '../../src/store/issue-store.js';
import { syncRepository, type SyncEngineDeps, type SyncRequest } from '../../src/sync/sync-repository.js';
import { bitbucketFaults, startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { createTestDatabase } from '../support/test-database.js';

let bitbucket: BitbucketSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  [bitbucket, database] = await Promise.all([startBitbucketSimulator(), createTestDatabase()]);
});
afterAll(async () => {
  await bitbucket?.close();
  await database?.drop();
});

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
  /** A sync in a new operation, or in `operationId` (a resumed one). */
  const run = async (extra: Partial<SyncRequest> = {}, operationId?: string) => {
    const operation =
      operationId === undefined
        ? await operations.create({
            projectId: project.id, repositoryId: connection.id, syncType: 'security', includeClosed: false, trigger: 'cli',
          })
        : { id: operationId };
    const request: SyncRequest = {
      operationId: operation.id,
      projectId: project.id,
      repositoryId: connection.id,
      provider: createBitbucketProvider({ repo: `acme/${name}`, apiUrl: bitbucket.url, retryBaseMs: 5, maxRateLimitWaitMs: 1000 }),
      syncType: 'security',
      includeClosed: false,
      ...extra,
    };
    return { outcome: await syncRepository(deps, request), operationId: operation.id };
  };
  const openIds = async () =>
    (await prisma.issue.findMany({ where: { projectId: project.id, state: 'open' }, orderBy: { externalId: 'asc' } })).map(
      (row) => row.externalId!.split(':').pop(),
    );
  const reportListings = () =>
    bitbucket.requests.filter((request) => request.path.startsWith(`/repositories/acme/${name}/commit/`) && /\/reports\?/.test(request.path));
  return { repo, run, openIds, reportListings, projectId: project.id, repositoryId: connection.id, operations };
}

describe('ignoresSince', () => {
  it('lists the whole set once in a full sync: no catch-up listing', async () => {
    const { repo, run, reportListings } = await setUp('nocatchup');
    repo.securityReport('snyk', 3);
    const { outcome } = await run();
    expect(outcome).toMatchObject({ status: 'completed', results: { created: 3 } });
    expect(reportListings()).toHaveLength(1);
  });

  it('lists the whole set in an incremental sync, writing only what changed, and resolves what is gone', async () => {
    const { repo, run, openIds, reportListings } = await setUp('incremental');
    repo.securityReport('snyk', 3);
    await run();
    repo.push({ drop: ['snyk-f3'] });
    // A watermark after everything: a host that filtered by time would list nothing.
    const { outcome } = await run({ since: { issues: null, security: new Date('2100-01-01T00:00:00Z') } });
    expect(outcome).toMatchObject({ status: 'completed', results: { created: 0, updated: 3, skipped: 0, securityAlerts: 2 } });
    expect(reportListings()).toHaveLength(2);
    expect(await openIds()).toEqual(['finding-snyk-snyk-f1', 'finding-snyk-snyk-f2']);
  });
});

describe('complete', () => {
  it('resolves nothing when a resumed listing did not see the pages before its cursor; a whole one then does', async () => {
    const { repo, run, openIds } = await setUp('resumed');
    repo.securityReport('snyk', 150);
    repo.securityReport('trivy', 2);
    await run();
    // The new head drops one finding of the first page and one of the last report.
    repo.push({ drop: ['snyk-f7', 'trivy-f2'] });
    bitbucket.fault({ ...bitbucketFaults.tooManyRequests(3600), path: /^\/repositories\/acme\/resumed\/.*\/annotations\?.*page=2/ });
    const paused = await run({ pauseOnRateLimit: true });
    expect(paused.outcome.status).toBe('waiting');
    if (paused.outcome.status !== 'waiting') return;
    expect(paused.outcome.checkpoint).toMatchObject({ part: 'security', phase: 'list', cursor: expect.any(String) });

    const resumed = await run({ resumeFrom: paused.outcome.checkpoint }, paused.operationId);
    expect(resumed.outcome.status).toBe('completed');
    // trivy-f2 is gone from pages this run saw, snyk-f7 from a page it did not: neither is resolved.
    expect(await openIds()).toHaveLength(152);

    const whole = await run();
    expect(whole.outcome).toMatchObject({ status: 'completed', results: { updated: 2, skipped: 150 } });
    const open = await openIds();
    expect(open).toHaveLength(150);
    expect(open).not.toContain('finding-snyk-snyk-f7');
    expect(open).not.toContain('finding-trivy-trivy-f2');
  });

  it('resolves nothing when the sync is cancelled mid-listing', async () => {
    const { repo, run, openIds } = await setUp('cancelled');
    repo.securityReport('snyk', 150);
    await run();
    repo.push({ drop: ['snyk-f150'] });
    const controller = new AbortController();
    const { outcome } = await run({ signal: controller.signal, onProgress: () => controller.abort() });
    expect(outcome.status).toBe('cancelled');
    expect(await openIds()).toHaveLength(150);
  });

  it('skips the part and keeps every finding while the new head has no security report yet', async () => {
    const { repo, run, openIds } = await setUp('notyet');
    repo.securityReport('snyk', 2);
    await run();
    repo.commit();
    const { outcome } = await run();
    expect(outcome).toMatchObject({ status: 'completed', results: { updated: 0, skippedParts: [{ part: 'security', reason: expect.stringMatching(/no Code Insights security report yet/) }] } });
    expect(await openIds()).toHaveLength(2);
  });
});

describe('IssueStore.resolveMissing', () => {
  it('closes only the open items of that provider, repository and kind that were not seen, and keeps them', async () => {
    const { projectId } = await setUp('store');
    const store = createIssueStore(database.db);
    const at = new Date('2026-10-01T00:00:00Z');
    const item = (provider: 'bitbucket' | 'github', repositoryUrl: string, issueId: string, extra: Partial<IssueWrite> = {}): IssueWrite => ({
      provider, repositoryUrl, issueId, kind: 'security_alert', title: issueId, body: null, state: 'open', labels: [], url: repositoryUrl,
      author: null, createdAt: new Date('2026-09-01T00:00:00Z'), updatedAt: new Date('2026-09-01T00:00:00Z'), closedAt: null, extra: {},
      externalId: `${provider}:${repositoryUrl}:${issueId}`, ...extra,
    });
    const url = 'https://bitbucket.org/acme/a_b';
    await store.writeBatch({ projectId, repositoryId: null }, [
      item('bitbucket', url, 'finding-seen'),
      item('bitbucket', url, 'finding-gone'),
      item('bitbucket', url, 'finding-closed', { state: 'closed', closedAt: new Date('2026-09-02T00:00:00Z') }),
      item('bitbucket', url, '7', { kind: 'issue' }),
      // `_` is a LIKE wildcard: a look-alike repository must not match.
      item('bitbucket', 'https://bitbucket.org/acme/aXb', 'finding-other'),
      item('github', url, 'finding-github'),
    ], new Map());

    const resolved = await store.resolveMissing({
      projectId, provider: 'bitbucket', repositoryUrl: url, kind: 'security_alert',
      seenExternalIds: [`bitbucket:${url}:finding-seen`], at, reason: 'gone from the head',
    });
    expect(resolved).toBe(1);
    const rows = await database.db.prisma.issue.findMany({ where: { projectId }, orderBy: { title: 'asc' } });
    expect(rows).toHaveLength(6);
    const byTitle = new Map(rows.map((row) => [row.title, row]));
    expect(byTitle.get('finding-gone')).toMatchObject({
      state: 'closed', externalClosedAt: at, externalUpdatedAt: at, customFields: expect.objectContaining({ resolvedReason: 'gone from the head' }),
    });
    for (const title of ['finding-seen', '7', 'finding-other', 'finding-github']) expect(byTitle.get(title)!.state).toBe('open');
    expect(byTitle.get('finding-closed')!.externalClosedAt).toEqual(new Date('2026-09-02T00:00:00Z'));
  });
});
