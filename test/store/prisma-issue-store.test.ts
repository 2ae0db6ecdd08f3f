import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.js';
import { createIssueStore } from '../../src/store/prisma-issue-store.js';
import type { IssueStore, IssueWrite } from '../../src/store/issue-store.js';
import { externalIdOf } from '../../src/sync/external-id.js';
import { matchIssues } from '../../src/sync/match-issue.js';
import { createTestDatabase } from '../support/test-database.js';

const REPO_URL = 'https://github.com/octo/hello';

function item(number: number, overrides: Partial<IssueWrite> = {}): IssueWrite {
  const base = {
    provider: 'github' as const,
    repositoryUrl: REPO_URL,
    issueId: String(number),
    kind: 'issue' as const,
    title: `Issue ${number}`,
    body: `Body ${number}`,
    state: 'open' as const,
    labels: ['bug'],
    url: `${REPO_URL}/issues/${number}`,
    author: 'octocat',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-02-01T00:00:00Z'),
    closedAt: null,
    extra: { number },
    ...overrides,
  };
  return { ...base, externalId: externalIdOf(base) };
}

describe('PostgreSQL issue store', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let store: IssueStore;
  let projectId: string;
  const scope = () => ({ projectId, repositoryId: null });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    store = createIssueStore(db);
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    const project = await db.prisma.project.create({ data: { slug: `p-${Math.random().toString(36).slice(2, 10)}`, name: 'p' } });
    projectId = project.id;
  });

  const rows = () =>
    db.prisma.issue.findMany({ where: { projectId }, orderBy: { title: 'asc' } });

  it('creates new items and stores the externalId in customFields', async () => {
    const counts = await store.writeBatch(scope(), [item(1), item(2)], new Map());
    expect(counts).toMatchObject({ created: 2, updated: 0, skipped: 0, failed: 0 });
    const stored = await rows();
    expect(stored.map((row) => row.externalId)).toEqual([
      `github:${REPO_URL}:1`,
      `github:${REPO_URL}:2`,
    ]);
    expect(stored[0]!.customFields).toMatchObject({ externalId: `github:${REPO_URL}:1`, number: 1 });
    expect(stored[0]!.labels).toEqual(['bug']);
    expect(stored[0]!.repositoryUrl).toBe(REPO_URL);
  });

  it('skips an item whose stored copy is as new, and updates one that is newer', async () => {
    await store.writeBatch(scope(), [item(1), item(2)], new Map());
    const counts = await store.writeBatch(
      scope(),
      [item(1), item(2, { title: 'Renamed', updatedAt: new Date('2026-03-01T00:00:00Z') })],
      new Map(),
    );
    expect(counts).toMatchObject({ created: 0, updated: 1, skipped: 1, failed: 0 });
    expect((await rows()).map((row) => row.title)).toEqual(['Issue 1', 'Renamed']);
  });

  it('never lets an older copy overwrite a newer one', async () => {
    await store.writeBatch(scope(), [item(1, { title: 'Newest', updatedAt: new Date('2026-05-01T00:00:00Z') })], new Map());
    const counts = await store.writeBatch(scope(), [item(1, { title: 'Stale' })], new Map());
    expect(counts.skipped).toBe(1);
    expect((await rows()).map((row) => row.title)).toEqual(['Newest']);
  });

  it('finds stored externalIds in one query', async () => {
    await store.writeBatch(scope(), [item(1)], new Map());
    const found = await store.findMatchLookups(projectId, REPO_URL, [item(1), item(2)]);
    expect([...found.existing]).toEqual([item(1).externalId]);
  });

  it('offers only local issues without an externalId, not unlinked by hand, as title candidates, in the same query', async () => {
    await store.writeBatch(scope(), [item(1, { title: 'Crash on start' })], new Map());
    const local = await db.prisma.issue.create({ data: { projectId, title: 'Crash on start', repositoryUrl: REPO_URL } });
    await db.prisma.issue.create({ data: { projectId, title: 'Crash on start', repositoryUrl: REPO_URL, unlinked: true } });
    await db.prisma.issue.create({ data: { projectId, title: 'Crash on start', repositoryUrl: 'https://github.com/other/repo' } });
    const found = await store.findMatchLookups(projectId, REPO_URL, [item(2, { title: 'Crash on start' })]);
    expect(found.candidates.map((candidate) => candidate.id)).toEqual([local.id]);
    expect([...found.existing]).toEqual([]);
  });

  it('never lets a stored item claim a local issue of the same title, nor a new one take a second', async () => {
    await store.writeBatch(scope(), [item(1, { title: 'Same title' })], new Map());
    const local = await db.prisma.issue.create({ data: { projectId, title: 'Same title', repositoryUrl: REPO_URL } });
    const incoming = [item(1, { title: 'Same title' }), item(2, { title: 'Same title' }), item(3, { title: 'Same title' })];
    const found = await store.findMatchLookups(projectId, REPO_URL, incoming);
    expect([...found.existing]).toEqual([item(1).externalId]);
    const claims = matchIssues(incoming, found);
    expect([...claims]).toEqual([[item(2).externalId, local.id]]);
  });

  it('links a claimed local issue instead of creating a second one', async () => {
    const local = await db.prisma.issue.create({ data: { projectId, title: 'Issue 7', repositoryUrl: REPO_URL } });
    const counts = await store.writeBatch(scope(), [item(7)], new Map([[item(7).externalId, local.id]]));
    expect(counts).toMatchObject({ created: 0, updated: 1, skipped: 0, failed: 0 });
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).toBe(local.id);
    expect(stored[0]!.externalId).toBe(item(7).externalId);
    expect(stored[0]!.body).toBe('Body 7');
  });

  it("sends a sync's batch with nothing to claim as one statement, committed without a WAL flush, the connection's setting left alone", async () => {
    const single = createDatabase(database.url, { max: 1 });
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const counts = await createIssueStore(single).writeBatch({ ...scope(), deferFlush: true }, [item(1), item(2)], new Map());
      // One statement, not BEGIN, the upsert and COMMIT.
      expect(sent).toHaveBeenCalledTimes(1);
      expect(counts).toMatchObject({ created: 2, updated: 0, skipped: 0, failed: 0 });
      sent.mockRestore();
      const prepared = await single.pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
      expect(prepared.rows.map((row) => row.name)).toContain('issue_sync_upsert_issues_without_flush');
      const setting = await single.pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      expect(setting.rows[0]!.synchronous_commit).toBe('on');
      expect((await rows()).map((row) => row.title)).toEqual(['Issue 1', 'Issue 2']);
    } finally {
      sent.mockRestore();
      await single.close();
    }
  });

  it("writes a sync's claim and its batch in one transaction", async () => {
    const local = await db.prisma.issue.create({ data: { projectId, title: 'Issue 7', repositoryUrl: REPO_URL } });
    const counts = await store.writeBatch({ ...scope(), deferFlush: true }, [item(7), item(8)], new Map([[item(7).externalId, local.id]]));
    expect(counts).toMatchObject({ created: 1, updated: 1, skipped: 0, failed: 0 });
    const stored = await rows();
    expect(stored.map((row) => [row.title, row.externalId])).toEqual([
      ['Issue 7', item(7).externalId],
      ['Issue 8', item(8).externalId],
    ]);
    expect(stored[0]!.id).toBe(local.id);
  });

  it('keeps the newest copy when one batch holds an item twice', async () => {
    const counts = await store.writeBatch(
      scope(),
      [item(1, { title: 'Old' }), item(1, { title: 'New', updatedAt: new Date('2026-04-01T00:00:00Z') })],
      new Map(),
    );
    expect(counts).toMatchObject({ created: 1, updated: 0, skipped: 1, failed: 0 });
    expect((await rows()).map((row) => row.title)).toEqual(['New']);
  });

  it('throws when the database itself fails, instead of counting every item as failed', async () => {
    const other = await createTestDatabase();
    const closing = createIssueStore(other.db);
    await other.drop();
    await expect(closing.writeBatch(scope(), [item(1)], new Map())).rejects.toThrow();
  });

  it('stores NUL characters as nothing instead of failing the batch', async () => {
    const counts = await store.writeBatch(scope(), [item(1, { title: 'a\u0000b', body: 'x\u0000y' })], new Map());
    expect(counts.created).toBe(1);
    expect((await rows())[0]!).toMatchObject({ title: 'ab', body: 'xy' });
  });

  it('counts one unstorable item as failed and still stores the rest of its batch', async () => {
    const broken = item(2, { state: 'reopened' as never });
    const counts = await store.writeBatch(scope(), [item(1), broken, item(3)], new Map());
    expect(counts).toEqual({ created: 2, updated: 0, skipped: 0, failed: 1, failedExternalIds: [broken.externalId] });
    expect((await rows()).map((row) => row.title)).toEqual(['Issue 1', 'Issue 3']);
  });
});
