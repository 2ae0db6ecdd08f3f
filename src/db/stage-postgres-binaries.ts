/**
 * When we run as root and the "postgres" OS user cannot reach the binaries (a clone in /root), a copy of
 * the binary package's native dir (bin, lib with its symlinks, share: postgres finds lib and share
 * relative to bin) is staged where it can: `<shared state dir>/postgres-<version>-<hash>`. Hard links
 * when on the same filesystem, else copies. Concurrent starters (parallel tests) each build a temp
 * sibling and rename it into place, so nobody sees half a copy; the first rename wins and the others
 * use it. The hash covers what tells installs apart, not where they are, so clones share one copy.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import { closedFolder, type RunAs } from './postgres-os-user.js';
import { sharedStateDir } from './shared-state-dir.js';

/** A temp sibling older than this was left by a starter that died while copying. */
const ABANDONED_MS = 60 * 60_000;

/** `binaries`, or a staged copy of them when `runAs` (the postgres user) cannot reach them. */
export async function reachablePostgresBinaries(binaries: PostgresBinaries, runAs: RunAs, log: Logger): Promise<PostgresBinaries> {
  const binDir = path.dirname(binaries.postgres);
  const closed = await closedFolder(binDir, runAs);
  if (!closed) return binaries;
  const { dir } = await sharedStateDir(runAs);
  const staged = await stageNativeDir(path.dirname(binDir), dir, log.child({ closedFolder: closed }));
  const stagedBin = path.join(staged, path.basename(binDir));
  return { initdb: path.join(stagedBin, path.basename(binaries.initdb)), postgres: path.join(stagedBin, path.basename(binaries.postgres)) };
}

/** Stages `nativeDir` under `root` (reusing a complete copy) and returns the copy's path. */
export async function stageNativeDir(nativeDir: string, root: string, log: Logger): Promise<string> {
  const target = path.join(root, `postgres-${await packageVersion(nativeDir)}-${await installHash(nativeDir)}`);
  if (isComplete(target)) return target;
  await mkdir(root, { recursive: true, mode: 0o755 });
  await removeAbandoned(root);
  const temp = path.join(root, `.${path.basename(target)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    const linked = await cloneTree(nativeDir, temp, { link: true });
    await chmod(temp, 0o755);
    await rename(temp, target).catch((error: NodeJS.ErrnoException) => {
      // Another starter renamed its copy first: use that one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    if (!isComplete(target)) throw new Error(`${target} lacks bin/postgres or bin/initdb after staging`);
    log.info({ from: nativeDir, to: target, linked }, 'staged the PostgreSQL binaries where the "postgres" OS user can reach them');
    return target;
  } catch (error) {
    throw new Error(`Cannot stage the PostgreSQL binaries of ${nativeDir} in ${root}: ${(error as Error).message}; free some space there or set DATABASE_URL.`, {
      cause: error,
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function isComplete(dir: string): boolean {
  return existsSync(path.join(dir, 'bin', 'postgres')) && existsSync(path.join(dir, 'bin', 'initdb'));
}

async function packageVersion(nativeDir: string): Promise<string> {
  const text = await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8').catch(() => null);
  const version = text === null ? undefined : (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' && /^[\w.+-]+$/.test(version) ? version : 'unversioned';
}

/** Names and sizes of the executables plus the library names: cheap, and different whenever the build is. */
async function installHash(nativeDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(path.join(nativeDir, 'bin'))).sort()) {
    hash.update(`bin/${name}:${(await stat(path.join(nativeDir, 'bin', name))).size}\n`);
  }
  for (const name of (await readdir(path.join(nativeDir, 'lib')).catch(() => [])).sort()) hash.update(`lib/${name}\n`);
  return hash.digest('hex').slice(0, 8);
}

/**
 * Copies `from` to `to`: folders as folders, symlinks as symlinks (lib's .so names), files hard-linked
 * while possible. A file that others may not read is copied instead and opened up, as a link shares its mode.
 * Returns whether anything was linked.
 */
async function cloneTree(from: string, to: string, state: { link: boolean }): Promise<boolean> {
  await mkdir(to, { mode: 0o755 });
  let linked = false;
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(to, entry.name);
    if (entry.isDirectory()) {
      linked = (await cloneTree(source, destination, state)) || linked;
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(source), destination);
    } else if (entry.isFile()) {
      const { mode } = await lstat(source);
      const open = mode & 0o100 ? 0o055 : 0o044;
      if (state.link && (mode & open) === open) {
        try {
          await link(source, destination);
          linked = true;
          continue;
        } catch (error) {
          // Another filesystem (or links not allowed): copy this and every later file.
          if ((error as NodeJS.ErrnoException).code !== 'EXDEV' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
          state.link = false;
        }
      }
      await copyFile(source, destination);
      await chmod(destination, (mode & 0o777) | open);
    }
  }
  await chmod(to, 0o755);
  return linked;
}

/** Removes temp siblings left by starters that died while copying (best effort). */
async function removeAbandoned(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [])) {
    if (!/^\.postgres-.*\.tmp-/.test(name)) continue;
    const info = await lstat(path.join(root, name)).catch(() => null);
    if (info && Date.now() - info.mtimeMs > ABANDONED_MS) await rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
