import { createHmac, randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createApp } from '../../src/http/app.js';
import type { SyncJobs } from '../../src/jobs/sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import type { HostWebhookDeps } from '../../src/providers/webhook-deps.js';
import { createStores } from '../../src/store/create-stores.js';
import { createWebhookDeliveryStore } from '../../src/store/prisma-webhook-delivery-store.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import {
  bitbucketPushPayload,
  startBitbucketSimulator,
  type BitbucketSimulator,
  type SimulatedBitbucketRepository,
} from '../support/bitbucket-simulator.js';
import { fastProviderOpener, startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase } from '../support/test-database.js';

const SECRET = 'bb-hook-secret-2026';
const OLD_SECRET = 'bb-hook-secret-2025';
const TOKEN = 'ATCTT3xFfGN0repoAccessToken';
const cipher = createTokenCipher(Buffer.alloc(32, 5));
const log = silentLogger();

let bitbucket: BitbucketSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let jobs: SyncJobs;

beforeAll(async () => {
  [bitbucket, database] = await Promise.all([startBitbucketSimulator({ accessToken: TOKEN }), createTestDatabase()]);
  jobs = await startTestRunner(database.db, { cipher, log });
});
afterAll(async () => {
  await jobs?.close();
  await bitbucket?.close();
  await database?.drop();
});

function appWith(secrets: readonly string[]): Hono {
  const { db } = database;
  const deps: HostWebhookDeps = {
    db,
    stores: createStores(db),
    deliveries: createWebhookDeliveryStore(db),
    health: createWebhookHealthStore(db),
    jobs,
    cipher,
    secrets,
    apiUrl: bitbucket.url,
    openProvider: fastProviderOpener(cipher, log),
    log,
    clock: () => new Date(),
  };
  return createApp({ log, checkDatabase: async () => undefined, hostWebhooks: () => deps });
}

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function deliver(
  app: Hono,
  payload: unknown,
  options: { event?: string; uuid?: string; signature?: string | null; secret?: string; raw?: string } = {},
) {
  const body = options.raw ?? JSON.stringify(payload);
  const signature = options.signature === undefined ? sign(body, options.secret) : options.signature;
  const response = await app.request('/api/bitbucket/webhooks', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-event-key': options.event ?? 'repo:push',
      'x-request-uuid': options.uuid ?? randomUUID(),
      'x-hook-uuid': '{b6f0d5a1-0000-4000-8000-00000000beef}',
      'x-attempt-number': '1',
      ...(signature !== null ? { 'x-hub-signature': signature } : {}),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function connect(name: string): Promise<{ repo: SimulatedBitbucketRepository; repositoryId: string; projectId: string }> {
  const repo = bitbucket.repo('acme', name);
  repo.securityReport('snyk', 2);
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: name, name } });
  const connection = await prisma.repositoryConnection.create({
    data: {
      projectId: project.id, provider: 'bitbucket', fullPath: `acme/${name}`, url: repo.htmlUrl,
      apiUrl: bitbucket.url, encryptedToken: cipher.encrypt(TOKEN),
    },
  });
  return { repo, repositoryId: connection.id, projectId: project.id };
}

const operationsOf = (repositoryId: string) =>
  database.db.prisma.syncOperation.findMany({ where: { repositoryId }, orderBy: { createdAt: 'asc' } });

