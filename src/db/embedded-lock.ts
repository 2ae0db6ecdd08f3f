/**
 * A lock file that serializes processes starting or reusing the embedded PostgreSQL of one data dir, so two
 * `issue-sync` commands launched together don't both run initdb or start a second postmaster. The file holds
 * the holder's pid; a lock whose holder is dead is stale and taken over.
 */
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { isProcessAlive } from './postgres-process.js';

export async function withEmbeddedLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  options: { log: Logger; timeoutMs?: number },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let waitingLogged = false;
  for (;;) {
    const acquired = await tryAcquire(lockFile);
    if (acquired) break;
    const content = await readFile(lockFile, 'utf8').catch(() => null);
    if (content === null) continue; // released meanwhile
    const holder = Number.parseInt(content, 10);
    if (!(holder > 0) || !isProcessAlive(holder)) {
      // Left by a process that crashed while starting: remove it and race for the lock again.
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Process ${holder} has held ${lockFile} for too long while starting embedded PostgreSQL; if it is stuck, stop it (or delete the file) and retry.`,
      );
    }
    if (!waitingLogged) {
      options.log.info({ lockFile, holder }, 'waiting for another process starting embedded PostgreSQL');
      waitingLogged = true;
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

/** Writes our pid to a temp file and hard-links it into place, so nobody ever reads a half-written lock. */
async function tryAcquire(lockFile: string): Promise<boolean> {
  const temp = `${lockFile}.${process.pid}`;
  try {
    await writeFile(temp, String(process.pid), { mode: 0o644 });
    await link(temp, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`Cannot create ${lockFile}; make the data dir writable by this user.`, { cause: error });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
