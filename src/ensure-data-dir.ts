/**
 * Makes sure the data dir (ISSUE_SYNC_DATA_DIR) exists and takes files, or says in one line why not.
 *
 * Folders are created one level at a time, not with `mkdir(dir, { recursive: true })`: under /proc
 * (and other filesystems where mkdir answers ENOENT below a folder that exists) Node 20's recursive
 * mkdir retries forever, so a start-up given such a path would spin instead of failing.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './errors.js';

export async function ensureDataDir(dataDir: string): Promise<string> {
  const dir = path.resolve(dataDir);
  const problem = await whyUnusable(dir);
  if (problem) {
    throw new UsageError(
      `ISSUE_SYNC_DATA_DIR=${dataDir} cannot be used: ${problem}. Set ISSUE_SYNC_DATA_DIR to a folder this user can write (or set DATABASE_URL and ENCRYPTION_KEY).`,
    );
  }
  return dir;
}

/** Null when `dir` is a folder that takes files (created if missing), else why not. */
async function whyUnusable(dir: string): Promise<string | null> {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      // Missing, or below a file (ENOTDIR): the walk up finds which.
      if (info.code !== 'ENOENT' && info.code !== 'ENOTDIR') return describe(info, current);
    } else if (!info.isDirectory()) {
      return `${current} is a file, not a folder`;
    } else {
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) {
    const made = await mkdir(folder).catch((error: NodeJS.ErrnoException) => error);
    if (made instanceof Error && made.code !== 'EEXIST') return `cannot create ${folder} (${describe(made, folder)})`;
  }
  // Mode bits do not tell (root ignores them; a read-only mount or /proc keeps its own): try a file.
  const probe = path.join(dir, `.write-test-${process.pid}-${randomUUID()}`);
  const written = await writeFile(probe, '', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => error);
  if (written instanceof Error) return `cannot write files in ${dir} (${describe(written, dir)})`;
  await unlink(probe).catch(() => undefined);
  return null;
}

function describe(error: NodeJS.ErrnoException, where: string): string {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied`;
    case 'EROFS':
      return 'a read-only file system';
    case 'ENOTDIR':
      return `a part of ${where} is a file, not a folder`;
    case 'ENOENT':
      return 'the file system there takes no new folders or files';
    default:
      return error.code ?? error.message;
  }
}
