/**
 * A folder of ours that the "postgres" OS user can reach, for what cannot stay where it is when we run as
 * root: clusters of data dirs behind closed folders, and staged copies of the binaries. /var/lib/issue-sync
 * first; when /var/lib is not writable (read-only image), a folder under the temp dir, which may not
 * survive a reboot. Either must be root's and writable by root alone: anyone else able to write there
 * could swap the binaries postgres runs or read the cluster.
 */
import { constants } from 'node:fs';
import { access, chmod, lstat, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closedFolder, type RunAs } from './postgres-os-user.js';

export interface SharedStateDir {
  dir: string;
  /** True when /var/lib/issue-sync could not be used and the temp dir's folder is. */
  fallback: boolean;
}

export function sharedStateDirCandidates(): string[] {
  return ['/var/lib/issue-sync', path.join(os.tmpdir(), 'issue-sync')];
}

export async function sharedStateDir(runAs: RunAs): Promise<SharedStateDir> {
  const problems: string[] = [];
  for (const [index, dir] of sharedStateDirCandidates().entries()) {
    const problem = await prepare(dir, runAs);
    if (!problem) return { dir, fallback: index > 0 };
    problems.push(`${dir}: ${problem}`);
  }
  throw new Error(
    `PostgreSQL runs as OS user "postgres" (it refuses to run as root), which cannot reach the data dir or the binaries, and no folder it can reach could be prepared (${problems.join('; ')}); ` +
      'make /var/lib writable, set ISSUE_SYNC_DATA_DIR to a folder it can enter, run issue-sync as a non-root user, or set DATABASE_URL.',
  );
}

/** Creates `dir` (root's, 0755) if needed; returns why it cannot be used, or null. */
async function prepare(dir: string, runAs: RunAs): Promise<string | null> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const info = await lstat(dir);
    if (!info.isDirectory()) return 'not a folder';
    if (info.uid !== process.getuid?.()) return `owned by uid ${info.uid}, not by us`;
    if (info.mode & 0o022) return 'writable by others than its owner';
    if ((info.mode & 0o005) !== 0o005) await chmod(dir, 0o755);
    // An existing folder on a read-only filesystem passes all of the above.
    await access(dir, constants.W_OK);
    const closed = await closedFolder(dir, runAs);
    return closed ? `the "postgres" OS user cannot enter ${closed}` : null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
