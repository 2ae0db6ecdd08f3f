import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { APP_ID, WEBHOOK_SECRET, generateAppKey, sign } from '../support/github-app-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { pingEvent } from '../support/webhook-payloads.js';

let database: TestDatabase;
let dataDir: string;
const { privateKey } = generateAppKey();

beforeAll(async () => {
  [database, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'issue-sync-serve-'))]);
});
afterAll(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs `issue-sync serve` until `until(stdout)` holds (then stops it like SIGTERM would). */
async function serve(env: Record<string, string>, until: (stdout: string) => Promise<boolean> | boolean) {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const running = runCli(['serve'], {
    env: { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    signal: controller.signal,
  });
  let finished = false;
  void running.finally(() => (finished = true));
  const deadline = Date.now() + 15_000;
  while (!finished && !(await until(stdout))) {
    if (Date.now() > deadline) throw new Error(`serve did not get there; stdout: ${stdout} stderr: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  controller.abort();
  const code = await running;
  return { code, stdout, stderr };
}

describe('issue-sync serve', () => {
  it('says where the GitHub App receives webhooks', async () => {
    const result = await serve(
      { APP_ID, PRIVATE_KEY: privateKey, WEBHOOK_SECRET },
      (stdout) => stdout.includes('webhooks at'),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^issue-sync is running at http:\/\/localhost:\d+\/ \(PostgreSQL at .+\)$/m);
    expect(result.stdout).toMatch(new RegExp(`^GitHub App ${APP_ID} receiving webhooks at http://localhost:\\d+/api/github/webhooks$`, 'm'));
  });

  it('without the App, says which variables to set', async () => {
    const result = await serve({}, (stdout) => stdout.includes('GitHub App'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('GitHub App not configured: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET');
  });

  it('a partial App configuration stops start-up naming the missing variable', async () => {
    const result = await serve({ APP_ID, PRIVATE_KEY: privateKey }, () => false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('WEBHOOK_SECRET is not set');
  });

  it('forwards deliveries from the WEBHOOK_PROXY_URL channel to the local webhook route', async () => {
    // A stand-in for a smee.io channel on loopback: an event stream that relays one signed ping.
    const body = pingEvent();
    const deliveryId = 'f5d2c4a0-cc7a-11e3-9c1a-2f1e8d4b7a10';
    const clients: ServerResponse[] = [];
    const channel: Server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write(': ready\n\n');
      clients.push(response);
      const message = {
        'x-github-event': 'ping',
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': sign(JSON.stringify(body)),
        body,
      };
      response.write(`data: ${JSON.stringify(message)}\n\n`);
    });
    await new Promise<void>((resolve) => channel.listen(0, '127.0.0.1', resolve));
    const source = `http://127.0.0.1:${(channel.address() as AddressInfo).port}/channel`;
    try {
      const result = await serve(
        { APP_ID, PRIVATE_KEY: privateKey, WEBHOOK_SECRET, WEBHOOK_PROXY_URL: source },
        async () => (await database.db.prisma.webhookDelivery.count({ where: { deliveryId } })) === 1,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Forwarding webhooks from ${source} to http://localhost:`);
      expect(await database.db.prisma.webhookDelivery.findFirst({ where: { deliveryId } })).toMatchObject({ event: 'ping', status: 'processed' });
    } finally {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => channel.close(() => resolve()));
    }
  });
});
