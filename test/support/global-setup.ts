/**
 * Starts one embedded PostgreSQL for the whole test run in a fresh temp dir and prepares the template
 * database `issue_sync_template` with every migration applied; test files clone it (test-database.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { removeEmbeddedCluster } from '../../src/db/cluster-location.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/logger.js';

const TEMPLATE_DATABASE = 'issue_sync_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's maintenance database (`issue_sync`); never connect tests to the template. */
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-test-'));
  const log = silentLogger();
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  try {
    server = await startEmbeddedPostgres({ dataDir, log });
    await createTemplate(server.url, log);
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await removeEmbeddedCluster(dataDir).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('databaseUrl', server.url);
  const started = server;
  return async () => {
    await started.stop();
    // The cluster may live outside the data dir (root behind closed folders): it goes too.
    await removeEmbeddedCluster(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  };
}

async function createTemplate(serverUrl: string, log: ReturnType<typeof silentLogger>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  // Closed right after: CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template.
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await migrate(pool, { log });
  } finally {
    await pool.end();
  }
}
