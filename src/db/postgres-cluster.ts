/**
 * initdb and the postmaster, spawned directly. The postmaster gets its own session (detached), so a Ctrl-C
 * in the terminal reaches only issue-sync, which then stops it after its own graceful shutdown, and it
 * writes to postgres.log rather than a pipe that would break if we died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, open, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Credentials } from './embedded-state.js';
import { postgresEnvironment } from './postgres-environment.js';
import type { RunAs } from './postgres-os-user.js';
import { stopPostmaster } from './postgres-process.js';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export async function initCluster(options: { initdb: string; pgDir: string; credentials: Credentials; runAs: RunAs }): Promise<void> {
  const { pgDir, runAs } = options;
  // A folder without PG_VERSION holds no cluster, only what an interrupted initdb left: start it over.
  for (const entry of await readdir(pgDir)) await rm(path.join(pgDir, entry), { recursive: true, force: true });
  const pwfile = path.join(path.dirname(pgDir), `.initdb-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${options.credentials.password}\n`, { mode: 0o600 });
  try {
    if (runAs.uid !== undefined) await chown(pwfile, runAs.uid, runAs.gid ?? -1);
    const args = ['-D', pgDir, '--username', options.credentials.user, '--pwfile', pwfile, '--auth', 'scram-sha-256'];
    args.push('--encoding', 'UTF8', '--locale', 'C', '--locale-provider', 'builtin', '--builtin-locale', 'C.UTF-8');
    const child = spawn(options.initdb, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnvironment() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`Cannot run ${options.initdb}: ${error.message}.`, { cause: error })));
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed for ${pgDir} (exit code ${code}): ${tail(output)}`);
  } finally {
    await unlink(pwfile).catch(() => undefined);
  }
}

/**
 * Spawns the postmaster on 127.0.0.1:port (no Unix socket) and resolves once it accepts the credentials.
 * `onSpawn` runs as soon as the pid is known (to start the watchdog before anything can go wrong).
 */
export async function startPostmaster(options: {
  postgres: string;
  pgDir: string;
  port: number;
  logFile: string;
  runAs: RunAs;
  credentials: Credentials;
  onSpawn(pid: number): void;
  timeoutMs?: number;
}): Promise<ChildProcess> {
  const log = await open(options.logFile, 'w', 0o644);
  const args = ['-D', options.pgDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  let child: ChildProcess;
  try {
    child = spawn(options.postgres, args, {
      ...options.runAs,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: postgresEnvironment(),
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`Cannot run ${options.postgres}: ${error.message}.`, { cause: error })));
    });
  } finally {
    await log.close();
  }
  child.unref();
  const pid = child.pid!;
  options.onSpawn(pid);
  let exited: string | null = null;
  const exit = new Promise<null>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? `exit code ${code}`;
      resolve(null);
    }),
  );
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    // Raced with the exit: a port taken by something that never answers must not stall us until the connect timeout.
    const answer = (await Promise.race([pingPostgres({ port: options.port, credentials: options.credentials, database: 'postgres' }), exit])) ?? new Error('exited');
    // Another server already on that port may answer before ours gives up: only ours counts.
    if (!(answer instanceof Error) && answer.dataDirectory === options.pgDir) return child;
    const code = answer instanceof Error ? (answer as { code?: string }).code : undefined;
    const rejected = code === '28P01' || code === '28000';
    if (rejected || !(answer instanceof Error)) await sleep(300);
    if (exited) {
      const output = await readFile(options.logFile, 'utf8').catch(() => '');
      if (/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(output)) {
        throw new PortInUseError(`Port ${options.port} on 127.0.0.1 is already in use; choose another port or stop what listens there.`);
      }
      throw new Error(`PostgreSQL exited while starting (${exited}); ${options.logFile} says: ${tail(output)}`);
    }
    if (rejected || Date.now() > deadline) {
      await stopPostmaster(pid, { graceMs: 5_000 });
      throw rejected
        ? new Error(`PostgreSQL in ${options.pgDir} rejected the password in postgres.json beside it; restore that file or delete the postgres/ folder to start an empty database.`)
        : new Error(`PostgreSQL in ${options.pgDir} did not accept connections within ${options.timeoutMs ?? 30_000} ms; see ${options.logFile}.`);
    }
    // A refused connection costs next to nothing: ask often, the server is usually up within ~300 ms.
    await sleep(20);
  }
}

/** Connects and asks for the server's data directory (which tells our server from another on that port), or the error. */
export async function pingPostgres(options: { port: number; credentials: Credentials; database: string }): Promise<{ dataDirectory: string } | Error> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: options.port,
    user: options.credentials.user,
    password: options.credentials.password,
    database: options.database,
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    return { dataDirectory: result.rows[0]?.dir ?? '' };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function ensureDatabase(options: { port: number; credentials: Credentials; database: string }): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: options.port, user: options.credentials.user, password: options.credentials.password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(options.database)}`);
  } finally {
    await client.end();
  }
}

function tail(output: string): string {
  return output.trim().split('\n').filter(Boolean).slice(-5).join(' | ') || '(no output)';
}
