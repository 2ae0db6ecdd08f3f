/**
 * A newcomer's first `npm start`: with no ADMIN_TOKEN and no API token yet, `serve` makes a first
 * admin and prints its token once, and that token signs in to the dashboard. The next start prints
 * none, and neither does a service given ADMIN_TOKEN.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  [database, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'issue-sync-first-sign-in-'))]);
});
afterAll(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs `serve` until it has printed its address (and what follows it), then stops it; returns the output. */
async function serveOnce(
  extraEnv: Record<string, string> = {},
  whileRunning?: (url: string, output: string) => Promise<void>,
): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, PORT: '0', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    // The GitHub App line comes after the first sign-in's lines.
    await expect.poll(() => output, { timeout: 30_000, interval: 50 }).toMatch(/GitHub App not configured/);
    const url = /is running at (http:\/\/localhost:\d+)\//.exec(output)![1]!;
    await whileRunning?.(url, output);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return output;
}

describe('the first sign-in', () => {
  it('is printed once on a new installation, signs in to the dashboard, and is not logged', async () => {
    let signedIn: Response | null = null;
    const first = await serveOnce({}, async (url, output) => {
      const token = /with this token \(shown this once, not logged\):\n {2}(isk_\S+)\n/.exec(output)?.[1];
      expect(token).toBeDefined();
      signedIn = await fetch(`${url}/dashboard/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
        body: new URLSearchParams({ token: token! }).toString(),
      });
    });
    expect(first).toMatch(/It is an admin of project "default"/);
    expect(signedIn!.status).toBe(303);
    expect(signedIn!.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    // Only the terminal line holds it: no log line does.
    const token = /\n {2}(isk_\S+)\n/.exec(first)![1]!;
    expect(first.split('\n').filter((line) => line.includes(token))).toEqual([`  ${token}`]);

    const second = await serveOnce();
    expect(second).not.toMatch(/isk_/);
    expect(second).not.toMatch(/first admin/);
  }, 90_000);

  it('is not made when ADMIN_TOKEN is set', async () => {
    await database.db.pool.query('UPDATE "ApiToken" SET "revokedAt" = now()');
    const output = await serveOnce({ ADMIN_TOKEN: 'admin-token-for-the-first-sign-in-test' });
    expect(output).not.toMatch(/first admin/);
  }, 60_000);
});
