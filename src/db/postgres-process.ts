/**
 * Signals and liveness checks for postmaster processes, ours or left over from a crashed run.
 * A zombie (exited, not yet reaped by its new parent) counts as gone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresEnvironment } from './postgres-environment.js';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The command line of a process, or null when it is gone or unreadable. */
export function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || null;
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', env: postgresEnvironment() }).trim() || null;
    } catch {
      return null;
    }
  }
}

/**
 * Stops a postmaster: SIGINT (fast shutdown: disconnects clients, checkpoints), then SIGQUIT (immediate)
 * and SIGKILL if it hangs. Resolves once the process is gone.
 */
export async function stopPostmaster(pid: number, options: { graceMs?: number } = {}): Promise<void> {
  const grace = options.graceMs ?? 15_000;
  for (const [signal, waitMs] of [['SIGINT', grace], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    if (!isProcessAlive(pid)) return;
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitForExit(pid, waitMs)) return;
  }
  throw new Error(`PostgreSQL (pid ${pid}) did not exit after SIGINT, SIGQUIT and SIGKILL; stop it by hand.`);
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** The pid of the postmaster running on `pgDir` per its postmaster.pid, or null when none runs there. */
export async function runningPostmaster(pgDir: string): Promise<number | null> {
  const text = await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return pid > 0 && isProcessAlive(pid) && processCommandLine(pid)?.includes(pgDir) ? pid : null;
}
