import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createInProcessSyncJobs } from './in-process-sync-jobs.js';
import { createRepositoryProviderOpener } from '../../src/jobs/open-repository-provider.js';
import { silentLogger } from '../../src/logger.js';
import type { OperationRecord } from '../../src/store/issue-store.js';
import { startGitHubSimulator, type GitHubSimulator } from './github-simulator.js';
import { createTestDatabase } from './test-database.js';
import { createStores } from '../../src/store/create-stores.js';

let github: GitHubSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: 'ghp_secret' }), createTestDatabase()]);
});
afterAll(async () => {
  await github?.close();
  await database?.drop();
});

describe('in-process sync jobs', () => {
  it('runs one sync per repository with the stored token, and tells listeners when it ends', async () => {
    github.repo('octo', 'jobs', { issues: 180, alerts: 20 });
    const cipher = createTokenCipher(Buffer.alloc(32, 7));
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'jobs', name: 'jobs' } });
    const repository = await prisma.repositoryConnection.create({
      data: {
        projectId: project.id, provider: 'github', fullPath: 'octo/jobs', url: 'https://github.com/octo/jobs',
        apiUrl: github.url, encryptedToken: cipher.encrypt('ghp_secret'),
      },
    });
    const log = silentLogger();
    const jobs = createInProcessSyncJobs({
      stores: createStores(database.db),
      openProvider: createRepositoryProviderOpener({ config: loadConfig({}), cipher, log }),
      log,
    });
    const finished: OperationRecord[] = [];
    jobs.addListener((operation, event) => {
      if (event === 'finished') finished.push(operation);
    });
    const input = {
      projectId: project.id, repositoryId: repository.id, syncType: 'all' as const, includeClosed: true, trigger: 'manual' as const,
    };
    try {
      const first = await jobs.start(input);
      const second = await jobs.start(input);
      expect(first.status).toBe('started');
      expect(second).toMatchObject({ status: 'already_running', operation: { id: first.operation.id } });

      const done = await jobs.waitFor(first.operation.id);
      expect(done).toMatchObject({
        status: 'completed',
        results: { created: 200, issues: 180, securityAlerts: 20, failed: 0 },
        progress: { percent: 100 },
      });
      expect(finished.map((operation) => operation.id)).toEqual([first.operation.id]);
      expect(await prisma.issue.count({ where: { projectId: project.id } })).toBe(200);

      const again = await jobs.start(input);
      expect(again.status).toBe('started');
      expect(await jobs.waitFor(again.operation.id)).toMatchObject({ status: 'completed', results: { created: 0, skipped: 200 } });
    } finally {
      await jobs.close();
    }
  });
});
