import { lstat, mkdtemp, readdir, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresBinaries } from '../../src/db/postgres-binaries.js';
import { stageNativeDir } from '../../src/db/stage-postgres-binaries.js';
import { silentLogger } from '../../src/logger.js';

describe('stageNativeDir', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('gives concurrent stagers one complete copy, hard-linked, with lib symlinks kept as symlinks', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-stage-'));
    dirs.push(root);
    const nativeDir = path.dirname(path.dirname((await findPostgresBinaries()).postgres));

    const staged = await Promise.all([1, 2, 3, 4].map(() => stageNativeDir(nativeDir, root, silentLogger())));

    expect(new Set(staged).size).toBe(1);
    const target = staged[0]!;
    expect(path.basename(target)).toMatch(/^postgres-[\w.+-]+-[0-9a-f]{8}$/);
    // No temp sibling left behind, only the copy.
    expect(await readdir(root)).toEqual([path.basename(target)]);
    expect((await stat(target)).mode & 0o777).toBe(0o755);
    const [original, copy] = await Promise.all([stat(path.join(nativeDir, 'bin', 'postgres')), stat(path.join(target, 'bin', 'postgres'))]);
    expect(copy.ino).toBe(original.ino);
    expect((await lstat(path.join(target, 'lib', 'libpq.so'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(target, 'lib', 'libpq.so'))).toBe(await readlink(path.join(nativeDir, 'lib', 'libpq.so')));
    expect(await readdir(path.join(target, 'share'))).toEqual(await readdir(path.join(nativeDir, 'share')));

    // Present and complete: reused as it is.
    expect(await stageNativeDir(nativeDir, root, silentLogger())).toBe(target);
  });
});
