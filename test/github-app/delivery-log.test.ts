/**
 * The App's delivery log read against the loopback GitHub simulator's `/app/hook/deliveries`, on
 * real PostgreSQL with the real pg-boss runner: failed deliveries are redelivered, a repository with
 * more failures than a backfill costs (or with deliveries too old to redeliver) is marked stale and
 * backfilled once, and each pass reads only what is new.
 */
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createDeliveryLogReader } from '../../src/github-app/delivery-log.js';
import type { PgBossSyncJobs } from '../../src/jobs/pg-boss-sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import { createInstallationRepositoryStore } from '../../src/store/prisma-installation-repository-store.js';
import { createRepositoryStore } from '../../src/store/prisma-repository-store.js';
import { createServiceStateStore } from '../../src/store/service-state-store.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const TOKEN = 'ghp_deliveryLog';
const INSTALLATION = 5150;
const cipher = createTokenCipher(Buffer.alloc(32, 3));
const log = silentLogger();
const DAY = 24 * 60 * 60 * 1000;

let github: GitHubSimulator;
let database: TestDatabase;
let jobs: PgBossSyncJobs;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator(), createTestDatabase()]);
  jobs = await startTestRunner(database.db, { cipher, log });
});

afterAll(async () => {
  await jobs?.close();
  await github?.close();
  await database?.drop();
});

function reader() {
  const { db } = database;
  return createDeliveryLogReader({
    appOctokit: async () => new Octokit({ baseUrl: github.url }),
    findRepository: (installationId, externalRepoId) => createInstallationRepositoryStore(db).findId(installationId, externalRepoId),
    repositories: createRepositoryStore(db),
    health: createWebhookHealthStore(db),
    jobs,
    state: createServiceStateStore(db),
    log,
  });
}

/** A repository of the installation, synced once (so it has watermarks to catch up from). */
async function connected(name: string, issues: number) {
  const repo = github.repo('octo', name, { issues });
  const { prisma } = database.db;
  const project = (await prisma.project.findUnique({ where: { slug: 'octo' } })) ?? (await prisma.project.create({ data: { slug: 'octo', name: 'octo' } }));
  const installation =
    (await prisma.installation.findUnique({ where: { githubInstallationId: BigInt(INSTALLATION) } })) ??
    (await prisma.installation.create({ data: { githubInstallationId: BigInt(INSTALLATION), accountLogin: 'octo', projectId: project.id } }));
  const connection = await prisma.repositoryConnection.create({
    data: {
      projectId: project.id,
      provider: 'github',
      fullPath: `octo/${name}`,
      url: `https://github.com/octo/${name}`,
      apiUrl: github.url,
      encryptedToken: cipher.encrypt(TOKEN),
      installationId: installation.id,
      externalRepoId: String(repo.id),
      webhookStatus: 'active',
      lastSyncAt: new Date(),
      issuesWatermark: new Date('2020-01-01T00:00:00Z'),
      alertsWatermark: new Date('2020-01-01T00:00:00Z'),
    },
  });
  return { repo, connection };
}

const operationsOf = (repositoryId: string) => database.db.prisma.syncOperation.findMany({ where: { repositoryId } });

describe('the delivery log', () => {
  it('redelivers a few failed deliveries, backfills a repository with many, and reads only what is new', async () => {
    const few = await connected('few', 3);
    const many = await connected('many', 8);
    const { deliveryLog } = github;
    const failed = (repositoryId: number, event = 'issues') =>
      deliveryLog.add({ event, action: 'edited', status_code: 503, installation_id: INSTALLATION, repository_id: repositoryId });
    deliveryLog.add({ event: 'issues', action: 'opened', status_code: 200, installation_id: INSTALLATION, repository_id: few.repo.id });
    const fewFailed = [failed(few.repo.id), failed(few.repo.id, 'issue_comment')];
    for (let i = 0; i < 5; i += 1) failed(many.repo.id);
    failed(few.repo.id, 'push'); // not an event the App handles

    const first = await reader().tick();
    expect(first).toEqual({ read: 9, failed: 7, redelivered: 2, backfilled: 1 });
    expect([...deliveryLog.redelivered].sort()).toEqual(fewFailed.map((delivery) => delivery.id).sort());
    expect(await operationsOf(few.connection.id)).toEqual([]);

    const backfills = await operationsOf(many.connection.id);
    expect(backfills).toHaveLength(1);
    expect(backfills[0]).toMatchObject({ trigger: 'stale_webhook', syncType: 'all' });
    const done = await jobs.waitFor(backfills[0]!.id);
    expect(done).toMatchObject({ status: 'completed' });
    const manyRow = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: many.connection.id } });
    expect(manyRow).toMatchObject({ webhookStatus: 'stale', webhookReason: expect.stringMatching(/failed \(5, more than a backfill costs requests\)/) });
    // The open ones of its 8 issues (an incremental sync does not create closed ones).
    const stored = await database.db.prisma.issue.count({ where: { repositoryId: many.connection.id } });
    expect(stored).toBeGreaterThan(0);
    expect(done!.results.created).toBe(stored);

    // The next pass sees only the two redelivery attempts, which arrived: nothing to do.
    expect(await reader().tick()).toEqual({ read: 2, failed: 0, redelivered: 0, backfilled: 0 });
    expect(await reader().tick()).toEqual({ read: 0, failed: 0, redelivered: 0, backfilled: 0 });
  });

  it('backfills instead of redelivering what GitHub no longer redelivers, or what failed again when redelivered', async () => {
    const old = await connected('old', 2);
    const failing = await connected('failing', 2);
    const { deliveryLog } = github;
    deliveryLog.add({
      event: 'issues', status_code: 502, installation_id: INSTALLATION, repository_id: old.repo.id,
      delivered_at: new Date(Date.now() - 4 * DAY).toISOString(),
    });
    const original = deliveryLog.add({ event: 'issues', status_code: 502, installation_id: INSTALLATION, repository_id: failing.repo.id });
    deliveryLog.redeliveryStatus = 502;
    const redeliveredBefore = deliveryLog.redelivered.length;

    // Redelivered once; that attempt fails too, so the next pass backfills instead of asking again.
    await reader().tick();
    expect(deliveryLog.redelivered.slice(redeliveredBefore)).toEqual([original.id]);
    expect(await operationsOf(failing.connection.id)).toHaveLength(0);
    await reader().tick();
    expect(await operationsOf(failing.connection.id)).toHaveLength(1);
    expect(deliveryLog.redelivered.slice(redeliveredBefore)).toEqual([original.id]);

    const oldOperations = await operationsOf(old.connection.id);
    expect(oldOperations).toHaveLength(1);
    expect(await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: old.connection.id } })).toMatchObject({
      webhookStatus: 'stale',
      webhookReason: expect.stringMatching(/can no longer be redelivered/),
    });
    deliveryLog.redeliveryStatus = 200;
    for (const operation of [...oldOperations, ...(await operationsOf(failing.connection.id))]) await jobs.waitFor(operation.id);
  });
});
