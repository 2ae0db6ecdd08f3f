/**
 * The issue's check, as a person would make it: `serve` with STALE_CHECK_INTERVAL_S=5 heals a GitHub
 * repository edited while no webhook arrives, within a few intervals, through the real service's
 * queue ticks, stale check and backfill.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const TOKEN = 'ghp_staleHeal';
const cipher = createTokenCipher(Buffer.alloc(32, 6));

let github: GitHubSimulator;
let database: TestDatabase;
let service: RunningService;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: TOKEN }), createTestDatabase()]);
  service = await startService({
    config: loadConfig({ DATABASE_URL: database.url, PORT: '0', STALE_CHECK_INTERVAL_S: '5' }),
    log: silentLogger(),
    db: database.db,
    cipher,
    stores: createStores(database.db),
  });
});

afterAll(async () => {
  await service?.close();
  await github?.close();
  await database?.drop();
});

describe('serve with STALE_CHECK_INTERVAL_S=5', () => {
  it('heals a repository edited with no webhook within a few intervals', async () => {
    const repo = github.repo('octo', 'quiet', { issues: 30 });
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'quiet', name: 'quiet' } });
    const connection = await prisma.repositoryConnection.create({
      data: {
        projectId: project.id, provider: 'github', fullPath: 'octo/quiet', url: 'https://github.com/octo/quiet',
        apiUrl: github.url, encryptedToken: cipher.encrypt(TOKEN), webhookStatus: 'active', lastWebhookAt: new Date(),
      },
    });
    const first = await service.jobs.start({
      projectId: project.id, repositoryId: connection.id, syncType: 'issues', includeClosed: true, trigger: 'manual',
    });
    expect(await service.jobs.waitFor(first.operation.id)).toMatchObject({ status: 'completed' });

    // The webhook goes quiet while an issue changes on GitHub.
    repo.editIssue(7, { title: 'Edited while no webhook came' });
    const editedAt = Date.now();
    let healed = null;
    while (!healed && Date.now() - editedAt < 40_000) {
      healed = await prisma.issue.findFirst({ where: { repositoryId: connection.id, title: 'Edited while no webhook came' } });
      if (!healed) await sleep(250);
    }
    // Waited for up to eight intervals (a check every 5 s, then one backfill); typically one or two.
    expect(healed).not.toBeNull();
    expect(await prisma.syncOperation.findMany({ where: { repositoryId: connection.id, trigger: 'stale_webhook' } })).toHaveLength(1);
    expect(await prisma.repositoryConnection.findUniqueOrThrow({ where: { id: connection.id } })).toMatchObject({
      webhookStatus: 'stale',
      webhookReason: expect.any(String),
    });
  }, 60_000);
});
