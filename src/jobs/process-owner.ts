/**
 * Who runs an operation, recorded as its jobId: `<kind>:<host>:<pid>` (a queue job adds it after an
 * `@`, see job-ref.ts). A process on the same host can tell at once whether the owner is gone;
 * elsewhere the operation's heartbeat (or its queue job) decides.
 */
import { hostname } from 'node:os';

export function processOwnerId(kind: 'cli' | 'serve'): string {
  return `${kind}:${hostname()}:${process.pid}`;
}

/**
 * True when the owner certainly no longer runs: same host, and its process is gone. A queue job's
 * reference names its worker after an `@` (see job-ref.ts).
 */
export function isOwnerGone(jobId: string | null): boolean {
  const match = /(?:^|@)(?:cli|serve):(.+):(\d+)$/.exec(jobId ?? '');
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
