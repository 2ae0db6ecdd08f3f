import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeEmbeddedCluster } from '../../src/db/cluster-location.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createLogger } from '../../src/logger.js';
import { query } from './fixtures/query.js';
import { killProcessesMentioning, processesMentioning, startInChild, waitUntilNoProcessMentions } from './fixtures/processes.js';

function capturingLogger() {
  const messages: string[] = [];
  const log = createLogger({ level: 'debug' }, { write: (line: string) => void messages.push(JSON.parse(line).msg as string) });
  return { log, messages };
}

describe('startEmbeddedPostgres', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-embedded-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    // Whatever failed above, leave no postgres, watchdog or fixture behind.
    for (const dir of dirs) {
      killProcessesMentioning(dir);
      // As root behind closed folders the cluster lives outside the data dir: remove it with it.
      await removeEmbeddedCluster(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts a server, lets a second caller reuse it, and leaves no process after stop', async () => {
    const dataDir = await tempDir();
    const { log } = capturingLogger();
    const server = await startEmbeddedPostgres({ dataDir, log });
    try {
      expect(server.owned).toBe(true);
      expect((await query(server.url, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(existsSync(path.join(dataDir, 'server.json'))).toBe(true);

      const second = await startEmbeddedPostgres({ dataDir, log });
      expect(second.owned).toBe(false);
      expect(second.url).toBe(server.url);
      await second.stop();
      expect((await query(server.url, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await server.stop();
    }

    expect(existsSync(path.join(dataDir, 'server.json'))).toBe(false);
    await waitUntilNoProcessMentions(dataDir, 3_000);
  });

  it('initialises the cluster once: a restart keeps PG_VERSION and the data', async () => {
    const dataDir = await tempDir();
    const first = capturingLogger();
    const server = await startEmbeddedPostgres({ dataDir, log: first.log });
    await query(server.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
    await server.stop();
    const versionFile = await stat(path.join(server.clusterDir, 'PG_VERSION'));

    const second = capturingLogger();
    const restarted = await startEmbeddedPostgres({ dataDir, log: second.log });
    try {
      expect((await query(restarted.url, 'SELECT value FROM kept')).rows).toEqual([{ value: 'still here' }]);
    } finally {
      await restarted.stop();
    }

    expect(first.messages).toContain('initialising embedded PostgreSQL cluster');
    expect(second.messages).not.toContain('initialising embedded PostgreSQL cluster');
    const after = await stat(path.join(restarted.clusterDir, 'PG_VERSION'));
    expect([after.ino, after.mtimeMs]).toEqual([versionFile.ino, versionFile.mtimeMs]);
  });

  it('stops the server of a process killed with SIGKILL (watchdog)', async () => {
    const dataDir = await tempDir();
    const child = await startInChild(dataDir);
    expect(processesMentioning(dataDir).some((entry) => /postgres/.test(entry.args) && entry.args.includes('-D'))).toBe(true);

    child.kill('SIGKILL');

    await waitUntilNoProcessMentions(dataDir, 8_000);
    expect(existsSync(path.join(dataDir, 'server.json'))).toBe(false);
  });

  it('stops a server left running by a crashed run (and its stale server.json) and starts afresh', async () => {
    const dataDir = await tempDir();
    const child = await startInChild(dataDir);
    // Simulate a crash the watchdog didn't survive either: kill both, the postmaster keeps running.
    for (const { pid, args } of processesMentioning(dataDir)) if (!args.includes(' -D ')) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    const orphan = processesMentioning(dataDir).find((entry) => entry.args.includes(' -D '));
    expect(orphan).toBeDefined();
    expect(existsSync(path.join(dataDir, 'server.json'))).toBe(true);

    const server = await startEmbeddedPostgres({ dataDir, log: capturingLogger().log });
    try {
      expect(server.owned).toBe(true);
      expect((await query(server.url, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(processesMentioning(dataDir).map((entry) => entry.pid)).not.toContain(orphan!.pid);
    } finally {
      await server.stop();
    }
    await waitUntilNoProcessMentions(dataDir, 3_000);
  });

  it('says so in one sentence when the requested port is taken', async () => {
    const dataDir = await tempDir();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startEmbeddedPostgres({ dataDir, log: capturingLogger().log, port })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use; choose another port or stop what listens there.`,
      );
    } finally {
      blocker.close();
    }
    await waitUntilNoProcessMentions(dataDir, 3_000);
  });
});
