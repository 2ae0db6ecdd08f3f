/**
 * An answer sent before the request's body was read (413 for an oversized body, 401 for a delivery
 * without a valid signature) leaves the connection usable: on one keep-alive connection to the real
 * service, every following request is answered.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ADMIN_TOKEN = 'admin-token-keep-alive-0123456789';
const MB = 1024 * 1024;

let database: TestDatabase;
let service: RunningService;

beforeAll(async () => {
  database = await createTestDatabase();
  service = await startService({
    config: loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      ADMIN_TOKEN,
      APP_ID: '4242',
      PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
      WEBHOOK_SECRET: 'github-hook-secret-keep-alive',
      GITLAB_WEBHOOK_SECRET: 'gitlab-hook-secret-keep-alive',
      BITBUCKET_WEBHOOK_SECRET: 'bitbucket-hook-secret-keep-alive',
    }),
    log: silentLogger(),
    db: database.db,
    cipher: createTokenCipher(Buffer.alloc(32, 3)),
    stores: createStores(database.db),
  });
});

afterAll(async () => {
  await service?.close();
  await database?.drop();
});

interface Answer {
  status: number | 'socket error';
  error?: string;
  body?: string;
  /** The client's port of the connection that carried it. */
  localPort?: number;
}

function send(agent: http.Agent, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: service.port,
        method,
        path,
        agent,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) },
      },
      (response) => {
        let text = '';
        const localPort = response.socket.localPort!;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: text, localPort }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 'socket error', error: `${error.code}: ${error.message}` }));
    request.end(body);
  });
}

const EARLY_ANSWERS: { route: string; size: number; status: number; headers: Record<string, string> }[] = [
  // The sync route refuses more than 1 MB, on Content-Length alone.
  { route: 'POST /api/projects/demo/repositories/octo%2Fhello/sync', size: 3 * MB, status: 413, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
  // The webhook routes refuse a delivery without a valid signature before reading its body...
  { route: 'POST /api/github/webhooks', size: 3 * MB, status: 401, headers: { 'x-github-delivery': 'd-1', 'x-github-event': 'issues' } },
  { route: 'POST /api/gitlab/webhooks', size: 3 * MB, status: 401, headers: { 'x-gitlab-token': 'wrong' } },
  { route: 'POST /api/bitbucket/webhooks', size: 3 * MB, status: 401, headers: { 'x-hub-signature': `sha256=${'0'.repeat(64)}` } },
  // ...and a body over their limit (5 MB for GitLab and Bitbucket, 25 MB for GitHub).
  { route: 'POST /api/gitlab/webhooks', size: 6 * MB, status: 413, headers: {} },
  { route: 'POST /api/bitbucket/webhooks', size: 6 * MB, status: 413, headers: {} },
  { route: 'POST /api/github/webhooks', size: 26 * MB, status: 413, headers: {} },
];

describe('a request after an early answer on the same keep-alive connection', () => {
  it.each(EARLY_ANSWERS)('$route with $size bytes answers $status, then three small requests are answered on that connection', async ({ route, size, status, headers }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const [method, path] = route.split(' ') as [string, string];
      const first = await send(agent, method, path, Buffer.alloc(size, 'a'), headers);
      expect(first.status, first.error).toBe(status);
      expect(JSON.parse(first.body!)).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      const next = [];
      for (let i = 0; i < 3; i++) next.push(await send(agent, 'GET', '/healthz'));
      expect(next.map((answer) => answer.status)).toEqual([200, 200, 200]);
      // One connection carried all of them: nothing was cut and reopened behind the client's back.
      expect(new Set([first, ...next].map((answer) => answer.localPort)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('a body declared over 64 MB is answered 413 with Connection: close, and the connection is closed', async () => {
    const socket = createConnection({ host: '127.0.0.1', port: service.port });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /api/projects/demo/repositories/octo%2Fhello/sync HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${70 * MB}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(MB, 'a'));
    await closed;
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('a raw connection that sends an oversized body and then a request right behind it gets both answers', async () => {
    const socket = createConnection({ host: '127.0.0.1', port: service.port });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    const body = Buffer.alloc(3 * MB, 'a');
    socket.write(
      `POST /api/projects/demo/repositories/octo%2Fhello/sync HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await closed;
    const text = Buffer.concat(received).toString('utf8');
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200', 'HTTP/1.1 200']);
  });
});
