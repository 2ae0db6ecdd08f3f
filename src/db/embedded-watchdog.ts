/**
 * A tiny detached Node process that stops our postmaster if this process dies without calling stop()
 * (SIGKILL, OOM, a crash that skips 'exit' handlers). It polls every 500 ms: parent gone -> SIGINT to the
 * postmaster (fast shutdown), SIGQUIT if that takes over 15 s; postmaster gone -> remove server.json if
 * it is still ours, and exit.
 */
import { spawn } from 'node:child_process';

const WATCHDOG_SCRIPT = `
const fs = require('fs');
const [parent, postmaster, serverFile] = process.argv.slice(1);
const alive = (pid) => {
  try { process.kill(Number(pid), 0); } catch (error) { if (error.code !== 'EPERM') return false; }
  try { return !/^\\d+ \\(.*\\) Z/s.test(fs.readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return true; }
};
const signal = (name) => { try { process.kill(Number(postmaster), name); } catch {} };
let signalledAt = 0;
setInterval(() => {
  const parentAlive = alive(parent);
  if (!alive(postmaster)) {
    if (!parentAlive) {
      try { if (JSON.parse(fs.readFileSync(serverFile, 'utf8')).postmasterPid === Number(postmaster)) fs.unlinkSync(serverFile); } catch {}
    }
    process.exit(0);
  }
  if (parentAlive) return;
  if (!signalledAt) { signalledAt = Date.now(); signal('SIGINT'); }
  else if (Date.now() - signalledAt > 15000) signal('SIGQUIT');
}, 500);
`;

/** Starts the watchdog for `postmasterPid` on behalf of this process; returns its pid. */
export function spawnWatchdog(postmasterPid: number, serverFile: string): number {
  const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(process.pid), String(postmasterPid), serverFile], {
    detached: true,
    stdio: 'ignore',
    // No NODE_OPTIONS: loaders (tsx, vitest) have no business in the watchdog.
    env: { PATH: process.env.PATH ?? '' },
  });
  child.on('error', () => undefined);
  child.unref();
  return child.pid ?? 0;
}
