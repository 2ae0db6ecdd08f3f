/**
 * A webhook secret rotated on one side at a time loses nothing: with WEBHOOK_SECRET,
 * GITLAB_WEBHOOK_SECRET and BITBUCKET_WEBHOOK_SECRET holding `old,new`, the real service accepts a
 * delivery signed with either, refuses any other, and logs which one matched by position, never by value.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createLogger } from '../../src/logger.js';
import { secretValues } from '../../src/secret-values.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { pingEvent } from '../support/webhook-payloads.js';

const SECRETS = {
  github: ['github-old-secret-0123456789', 'github-new-secret-9876543210'],
  gitlab: ['gitlab-old-secret-0123456789', 'gitlab-new-secret-9876543210'],
  bitbucket: ['bitbucket-old-secret-0123456789', 'bitbucket-new-secret-9876543210'],
};
const ENV = {
  APP_ID: '4242',
  PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
  // Spaces around the comma are forgiven.
  WEBHOOK_SECRET: `${SECRETS.github[0]}, ${SECRETS.github[1]}`,
  GITLAB_WEBHOOK_SECRET: SECRETS.gitlab.join(','),
  BITBUCKET_WEBHOOK_SECRET: SECRETS.bitbucket.join(','),
};

let database: TestDatabase;
let service: RunningService;
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { DATABASE_URL: database.url, PORT: '0', ...ENV };
  const log = createLogger({ level: 'debug', secrets: secretValues(env) }, {
    write: (line: string) => {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  service = await startService({
    config: loadConfig(env),
    log,
    db: database.db,
    cipher: createTokenCipher(Buffer.alloc(32, 4)),
    stores: createStores(database.db),
  });
});

afterAll(async () => {
  await service?.close();
  await database?.drop();
});

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

const deliver = {
  github: (secret: string, id: string) => {
    const body = JSON.stringify(pingEvent());
    return fetch(`${service.url}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-delivery': id, 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` },
      body,
    });
  },
  gitlab: (secret: string, id: string) =>
    fetch(`${service.url}/api/gitlab/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': secret, 'x-gitlab-event': 'Push Hook', 'idempotency-key': id },
      body: JSON.stringify({ object_kind: 'push' }),
    }),
  bitbucket: (secret: string, id: string) => {
    const body = JSON.stringify({ repository: { full_name: 'ws/repo' } });
    return fetch(`${service.url}/api/bitbucket/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-event-key': 'repo:updated', 'x-request-uuid': id, 'x-hub-signature': `sha256=${hmac(secret, body)}` },
      body,
    });
  },
};

describe.each(['github', 'gitlab', 'bitbucket'] as const)('%s webhook secret rotation', (host) => {
  it('accepts a delivery signed with the old secret and one with the new, and logs which one matched by position', async () => {
    const [oldSecret, newSecret] = SECRETS[host];
    const before = lines.length;
    const old = await deliver[host](oldSecret!, `${host}-rotation-old`);
    const fresh = await deliver[host](newSecret!, `${host}-rotation-new`);
    expect([old.status, fresh.status]).toEqual([200, 200]);
    const matched = lines.slice(before).filter((line) => line.msg === 'webhook secret matched');
    expect(matched.map((line) => [line.deliveryId, line.signedWith])).toEqual([
      [`${host}-rotation-old`, 'secret 1 of 2'],
      [`${host}-rotation-new`, 'secret 2 of 2'],
    ]);
  });

  it('refuses a delivery signed with neither', async () => {
    const refused = await deliver[host]('a-third-secret-not-configured', `${host}-rotation-wrong`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: expect.stringMatching(/^invalid_/), message: expect.any(String) });
  });
});

describe('the log of the rotation', () => {
  it('holds no secret value', () => {
    expect(raw.length).toBeGreaterThan(0);
    const values = Object.values(SECRETS).flat();
    expect(raw.filter((line) => values.some((value) => line.includes(value)))).toEqual([]);
  });
});
