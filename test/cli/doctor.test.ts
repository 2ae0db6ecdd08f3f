import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { createTestDatabase } from '../support/test-database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;

beforeAll(async () => {
  [database, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'issue-sync-doctor-'))]);
});
afterAll(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function doctor(env: Record<string, string>) {
  const stdout: string[] = [];
  const code = await runCli(['doctor'], {
    env: { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    stdout: { write: (chunk: string) => stdout.push(chunk) },
    stderr: { write: () => true },
  });
  return { code, out: stdout.join('') };
}

describe('issue-sync doctor', () => {
  it('reports every check as fine on a migrated database without the GitHub App', async () => {
    const { code, out } = await doctor({});
    expect(code).toBe(0);
    expect(out).toMatch(/^ok {4}database: PostgreSQL \d+/m);
    expect(out).toMatch(/^ok {4}migrations: up to date/m);
    expect(out).toMatch(/^ok {4}GitHub App: not configured/m);
    expect(out).toContain('Everything looks right.');
  });

  it('names what is missing from a half-configured GitHub App, and a GitHub host it cannot reach', async () => {
    const { code, out } = await doctor({ APP_ID: '123', GITHUB_API_URL: 'http://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}GitHub App: set all of APP_ID, PRIVATE_KEY \(or PRIVATE_KEY_PATH\) and WEBHOOK_SECRET/m);
    expect(out).toMatch(/^FAIL {2}host http:\/\/127\.0\.0\.1:1: unreachable/m);
    expect(out).toContain('2 problem(s) found.');
  });

  it('says so when the database cannot be reached', async () => {
    const { code, out } = await doctor({ DATABASE_URL: 'postgresql://nobody:nothing@127.0.0.1:1/none' });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}database: /m);
  });
});
