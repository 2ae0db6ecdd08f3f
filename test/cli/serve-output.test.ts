import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  [database, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'issue-sync-serve-output-'))]);
});
afterAll(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('issue-sync serve output', () => {
  // A real process, with the log at its default level: the log and the command's lines both reach the terminal.
  it('says "GitHub App not configured" once, not once in the log and again in the output', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => output, { timeout: 30_000, interval: 50 }).toMatch(/GitHub App not configured.*\n/);
    child.kill('SIGTERM');
    await exited;
    expect(output.match(/GitHub App not configured/g)).toHaveLength(1);
  }, 40_000);
});

describe('issue-sync serve output for GitLab and Bitbucket', () => {
  it('names the webhook routes of the hosts whose secret is set, and only those', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, PORT: '0',
        GITLAB_WEBHOOK_SECRET: 'gl-secret-for-the-output-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => output, { timeout: 30_000, interval: 50 }).toMatch(/GitLab webhooks received at .*\n/);
    child.kill('SIGTERM');
    await exited;
    expect(output).toMatch(/^GitLab webhooks received at http:\/\/localhost:\d+\/api\/gitlab\/webhooks$/m);
    expect(output).not.toMatch(/Bitbucket webhooks/);
  }, 40_000);
});
