/**
 * A data dir (ISSUE_SYNC_DATA_DIR) that cannot hold files ends start-up at once, with exit code 2
 * and one line naming the variable and the path: under /proc, Node's recursive mkdir used to retry
 * forever, so `serve` and `migrate` spun instead of exiting.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Each run must end well within this; the spin it guards against never ends. */
const BOUND_MS = 15_000;

let scratch: string;
let file: string;
let database: TestDatabase;

beforeAll(async () => {
  [scratch, database] = await Promise.all([mkdtemp(join(tmpdir(), 'issue-sync-bad-data-dir-')), createTestDatabase()]);
  file = join(scratch, 'a-file');
  await writeFile(file, 'not a folder\n');
});
afterAll(async () => {
  await database?.drop();
  if (scratch) {
    await chmod(join(scratch, 'read-only'), 0o755).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
});

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

async function run(command: string, env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', command], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  return { code, stderr, ms: Date.now() - started };
}

function expectOneLineNaming(result: Run, dataDir: string, why: RegExp): void {
  expect(result.ms, result.stderr).toBeLessThan(BOUND_MS);
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`ISSUE_SYNC_DATA_DIR=${dataDir} cannot be used`);
  expect(lines[0]).toMatch(why);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('an unusable ISSUE_SYNC_DATA_DIR', () => {
  const cases = (): Array<{ name: string; dataDir: string; why: RegExp }> => [
    { name: 'a new folder under /proc', dataDir: '/proc/issue-sync-data', why: /cannot create \/proc\/issue-sync-data/ },
    { name: '/proc itself', dataDir: '/proc', why: /cannot write files in \/proc/ },
    { name: 'a regular file', dataDir: file, why: new RegExp(`${file} is a file, not a folder`) },
    { name: 'a path under a regular file', dataDir: join(file, 'data'), why: new RegExp(`${file} is a file, not a folder`) },
  ];

  it('ends `migrate` on the embedded database with exit 2 and one line', async () => {
    const results = await Promise.all(cases().map(async (each) => ({ each, result: await run('migrate', { ISSUE_SYNC_DATA_DIR: each.dataDir }) })));
    for (const { each, result } of results) {
      expect.soft(() => expectOneLineNaming(result, each.dataDir, each.why), each.name).not.toThrow();
    }
  }, 4 * BOUND_MS);

  it('ends `serve` with exit 2 and one line', async () => {
    const dataDir = '/proc/issue-sync-data';
    expectOneLineNaming(await run('serve', { ISSUE_SYNC_DATA_DIR: dataDir }), dataDir, /cannot create/);
  }, 2 * BOUND_MS);

  it('ends `serve` on DATABASE_URL when the generated encryption key has nowhere to go', async () => {
    const dataDir = join(file, 'data');
    expectOneLineNaming(await run('serve', { ISSUE_SYNC_DATA_DIR: dataDir, DATABASE_URL: database.url }), dataDir, /is a file, not a folder/);
  }, 2 * BOUND_MS);

  // Root writes into a read-only folder regardless of its mode bits.
  it.skipIf(process.getuid?.() === 0)('ends `migrate` when the folder is read-only to this user', async () => {
    const dataDir = join(scratch, 'read-only');
    await mkdir(dataDir, { mode: 0o555 });
    expectOneLineNaming(await run('migrate', { ISSUE_SYNC_DATA_DIR: dataDir }), dataDir, /permission denied/);
  }, 2 * BOUND_MS);
});
