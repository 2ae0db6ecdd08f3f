/**
 * The real HTTP app for API tests: createApp with the PostgreSQL stores of a test database, the
 * service's own pg-boss sync runner (fast polling) and GitHub providers that read the loopback
 * simulator through connections holding an encrypted token. Requests go through `app.request`, as a client would send them.
 */
import type { Hono } from 'hono';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher, type TokenCipher } from '../../src/crypto/token-cipher.js';
import { createApp } from '../../src/http/app.js';
import type { ApiDeps } from '../../src/http/api-deps.js';
import { deferredTestRunner } from './sync-runner.js';
import { createRepositoryProviderOpener } from '../../src/jobs/open-repository-provider.js';
import type { SyncJobs } from '../../src/jobs/sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import type { Role } from '../../src/store/prisma-project-store.js';
import type { GitHubSimulator } from './github-simulator.js';
import type { TestDatabase } from './test-database.js';
import { createStores } from '../../src/store/create-stores.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const GITHUB_TOKEN = 'ghp_api_tests';
export const FINISHED = ['completed', 'failed', 'cancelled'];

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked with expect().
  body: any;
}

export interface RequestOptions {
  token?: string | null;
  /** A JSON value (sent with Content-Type: application/json) or raw text with `contentType`. */
  json?: unknown;
  raw?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  app: Hono;
  jobs: SyncJobs;
  cipher: TokenCipher;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  project(slug: string): Promise<{ id: string; slug: string }>;
  /** A user with `role` in the project and their API token. */
  user(projectId: string, role: Role, name?: string): Promise<string>;
  /** Connects simulator repository `owner/name` to the project with the stored (encrypted) token. */
  connect(projectId: string, fullPath: string, options?: { webhookStatus?: 'active' | 'stale' | 'inactive' }): Promise<string>;
  /** Polls the operation until it has finished. */
  waitForOperation(operationId: string, token: string): Promise<ApiResponse>;
  close(): Promise<void>;
}

export function startApiHarness(
  database: TestDatabase,
  github: GitHubSimulator,
  options: Partial<Pick<ApiDeps, 'clock' | 'inlineWaitMs' | 'inlineIssueLimit'>> = {},
): ApiHarness {
  const { db } = database;
  const log = silentLogger();
  const cipher = createTokenCipher(Buffer.alloc(32, 9));
  const stores = createStores(db);
  const openProvider = createRepositoryProviderOpener({ config: loadConfig({}), cipher, log });
  const jobs = deferredTestRunner(db, { cipher, log, openProvider });
  const app = createApp({
    log,
    checkDatabase: async () => {
      await db.pool.query('SELECT 1');
    },
    api: { db, stores, jobs, openProvider, cipher, adminToken: ADMIN_TOKEN, log, ...options },
  });

  const request: ApiHarness['request'] = async (method, path, requestOptions = {}) => {
    const headers: Record<string, string> = { ...requestOptions.headers };
    if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
    let body: string | undefined;
    if (requestOptions.json !== undefined) {
      body = JSON.stringify(requestOptions.json);
      headers['content-type'] = 'application/json';
    } else if (requestOptions.raw !== undefined) {
      body = requestOptions.raw;
    }
    if (requestOptions.contentType !== undefined) {
      if (requestOptions.contentType === null) delete headers['content-type'];
      else headers['content-type'] = requestOptions.contentType;
    }
    const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Left as text: the test's expectations show it.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

  return {
    app,
    jobs,
    cipher,
    request,
    project: (slug) => stores.projects.ensure(slug),
    async user(projectId, role, name = role) {
      return (await stores.projects.addUser(projectId, name, role)).token;
    },
    async connect(projectId, fullPath, connectOptions = {}) {
      const row = await db.prisma.repositoryConnection.create({
        data: {
          projectId,
          provider: 'github',
          fullPath,
          url: `https://github.com/${fullPath}`,
          apiUrl: github.url,
          encryptedToken: cipher.encrypt(GITHUB_TOKEN),
          webhookStatus: connectOptions.webhookStatus ?? 'inactive',
        },
      });
      return row.id;
    },
    async waitForOperation(operationId, token) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = await request('GET', `/api/sync-operations/${operationId}`, { token });
        if (answer.status !== 200 || FINISHED.includes(answer.body.status) || Date.now() > deadline) return answer;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => jobs.close(),
  };
}

/** A promise to hold a simulated request on until the test lets it go. */
export function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}
