import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { compareSchema, snapshotDatabase, type DatabaseSnapshot } from '../support/compare-schema.js';
import { loadPrismaDatamodel, type DmmfDatamodel } from '../support/prisma-datamodel.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCHEMA = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

describe('prisma/schema.prisma and prisma/migrations', () => {
  let database: TestDatabase;
  let datamodel: DmmfDatamodel;
  let snapshot: DatabaseSnapshot;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    await migrate(database.db.pool);
    datamodel = await loadPrismaDatamodel(SCHEMA);
    snapshot = await snapshotDatabase(database.db.pool);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('describe the same tables, columns, enums, indexes and foreign keys', () => {
    expect(datamodel.models.length).toBeGreaterThan(0);
    expect(compareSchema(datamodel, snapshot)).toEqual([]);
  });

  it('make Issue.externalId a column PostgreSQL generates from customFields', () => {
    const column = snapshot.columns.find((c) => c.table === 'Issue' && c.column === 'externalId');
    expect(column?.generated).toBe(true);
  });

  it('keeps the GIN index on Issue.customFields', () => {
    expect(snapshot.indexes).toContainEqual(expect.objectContaining({ table: 'Issue', method: 'gin', columns: ['customFields'] }));
  });

  it('reports each kind of disagreement (the check can fail)', () => {
    const changed = structuredClone(datamodel);
    const issue = changed.models.find((m) => m.name === 'Issue')!;
    issue.fields.find((f) => f.name === 'title')!.isRequired = false;
    issue.fields.find((f) => f.name === 'unlinked')!.type = 'Int';
    issue.fields.push({ ...issue.fields.find((f) => f.name === 'title')!, name: 'summary' });
    issue.fields.find((f) => f.name === 'repository')!.relationOnDelete = 'Cascade';
    changed.enums.find((e) => e.name === 'IssueState')!.values.reverse();
    changed.indexes.find((i) => i.model === 'Issue' && i.algorithm === 'Gin')!.algorithm = undefined;
    const externalId = issue.fields.find((f) => f.name === 'externalId')!;
    externalId.default = undefined;
    externalId.hasDefaultValue = false;

    const problems = compareSchema(changed, snapshot).join('\n');

    expect(problems).toContain('Issue.title: column is NOT NULL, schema says optional');
    expect(problems).toContain('Issue.unlinked: column type bool, schema implies int4');
    expect(problems).toContain('Issue.summary: no column Issue.summary');
    expect(problems).toContain('Issue.repository: ON DELETE is');
    expect(problems).toContain('enum IssueState');
    expect(problems).toContain('index Issue_customFields_idx on Issue(customFields) exists in the database but not in the schema');
    expect(problems).toContain('Issue.externalId: column is GENERATED');
  });

  it('reports what only the migrations have', async () => {
    await database.db.pool.query(`
      ALTER TABLE "Issue" ADD COLUMN "extra" text;
      ALTER TABLE "Issue" ALTER COLUMN "kind" DROP DEFAULT;
      ALTER TYPE "IssueState" ADD VALUE 'archived';
      CREATE INDEX "Issue_title_idx" ON "Issue" ("title");
      ALTER TABLE "Issue" DROP CONSTRAINT "Issue_repositoryId_fkey";
      ALTER TABLE "Issue" ADD CONSTRAINT "Issue_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "RepositoryConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
      CREATE TABLE "Orphan" (id int);
    `);

    const problems = compareSchema(datamodel, await snapshotDatabase(database.db.pool)).join('\n');

    expect(problems).toContain('Issue.extra exists in the database but not in model Issue');
    expect(problems).toContain('Issue.kind: column lacks a default, schema has');
    expect(problems).toContain('enum IssueState: database has (open, closed, archived)');
    expect(problems).toContain('index Issue_title_idx on Issue(title) exists in the database but not in the schema');
    expect(problems).toContain("Issue.repository: ON DELETE is 'c' in the database, schema says SetNull");
    expect(problems).toContain('table Orphan exists in the database but has no model');
  });
});
