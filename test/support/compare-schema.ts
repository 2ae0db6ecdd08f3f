/**
 * Compares the Prisma data model with what the SQL migrations built in PostgreSQL and lists every
 * disagreement as a sentence (empty when they agree): tables, columns (type, nullability, default,
 * generated), enums (labels in order), indexes (kind, columns, method) and foreign keys (onDelete/onUpdate).
 */
import type pg from 'pg';
import type { DmmfDatamodel, DmmfField } from './prisma-datamodel.js';

/**
 * Partial indexes that Prisma's schema language cannot express; the migrations create them and
 * the schema names them in a comment. They must exist, and they are not counted as extras.
 */
const SQL_ONLY_INDEXES = new Set(['SyncOperation_one_active_per_repository']);

export interface DatabaseSnapshot {
  tables: string[];
  columns: { table: string; column: string; nullable: boolean; udt: string; precision: number | null; hasDefault: boolean; generated: boolean }[];
  enums: Map<string, string[]>;
  indexes: { table: string; name: string; unique: boolean; primary: boolean; method: string; columns: string[] }[];
  foreignKeys: { table: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string }[];
}

/** Tables that belong to the migration runner, not to the data model. */
const INTERNAL_TABLES = new Set(['_issue_sync_migrations']);

export async function snapshotDatabase(pool: pg.Pool): Promise<DatabaseSnapshot> {
  const tables = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const columns = await pool.query<{ table: string; column: string; nullable: string; udt: string; precision: number | null; def: string | null; generated: string }>(
    `SELECT table_name AS table, column_name AS column, is_nullable AS nullable, udt_name AS udt, datetime_precision AS precision,
            column_default AS def, is_generated AS generated
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const enums = await pool.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  const indexes = await pool.query<DatabaseSnapshot['indexes'][number]>(
    `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary, am.amname AS method,
            array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = 'public'`,
  );
  const foreignKeys = await pool.query<DatabaseSnapshot['foreignKeys'][number]>(
    `SELECT src.relname AS table, ref.relname AS "refTable", c.confdeltype AS "onDelete", c.confupdtype AS "onUpdate",
            array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
            array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS "refColumns"
       FROM pg_constraint c JOIN pg_class src ON src.oid = c.conrelid JOIN pg_class ref ON ref.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  return {
    tables: tables.rows.map((row) => row.name).filter((name) => !INTERNAL_TABLES.has(name)),
    columns: columns.rows
      .filter((row) => !INTERNAL_TABLES.has(row.table))
      .map((row) => ({
        table: row.table,
        column: row.column,
        nullable: row.nullable === 'YES',
        udt: row.udt,
        precision: row.precision,
        hasDefault: row.def !== null,
        generated: row.generated === 'ALWAYS',
      })),
    enums: new Map(enums.rows.map((row) => [row.name, row.labels])),
    indexes: indexes.rows.filter((row) => !INTERNAL_TABLES.has(row.table)),
    foreignKeys: foreignKeys.rows,
  };
}

/** Prisma scalar -> PostgreSQL udt_name when no @db attribute says otherwise (as `prisma migrate` maps them). */
const SCALAR_TYPES: Record<string, string> = {
  String: 'text', Int: 'int4', BigInt: 'int8', Boolean: 'bool', DateTime: 'timestamp(3)', Json: 'jsonb', Float: 'float8', Decimal: 'numeric', Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, string> = {
  Uuid: 'uuid', Text: 'text', VarChar: 'varchar', Integer: 'int4', BigInt: 'int8', Boolean: 'bool', Timestamptz: 'timestamptz', Timestamp: 'timestamp',
  Date: 'date', JsonB: 'jsonb', Json: 'json', DoublePrecision: 'float8',
};
const REFERENTIAL_ACTIONS: Record<string, string> = { Cascade: 'c', SetNull: 'n', Restrict: 'r', NoAction: 'a', SetDefault: 'd' };

export function compareSchema(model: DmmfDatamodel, db: DatabaseSnapshot): string[] {
  const problems: string[] = [];
  const tableOf = new Map(model.models.map((m) => [m.name, m.dbName ?? m.name]));
  const enumOf = new Map(model.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const columnName = (field: DmmfField) => field.dbName ?? field.name;

  for (const e of model.enums) {
    const expected = e.values.map((value) => value.dbName ?? value.name);
    const actual = db.enums.get(enumOf.get(e.name)!);
    if (!actual) problems.push(`enum ${e.name}: no such type in the database`);
    else if (actual.join(',') !== expected.join(',')) problems.push(`enum ${e.name}: database has (${actual.join(', ')}), schema has (${expected.join(', ')})`);
  }
  for (const name of db.enums.keys()) {
    if (![...enumOf.values()].includes(name)) problems.push(`enum type ${name} exists in the database but not in the schema`);
  }

  for (const name of db.tables) {
    if (![...tableOf.values()].includes(name)) problems.push(`table ${name} exists in the database but has no model`);
  }
  for (const m of model.models) {
    const table = tableOf.get(m.name)!;
    if (!db.tables.includes(table)) {
      problems.push(`model ${m.name}: no table ${table}`);
      continue;
    }
    const scalars = m.fields.filter((field) => field.kind === 'scalar' || field.kind === 'enum');
    const columns = db.columns.filter((column) => column.table === table);
    for (const column of columns) {
      if (!scalars.some((field) => columnName(field) === column.column)) problems.push(`${table}.${column.column} exists in the database but not in model ${m.name}`);
    }
    for (const field of scalars) {
      const where = `${m.name}.${field.name}`;
      const column = columns.find((c) => c.column === columnName(field));
      if (!column) {
        problems.push(`${where}: no column ${table}.${columnName(field)}`);
        continue;
      }
      // Prisma creates scalar lists without NOT NULL, whatever the schema says.
      const nullable = field.isList || !field.isRequired;
      if (column.nullable !== nullable) problems.push(`${where}: column is ${column.nullable ? 'nullable' : 'NOT NULL'}, schema says ${nullable ? 'optional' : 'required'}`);
      const expectedType = expectedUdt(field, enumOf);
      const actualType = column.udt.startsWith('timestamp') ? `${column.udt}(${column.precision})` : column.udt;
      if (actualType !== expectedType) problems.push(`${where}: column type ${actualType}, schema implies ${expectedType}`);
      const generated = isDbGeneratedWithoutExpression(field);
      if (generated !== column.generated) problems.push(`${where}: column is ${column.generated ? '' : 'not '}GENERATED, schema ${generated ? 'says @default(dbgenerated())' : 'lets the client write it'}`);
      if (!generated && field.hasDefaultValue !== column.hasDefault) problems.push(`${where}: column ${column.hasDefault ? 'has' : 'lacks'} a default, schema ${field.hasDefaultValue ? 'has' : 'has none'}`);
    }
  }

  for (const name of SQL_ONLY_INDEXES) {
    if (!db.indexes.some((index) => index.name === name)) problems.push(`index ${name}: missing in the database (a migration creates it)`);
  }
  const modelIndexes = model.indexes.map((index) => {
    const m = model.models.find((candidate) => candidate.name === index.model)!;
    const columns = index.fields.map((f) => columnName(m.fields.find((field) => field.name === f.name)!));
    return { table: tableOf.get(index.model)!, kind: index.type, method: (index.algorithm ?? 'btree').toLowerCase(), columns };
  });
  const dbIndexKind = (index: DatabaseSnapshot['indexes'][number]) => (index.primary ? 'id' : index.unique ? 'unique' : 'normal');
  const sameIndex = (a: (typeof modelIndexes)[number], b: DatabaseSnapshot['indexes'][number]) =>
    a.table === b.table && a.kind === dbIndexKind(b) && a.method === b.method && a.columns.join(',') === b.columns.join(',');
  for (const index of modelIndexes) {
    if (!db.indexes.some((candidate) => sameIndex(index, candidate))) problems.push(`${index.kind} index on ${index.table}(${index.columns.join(', ')}) using ${index.method}: missing in the database`);
  }
  for (const index of db.indexes) {
    if (SQL_ONLY_INDEXES.has(index.name)) continue;
    if (!modelIndexes.some((candidate) => sameIndex(candidate, index))) problems.push(`index ${index.name} on ${index.table}(${index.columns.join(', ')}) exists in the database but not in the schema`);
  }

  const relations = model.models.flatMap((m) =>
    m.fields
      .filter((field) => field.kind === 'object' && (field.relationFromFields?.length ?? 0) > 0)
      .map((field) => {
        const target = model.models.find((candidate) => candidate.name === field.type)!;
        const from = field.relationFromFields!.map((name) => columnName(m.fields.find((f) => f.name === name)!));
        const to = field.relationToFields!.map((name) => columnName(target.fields.find((f) => f.name === name)!));
        // Prisma's defaults: Restrict for a required relation, SetNull for an optional one; Cascade on update.
        const onDelete = field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull');
        const onUpdate = (field as { relationOnUpdate?: string }).relationOnUpdate ?? 'Cascade';
        return { where: `${m.name}.${field.name}`, table: tableOf.get(m.name)!, from, refTable: tableOf.get(target.name)!, to, onDelete, onUpdate };
      }),
  );
  for (const relation of relations) {
    const fk = db.foreignKeys.find((candidate) => candidate.table === relation.table && candidate.columns.join(',') === relation.from.join(','));
    if (!fk) {
      problems.push(`${relation.where}: no foreign key on ${relation.table}(${relation.from.join(', ')})`);
      continue;
    }
    if (fk.refTable !== relation.refTable || fk.refColumns.join(',') !== relation.to.join(',')) {
      problems.push(`${relation.where}: foreign key references ${fk.refTable}(${fk.refColumns.join(', ')}), schema says ${relation.refTable}(${relation.to.join(', ')})`);
    }
    if (fk.onDelete !== REFERENTIAL_ACTIONS[relation.onDelete]) problems.push(`${relation.where}: ON DELETE is '${fk.onDelete}' in the database, schema says ${relation.onDelete}`);
    if (fk.onUpdate !== REFERENTIAL_ACTIONS[relation.onUpdate]) problems.push(`${relation.where}: ON UPDATE is '${fk.onUpdate}' in the database, schema says ${relation.onUpdate}`);
  }
  for (const fk of db.foreignKeys) {
    if (!relations.some((relation) => relation.table === fk.table && relation.from.join(',') === fk.columns.join(','))) {
      problems.push(`foreign key on ${fk.table}(${fk.columns.join(', ')}) exists in the database but not in the schema`);
    }
  }
  return problems;
}

function expectedUdt(field: DmmfField, enumOf: Map<string, string>): string {
  let udt: string;
  if (field.kind === 'enum') udt = enumOf.get(field.type)!;
  else if (field.nativeType) {
    const [name, args] = field.nativeType;
    const native = NATIVE_TYPES[name] ?? `unmapped native type @db.${name} (extend NATIVE_TYPES)`;
    udt = native.startsWith('timestamp') ? `${native}(${args[0] ?? 6})` : native;
  } else udt = SCALAR_TYPES[field.type] ?? `unmapped type ${field.type} (extend SCALAR_TYPES)`;
  return field.isList ? `_${udt}` : udt;
}

function isDbGeneratedWithoutExpression(field: DmmfField): boolean {
  const value = field.default as { name?: string; args?: unknown[] } | undefined;
  return value?.name === 'dbgenerated' && (value.args?.length ?? 0) === 0;
}
