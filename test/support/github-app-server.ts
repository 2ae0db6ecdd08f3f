/**
 * The real service for GitHub App tests: `startService` (Hono on a free port, the Probot app, the
 * pg-boss sync jobs) on a test database, with GITHUB_API_URL pointing at the loopback GitHub
 * simulator for listings. Only the installation token endpoint, which the simulator does not have,
 * is mocked with nock; its reply checks the App's JWT (RS256, issued by APP_ID) with the public key.
 *
 *   const server = await startGitHubAppServer();
 *   server.expectInstallationToken(957387);
 *   await server.deliver('installation', payload);
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import type { OperationRecord } from '../../src/store/issue-store.js';
import { toOperationRecord } from '../../src/store/prisma-operation-store.js';
import { startGitHubSimulator, type GitHubSimulator } from './github-simulator.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { INSTALLATION_ID, installationEvent, type RepositoryFixture } from './webhook-payloads.js';
import { createStores } from '../../src/store/create-stores.js';

export const APP_ID = '4242';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests';
export const INSTALLATION_TOKEN = 'ghs_installationTokenForTests';

export interface Delivery {
  status: number;
  body: Record<string, unknown>;
}

export interface DeliverOptions {
  deliveryId?: string;
  /** A signature to send instead of the right one; null sends none. */
  signature?: string | null;
  /** The raw body to send instead of `JSON.stringify(payload)`. */
  body?: string;
  headers?: Record<string, string>;
}

export interface GitHubAppServer {
  url: string;
  service: RunningService;
  database: TestDatabase;
  github: GitHubSimulator;
  /** Answers one installation token request for this installation (the scope must be used up). */
  expectInstallationToken(githubInstallationId: number): nock.Scope;
  deliver(event: string, payload: unknown, options?: DeliverOptions): Promise<Delivery>;
  /** Installs the App on these repositories and waits for their backfills; returns the operations. */
  install(repositories: RepositoryFixture[]): Promise<OperationRecord[]>;
  /** Waits until every operation of the database has finished and returns them all. */
  settledOperations(expected: number, timeoutMs?: number): Promise<OperationRecord[]>;
  close(): Promise<void>;
}

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A throwaway App key: PKCS#1 PEM as GitHub generates it, and its public half. */
export function generateAppKey(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** True when `authorization` is `bearer <JWT>` signed by the key with `iss` = APP_ID. */
export function isAppJwt(authorization: string | undefined, publicKey: string): boolean {
  const match = /^bearer (.+)\.(.+)\.(.+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const [, header, claims, signature] = match;
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${claims}`),
    createPublicKey(publicKey),
    Buffer.from(signature!, 'base64url'),
  );
  const { iss } = JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) as { iss?: unknown };
  return signed && String(iss) === APP_ID;
}

export async function startGitHubAppServer(
  options: { env?: Record<string, string> } = {},
): Promise<GitHubAppServer> {
  const [github, database] = await Promise.all([
    startGitHubSimulator({ token: INSTALLATION_TOKEN }),
    createTestDatabase(),
  ]);
  const { privateKey, publicKey } = generateAppKey();
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    APP_ID,
    // As a one-line .env file has it: literal "\n" escapes.
    PRIVATE_KEY: privateKey.replaceAll('\n', '\\n'),
    WEBHOOK_SECRET,
    GITHUB_API_URL: github.url,
    ...options.env,
  });
  const { db } = database;
  const service = await startService({
    config,
    log: silentLogger(),
    db,
    cipher: createTokenCipher(Buffer.alloc(32, 3)),
    stores: createStores(db),
  });
  const url = `http://127.0.0.1:${service.port}`;

  const server: GitHubAppServer = {
    url,
    service,
    database,
    github,

    expectInstallationToken(githubInstallationId) {
      return nock(github.url, { allowUnmocked: true })
        .post(`/app/installations/${githubInstallationId}/access_tokens`)
        .reply(function reply() {
          if (!isAppJwt(this.req.headers.authorization, publicKey)) {
            return [401, { message: 'A JSON web token could not be decoded' }];
          }
          return [
            201,
            {
              token: INSTALLATION_TOKEN,
              expires_at: new Date(Date.now() + 3_600_000).toISOString(),
              permissions: { metadata: 'read', issues: 'write', vulnerability_alerts: 'read' },
              repository_selection: 'selected',
            },
          ];
        });
    },

    async deliver(event, payload, deliverOptions = {}) {
      const body = deliverOptions.body ?? JSON.stringify(payload);
      const signature = deliverOptions.signature === undefined ? sign(body) : deliverOptions.signature;
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/test',
          'x-github-event': event,
          'x-github-delivery': deliverOptions.deliveryId ?? randomUUID(),
          'x-github-hook-id': '1',
          ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
          ...deliverOptions.headers,
        },
        body,
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },

    async install(repositories) {
      const token = server.expectInstallationToken(INSTALLATION_ID);
      const installed = await server.deliver('installation', installationEvent('created', { repositories }));
      expect(installed.status).toBe(200);
      const operations = await server.settledOperations(repositories.length);
      expect(token.isDone()).toBe(true);
      return operations;
    },

    async settledOperations(expected, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await db.prisma.syncOperation.findMany({ orderBy: { createdAt: 'asc' } });
        const done = rows.every((row) => !['pending', 'running'].includes(row.status));
        if (rows.length >= expected && done) return rows.map(toOperationRecord);
        if (Date.now() > deadline) {
          throw new Error(`Expected ${expected} finished operations; have ${rows.map((row) => row.status).join(', ') || 'none'}.`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    async close() {
      await service.close();
      await github.close();
      await database.drop();
    },
  };
  return server;
}

/**
 * The hooks of a test file that runs against one GitHubAppServer: no network but loopback, every
 * nock scope used up by the end of each test, everything closed at the end. `setup` runs once the
 * server is up (e.g. to keep it in a variable and install the App).
 */
export function useGitHubAppServer(setup: (server: GitHubAppServer) => Promise<void> | void): void {
  let server: GitHubAppServer | undefined;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    server = await startGitHubAppServer();
    await setup(server);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
  });
  afterAll(async () => {
    await server?.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });
}
