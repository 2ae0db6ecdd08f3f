/**
 * A statement each pooled connection parses once and then only binds and executes. An unnamed
 * statement is parsed and planned by PostgreSQL at every call; for the few statements every webhook
 * delivery runs, that planning cost more server time than executing them (a quarter of a
 * millisecond for the repository lookup's join). A named one is planned once per connection: the
 * pool's connections use generic plans for them (`plan_cache_mode`, see client.ts).
 *
 * Use it for statements of fixed text run often, whose parameters are equality or ANY() lookups
 * (one generic plan fits them all), and write them so that the plan cannot go wrong with the table's
 * size: a generic plan can be made while a table is still empty, and is kept until the table is
 * next analyzed. The name must be unique in the process: node-postgres refuses a
 * name reused with another text.
 */
import type pg from 'pg';

export type PreparedStatement = (values: readonly unknown[]) => pg.QueryConfig<unknown[]>;

const names = new Set<string>();

export function preparedStatement(name: string, text: string): PreparedStatement {
  if (names.has(name)) throw new Error(`Prepared statement ${name} is defined twice.`);
  names.add(name);
  const statementName = `issue_sync_${name}`;
  return (values) => ({ name: statementName, text, values: [...values] });
}