describe('POST /api/bitbucket/webhooks', () => {
  it('queues and runs one security sync of the repository for a signed push to its main branch', async () => {
    const { repo, repositoryId, projectId } = await connect('pushed');
    const app = appWith([OLD_SECRET, SECRET]);
    const answer = await deliver(app, bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash }));
    expect(answer).toMatchObject({ status: 202, body: { status: 'queued', operationIds: [expect.any(String)] } });

    const operationId = (answer.body.operationIds as string[])[0]!;
    const finished = await jobs.waitFor(operationId);
    expect(finished).toMatchObject({ status: 'completed', syncType: 'security', trigger: 'webhook', results: { created: 2 } });
    expect(await operationsOf(repositoryId)).toHaveLength(1);
    expect(await database.db.prisma.issue.count({ where: { projectId, kind: 'security_alert' } })).toBe(2);
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    expect(connection).toMatchObject({ webhookStatus: 'active', lastWebhookAt: expect.any(Date) });
  });

  it('queues a sync for every project that connected the repository', async () => {
    const { repo, repositoryId } = await connect('shared');
    const { prisma } = database.db;
    const other = await prisma.project.create({ data: { slug: 'shared-too', name: 'shared too' } });
    const second = await prisma.repositoryConnection.create({
      data: {
        projectId: other.id, provider: 'bitbucket', fullPath: 'acme/shared', url: repo.htmlUrl,
        apiUrl: bitbucket.url, encryptedToken: cipher.encrypt(TOKEN),
      },
    });
    const answer = await deliver(appWith([SECRET]), bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash }));
    expect(answer.status).toBe(202);
    const operationIds = answer.body.operationIds as string[];
    expect(operationIds).toHaveLength(2);
    for (const id of operationIds) expect(await jobs.waitFor(id)).toMatchObject({ status: 'completed', results: { created: 2 } });
    expect(await operationsOf(repositoryId)).toHaveLength(1);
    expect(await operationsOf(second.id)).toHaveLength(1);
  });

  it('applies a repeated X-Request-UUID once and answers the repeat as a duplicate', async () => {
    const { repo, repositoryId } = await connect('repeated');
    const app = appWith([SECRET]);
    const uuid = `{${randomUUID()}}`;
    const payload = bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash });
    const first = await deliver(app, payload, { uuid });
    expect(first.status).toBe(202);
    await jobs.waitFor((first.body.operationIds as string[])[0]!);
    const repeat = await deliver(app, payload, { uuid });
    expect(repeat).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(await operationsOf(repositoryId)).toHaveLength(1);
  });

  it('refuses an unsigned delivery and one signed with another secret (401) and starts nothing', async () => {
    const { repo, repositoryId } = await connect('unsigned');
    const app = appWith([SECRET]);
    const payload = bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash });
    expect(await deliver(app, payload, { signature: null })).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    expect(await deliver(app, payload, { secret: 'not-the-secret' })).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    expect(await deliver(app, payload, { signature: 'sha256=abc' })).toMatchObject({ status: 401 });
    expect(await operationsOf(repositoryId)).toHaveLength(0);
  });

  it('checks the signature before the JSON: a bad body is 401 unsigned and 400 signed', async () => {
    const app = appWith([SECRET]);
    expect(await deliver(app, null, { raw: '{not json', signature: sign('something else') })).toMatchObject({ status: 401 });
    expect(await deliver(app, null, { raw: '{not json' })).toMatchObject({ status: 400, body: { error: 'invalid_payload' } });
  });

  it('starts no sync for a push to another branch, a tag, or another event', async () => {
    const { repo, repositoryId } = await connect('elsewhere');
    const app = appWith([SECRET]);
    expect(await deliver(app, bitbucketPushPayload(repo, { branch: 'feature/x', hash: 'f'.repeat(40) }))).toMatchObject({
      status: 200,
      body: { status: 'ignored', reason: expect.stringContaining('main') },
    });
    expect(await deliver(app, bitbucketPushPayload(repo, { branch: 'v1.0', hash: 'f'.repeat(40), type: 'tag' }))).toMatchObject({
      status: 200,
      body: { status: 'ignored' },
    });
    expect(await deliver(app, { pullrequest: { id: 1 } }, { event: 'pullrequest:created' })).toMatchObject({
      status: 200,
      body: { status: 'ignored' },
    });
    expect(await deliver(app, { unexpected: true })).toMatchObject({ status: 200, body: { status: 'ignored' } });
    expect(await operationsOf(repositoryId)).toHaveLength(0);
    // The hook works, though: its deliveries arrive.
    const connection = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    expect(connection).toMatchObject({ webhookStatus: 'active', lastWebhookAt: expect.any(Date) });
  });

  it('answers 503 with what to set when no secret is configured', async () => {
    const { repo } = await connect('nosecret');
    const answer = await deliver(appWith([]), bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash }));
    expect(answer).toMatchObject({ status: 503, body: { error: 'webhook_secret_not_configured', message: expect.stringContaining('BITBUCKET_WEBHOOK_SECRET') } });
  });
});
