import { chmod, cp, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeEmbeddedCluster } from '../../src/db/cluster-location.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { findPostgresBinaries, type PostgresBinaries } from '../../src/db/postgres-binaries.js';
import { sharedStateDirCandidates } from '../../src/db/shared-state-dir.js';
import { silentLogger } from '../../src/logger.js';
import { query } from './fixtures/query.js';
import { killProcessesMentioning, processesMentioning, startInChild, waitUntilNoProcessMentions } from './fixtures/processes.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.info('embedded-as-root.test.ts skipped: it needs root (PostgreSQL then runs as OS user "postgres").');


/** The postmaster's pid among processes mentioning `clusterDir` (started with `-D clusterDir`). */
function postmasterOf(clusterDir: string) {
  return processesMentioning(clusterDir).find((entry) => entry.args.includes(` -D ${clusterDir}`));
}

// A clone in /root: binaries and data dir below folders of mode 700, which the "postgres" OS user cannot
// enter and whose mode we may not change.
describe.skipIf(!isRoot)('embedded PostgreSQL as root, behind folders closed to the "postgres" OS user', () => {
  const log = silentLogger();
  let closedBinaries: string;
  let closedData: string;
  let binaries: PostgresBinaries;
  let dataDir: string;

  beforeAll(async () => {
    closedBinaries = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-closed-bin-'));
    closedData = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-closed-data-'));
    await Promise.all([chmod(closedBinaries, 0o700), chmod(closedData, 0o700)]);
    const installed = await findPostgresBinaries();
    const packageDir = path.dirname(path.dirname(path.dirname(installed.postgres)));
    const copy = path.join(closedBinaries, 'package');
    await cp(path.join(packageDir, 'native'), path.join(copy, 'native'), { recursive: true, verbatimSymlinks: true });
    await cp(path.join(packageDir, 'package.json'), path.join(copy, 'package.json'));
    binaries = { initdb: path.join(copy, 'native', 'bin', 'initdb'), postgres: path.join(copy, 'native', 'bin', 'postgres') };
    dataDir = path.join(closedData, 'data');
  });

  afterAll(async () => {
    for (const dir of [closedBinaries, closedData]) killProcessesMentioning(dir);
    for (const name of ['data', 'deleted', 'moved']) await removeEmbeddedCluster(path.join(closedData, name));
    await rm(closedBinaries, { recursive: true, force: true });
    await rm(closedData, { recursive: true, force: true });
  });

  it('runs with the cluster and binaries where that user can reach them, and stop leaves no process', async () => {
    const server = await startEmbeddedPostgres({ dataDir, log, binaries });
    let clusterDir = server.clusterDir;
    try {
      expect(server.owned).toBe(true);
      expect((await query(server.url, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(clusterDir.startsWith(closedData)).toBe(false);
      expect(sharedStateDirCandidates().some((root) => clusterDir.startsWith(`${root}/`))).toBe(true);
      expect(server.notice).toContain(`Embedded PostgreSQL cluster: ${clusterDir} (`);
      const postmaster = postmasterOf(clusterDir);
      expect(postmaster).toBeDefined();
      // The staged copy runs, not the one behind the closed folder.
      expect(postmaster!.args).not.toContain(closedBinaries);
      const { rows } = await query(server.url, "SELECT current_setting('data_directory') AS dir, current_user AS user");
      expect(rows[0].dir).toBe(clusterDir);
    } finally {
      clusterDir = server.clusterDir;
      await server.stop();
    }
    await waitUntilNoProcessMentions(clusterDir, 3_000);
    await waitUntilNoProcessMentions(dataDir, 3_000);
  }, 60_000);

  it('a second start uses the same cluster and the data survives; a process beside it borrows it', async () => {
    const first = await startEmbeddedPostgres({ dataDir, log, binaries });
    await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, log, binaries });
    try {
      expect(second.clusterDir).toBe(first.clusterDir);
      expect((await query(second.url, 'SELECT value FROM kept')).rows).toEqual([{ value: 'still here' }]);
      const borrower = await startEmbeddedPostgres({ dataDir, log, binaries });
      expect([borrower.owned, borrower.url, borrower.clusterDir]).toEqual([false, second.url, second.clusterDir]);
    } finally {
      await second.stop();
    }
    await waitUntilNoProcessMentions(second.clusterDir, 3_000);
  }, 60_000);

  it('the watchdog stops the server of an owner killed with SIGKILL', async () => {
    const child = await startInChild(dataDir, path.dirname(binaries.postgres));
    const probe = await startEmbeddedPostgres({ dataDir, log, binaries });
    expect(probe.owned).toBe(false);
    expect(postmasterOf(probe.clusterDir)).toBeDefined();

    child.kill('SIGKILL');

    await waitUntilNoProcessMentions(probe.clusterDir, 8_000);
    await waitUntilNoProcessMentions(dataDir, 3_000);
  }, 60_000);

  it('a server left running by a crash (owner and watchdog killed) is stopped by the next start', async () => {
    const child = await startInChild(dataDir, path.dirname(binaries.postgres));
    // The owner and its watchdog mention the data dir; the postmaster mentions only the cluster dir.
    for (const { pid } of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    const server = await startEmbeddedPostgres({ dataDir, log, binaries });
    try {
      expect(server.owned).toBe(true);
      expect((await query(server.url, 'SELECT value FROM kept')).rows).toEqual([{ value: 'still here' }]);
      expect(processesMentioning(server.clusterDir).filter((entry) => entry.args.includes(' -D '))).toHaveLength(1);
    } finally {
      await server.stop();
    }
    await waitUntilNoProcessMentions(server.clusterDir, 3_000);
  }, 60_000);

  it('finds its cluster again after the data dir is moved, with the data kept', async () => {
    const before = path.join(closedData, 'before-move');
    const after = path.join(closedData, 'moved');
    const first = await startEmbeddedPostgres({ dataDir: before, log, binaries });
    try {
      await query(first.url, "CREATE TABLE moved_along (value text); INSERT INTO moved_along VALUES ('kept')");
    } finally {
      await first.stop();
    }
    await rename(before, after);
    const second = await startEmbeddedPostgres({ dataDir: after, log, binaries });
    try {
      expect(second.clusterDir).toBe(first.clusterDir);
      expect((await query(second.url, 'SELECT value FROM moved_along')).rows).toEqual([{ value: 'kept' }]);
    } finally {
      await second.stop();
      await removeEmbeddedCluster(after);
    }
    expect(await exists(path.dirname(first.clusterDir))).toBe(false);
  }, 60_000);

  it('removes the cluster of a deleted data dir: by removeEmbeddedCluster, or at the next start', async () => {
    const deleted = path.join(closedData, 'deleted');
    const other = await startEmbeddedPostgres({ dataDir: deleted, log, binaries });
    await other.stop();
    const home = path.dirname(other.clusterDir);
    await rm(deleted, { recursive: true, force: true });
    expect(await exists(home)).toBe(true);

    const server = await startEmbeddedPostgres({ dataDir, log, binaries });
    await server.stop();
    expect(await exists(home)).toBe(false);

    await removeEmbeddedCluster(dataDir);
    expect(await exists(path.dirname(server.clusterDir))).toBe(false);
  }, 60_000);
});

async function exists(file: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(file).then(
    () => true,
    () => false,
  );
}
