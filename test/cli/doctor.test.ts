import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase } from '../support/test-database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;
let github: GitHubSimulator;

beforeAll(async () => {
  [database, dataDir, github] = await Promise.all([
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-doctor-')),
    startGitHubSimulator(),
  ]);
});
afterAll(async () => {
  await github?.close();
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

  it('counts repositories per webhook state and says what inactive and stale mean and what to do', async () => {
    const project = await database.db.prisma.project.create({ data: { slug: 'hooks', name: 'hooks' } });
    const connect = (name: string, webhookStatus: 'active' | 'stale' | 'inactive') =>
      database.db.prisma.repositoryConnection.create({
        data: { projectId: project.id, provider: 'github', fullPath: `octo/${name}`, url: `https://github.com/octo/${name}`, apiUrl: github.url, webhookStatus },
      });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await connect(name, 'inactive');
    const { out } = await doctor({});
    expect(out).toMatch(/^ok {4}webhooks: 5 connected repositories: 0 active, 0 stale, 5 inactive$/m);
    expect(out).toMatch(/^ {8}inactive \(5: octo\/a, octo\/b, octo\/c, octo\/d, octo\/e\): no webhook deliveries, so changes are found by a check every 300 s instead of as they happen: install the GitHub App/m);
    expect(out).not.toContain('none stale');

    await connect('quiet', 'stale');
    const stale = await doctor({});
    expect(stale.code).toBe(1);
    expect(stale.out).toMatch(/^FAIL {2}webhooks: 6 connected repositories: 0 active, 1 stale, 5 inactive$/m);
    expect(stale.out).toMatch(/^ {8}stale \(1: octo\/quiet\): .*backfill with POST \/api\/admin\/backfill \{"staleOnly":true\} or run a sync/m);
    expect(stale.out).not.toMatch(/healed/);
    await database.db.prisma.repositoryConnection.deleteMany({ where: { projectId: project.id } });
  });

  it('says where the embedded database keeps its files', async () => {
    const embeddedDir = await mkdtemp(join(tmpdir(), 'issue-sync-doctor-embedded-'));
    try {
      const { out } = await doctor({ DATABASE_URL: '', ISSUE_SYNC_DATA_DIR: embeddedDir });
      expect(out).toMatch(/^ok {4}database: PostgreSQL \d+\S* \(embedded; its files are in \/\S+\)$/m);
    } finally {
      await rm(embeddedDir, { recursive: true, force: true });
    }
  }, 60_000);
});
