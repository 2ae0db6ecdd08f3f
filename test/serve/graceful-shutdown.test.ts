/**
 * `issue-sync serve` stopped by SIGTERM in the middle of a sync, as an orchestrator stops a replica:
 * it stops taking work, hands the running sync back to the queue with its checkpoint, closes the
 * queue and the database and exits 0; the next service resumes the sync to exact counts with at most
 * one page fetched twice. A second signal stops it at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { connectSimulatedRepository } from '../support/simulated-connection.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const TOKEN = 'ghp_gracefulShutdown';
const ADMIN = 'admin-token-for-the-shutdown-test-0123';
const KEY = Buffer.alloc(32, 4);
const cipher = createTokenCipher(KEY);

let github: GitHubSimulator;
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  [github, database, dataDir] = await Promise.all([
    startGitHubSimulator({ token: TOKEN }),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-shutdown-')),
  ]);
});
afterAll(async () => {
  github?.onRequest(null);
  await github?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** `issue-sync serve` in a process of its own, on the test database; resolves once it listens. */
async function serve(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, PORT: '0',
      ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: KEY.toString('base64'), LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await expect.poll(() => output, { timeout: 30_000, interval: 50 }).toMatch(/is running at (http:\/\/localhost:\d+)\//);
  const url = /is running at (http:\/\/localhost:\d+)\//.exec(output)![1]!;
  return { child, url, exited, output: () => output };
}

function connect(name: string, issues: number) {
  return connectSimulatedRepository({ db: database.db, github, cipher, token: TOKEN }, name, { issues });
}

/** Holds the answer to one page of the repository's full listing until `release()`. */
function holdPage(name: string, page: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  github.onRequest(async ({ url }) => {
    if (url.pathname === `/repos/octo/${name}/issues` && Number(url.searchParams.get('page') ?? 1) === page) await gate;
  });
  return { release };
}

const listingPages = (name: string) =>
  github.requests
    .filter((request) => request.path.startsWith(`/repos/octo/${name}/issues?`) && !request.path.includes('since=') && request.status === 200)
    .map((request) => Number(new URL(request.path, github.url).searchParams.get('page') ?? 1));

async function startSync(url: string, projectId: string, repositoryId: string): Promise<string> {
  const response = await fetch(`${url}/api/projects/${projectId}/repositories/${repositoryId}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ syncType: 'issues', includeClosed: true, confirm: true, mode: 'async' }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { operationId: string }).operationId;
}

const operation = (id: string) => database.db.prisma.syncOperation.findUniqueOrThrow({ where: { id } });

describe('serve stopped by SIGTERM', () => {
  it('hands a running sync back to the queue with its checkpoint and exits 0; the next service finishes it exactly', async () => {
    const { project, repository } = await connect('shutdown', 1000);
    const held = holdPage('shutdown', 3);
    github.clearRequests();
    const first = await serve();
    try {
      const operationId = await startSync(first.url, project.id, repository.id);
      await expect.poll(async () => ((await operation(operationId)).checkpoint as { processed?: number } | null)?.processed, {
        timeout: 30_000, interval: 50,
      }).toBe(200);

      const stopping = Date.now();
      first.child.kill('SIGTERM');
      setTimeout(() => held.release(), 300);
      expect(await first.exited).toBe(0);
      const stoppedInMs = Date.now() - stopping;
      expect(first.output()).not.toMatch(/Stopping now/);
      // Handed back: pending, its checkpoint kept, for whichever replica comes next.
      const handedBack = await operation(operationId);
      expect(handedBack).toMatchObject({ status: 'pending', jobId: expect.stringMatching(/^pgboss:[\w-]+$/) });
      expect((handedBack.checkpoint as { processed: number }).processed).toBeGreaterThanOrEqual(200);
      // Well within an orchestrator's usual grace period (30 s).
      expect(stoppedInMs).toBeLessThan(30_000);

      const next = await startService({
        config: loadConfig({ DATABASE_URL: database.url, PORT: '0', ADMIN_TOKEN: ADMIN }),
        log: silentLogger(),
        db: database.db,
        cipher,
        stores: createStores(database.db),
      });
      try {
        expect(await next.jobs.waitFor(operationId)).toMatchObject({ status: 'completed', results: { created: 1000, failed: 0 } });
      } finally {
        await next.close();
      }
      expect(await database.db.prisma.issue.count({ where: { repositoryId: repository.id } })).toBe(1000);
      const pages = listingPages('shutdown');
      expect(new Set(pages)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
      expect(pages.length).toBeLessThanOrEqual(11);
    } finally {
      held.release();
      github.onRequest(null);
      first.child.kill('SIGKILL');
    }
  }, 90_000);

  it('a second signal stops it at once', async () => {
    const { project, repository } = await connect('impatient', 500);
    holdPage('impatient', 2);
    const running = await serve();
    try {
      await startSync(running.url, project.id, repository.id);
      await expect.poll(() => github.requests.some((request) => request.path.includes('/repos/octo/impatient/issues?')), {
        timeout: 30_000, interval: 50,
      }).toBe(true);
      // Two signals at once (two of a kind could merge into one): the second comes while the first's shutdown runs.
      running.child.kill('SIGTERM');
      running.child.kill('SIGINT');
      expect(await running.exited).toBe(130);
      expect(running.output()).toMatch(/Stopping now/);
    } finally {
      github.onRequest(null);
      running.child.kill('SIGKILL');
    }
  }, 60_000);
});
