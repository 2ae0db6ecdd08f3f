/**
 * What starting costs, measured as a user meets it, each in a process of its own with the embedded
 * PostgreSQL of a data dir used for nothing else:
 *
 *   - `npm start` until /healthz answers: on a fresh data dir (initdb) and on a warm one (best of 2);
 *   - `issue-sync --help` (best of 3);
 *   - a CLI command's fixed cost: `migrate` on the warm, up-to-date data dir, start to exit (best of 3).
 *
 * The warm data dir is left for the whole-run measurement, which runs the CLI on it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmtS, timeRow, type BenchRow } from './bench-row.js';
import { spawnTimed } from './spawn-timed.js';

const START_TIMEOUT_MS = 60_000;
const FIRST_START_LIMIT_MS = 3_000;
const WARM_START_LIMIT_MS = 1_500;
const CLI_FIXED_LIMIT_MS = 1_000;

export interface StartCostOptions {
  /** The package root, where `npm start` and bin/issue-sync.js run. */
  root: string;
  /** Environment of the children, without DATABASE_URL (the embedded server is part of the cost). */
  env: NodeJS.ProcessEnv;
  /** Data dir for `npm start` (first, then warm) and the CLI; it must not exist yet. */
  dataDir: string;
  children: Set<ChildProcess>;
  say(line: string): void;
}

export async function measureStartCost(options: StartCostOptions): Promise<BenchRow[]> {
  const { say } = options;
  say('start cost: `npm start` until /healthz answers (fresh data dir, then warm), `--help`, a CLI command on a warm data dir…');
  const first = await timeServeStart(options);
  const warm = [await timeServeStart(options), await timeServeStart(options)];
  say(`  npm start → /healthz: first ${fmtS(first)} (initdb), warm ${warm.map(fmtS).join(', ')}`);

  const cli = (args: string[]) =>
    spawnTimed(process.execPath, ['bin/issue-sync.js', ...args], {
      cwd: options.root,
      env: { ...options.env, ISSUE_SYNC_DATA_DIR: options.dataDir },
      timeoutMs: START_TIMEOUT_MS,
      children: options.children,
    });
  const help: number[] = [];
  const migrate: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const shown = await cli(['--help']);
    if (shown.code !== 0) throw new Error(`issue-sync --help exited with ${shown.code}: ${shown.stderr}`);
    help.push(shown.ms);
    const run = await cli(['migrate']);
    if (run.code !== 0 || !/up to date/.test(run.stdout)) {
      throw new Error(`issue-sync migrate on the warm data dir exited with ${run.code}: ${run.stderr}${run.stdout}`);
    }
    migrate.push(run.ms);
  }
  say(`  --help ${help.map(fmtS).join(', ')}; migrate (warm, up to date) ${migrate.map(fmtS).join(', ')}`);
  const helpMs = Math.min(...help);
  return [
    timeRow('npm start → /healthz, first start (initdb)', first, FIRST_START_LIMIT_MS),
    timeRow('npm start → /healthz, warm data dir', Math.min(...warm), WARM_START_LIMIT_MS),
    { measurement: 'issue-sync --help, start to exit', value: fmtS(helpMs), target: '—', ratio: '—', pass: true, informational: true },
    timeRow('CLI fixed cost: migrate on a warm data dir, start to exit', Math.min(...migrate), CLI_FIXED_LIMIT_MS),
  ];
}

/**
 * `npm start` on a free port; the time from spawn until GET /healthz answers 200. The service is then
 * stopped with SIGTERM (to npm's whole process group) and awaited, embedded PostgreSQL included, so
 * the next start finds nothing running.
 */
async function timeServeStart(options: StartCostOptions): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: options.root,
    env: { ...options.env, ISSUE_SYNC_DATA_DIR: options.dataDir, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  options.children.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exited = false;
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      exited = true;
      resolve();
    }),
  );
  try {
    for (;;) {
      if (exited) throw new Error(`npm start exited before /healthz answered:\n${output}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`/healthz did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      await sleep(10);
    }
  } finally {
    // npm does not pass SIGTERM on to the script it runs, and a second one (from npm, with the group's)
    // would make the service skip its graceful stop: the service's own process gets exactly one.
    const service = groupMembers(child.pid!).filter((pid) => commandLine(pid).includes('issue-sync.js'));
    for (const pid of service.length > 0 ? service : [-child.pid!]) signal(pid, 'SIGTERM');
    await Promise.race([closed, sleep(30_000)]);
    if (!(await groupGone(child.pid!, 30_000))) signal(-child.pid!, 'SIGKILL');
    options.children.delete(child);
  }
}

/** Pids of the processes in process group `pgid` (Linux /proc; empty elsewhere). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // Fields after the command name, which is in parentheses and may hold spaces: state, ppid, pgrp.
    const stat = readSafe(`/proc/${entry}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

function commandLine(pid: number): string {
  return readSafe(`/proc/${pid}/cmdline`).split('\0').join(' ');
}

function readSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Waits until no process of the group `pgid` is left (npm may exit before the node it started). */
async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
