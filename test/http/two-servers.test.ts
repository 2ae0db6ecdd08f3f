/**
 * Two replicas of the service on one database: the same sync requested from both at once runs once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ADMIN_TOKEN = 'admin-token-for-two-servers-0123456789';
const cipher = createTokenCipher(Buffer.alloc(32, 5));

let github: GitHubSimulator;
let database: TestDatabase;
const servers: RunningService[] = [];

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: 'ghp_two' }), createTestDatabase()]);
  for (let i = 0; i < 2; i += 1) {
    servers.push(
      await startService({
        config: loadConfig({ DATABASE_URL: database.url, PORT: '0', ADMIN_TOKEN }),
        log: silentLogger(),
        db: database.db,
        cipher,
        stores: createStores(database.db),
      }),
    );
  }
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await github?.close();
  await database?.drop();
});

describe('two servers on one database', () => {
  it('run a repository once when both are asked to sync it at the same moment', async () => {
    github.repo('octo', 'shared', { issues: 340 });
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'shared', name: 'shared' } });
    const repository = await prisma.repositoryConnection.create({
      data: {
        projectId: project.id, provider: 'github', fullPath: 'octo/shared', url: 'https://github.com/octo/shared',
        apiUrl: github.url, encryptedToken: cipher.encrypt('ghp_two'),
      },
    });
    const ask = (server: RunningService) =>
      fetch(`${server.url}/api/projects/${project.id}/repositories/${repository.id}/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ syncType: 'issues', includeClosed: true, confirm: true, mode: 'async' }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, string> }));

    const answers = await Promise.all(servers.map(ask));
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    const accepted = answers.find((answer) => answer.status === 202)!;
    const refused = answers.find((answer) => answer.status === 409)!;
    expect(refused.body).toMatchObject({ error: 'sync_in_progress', operationId: accepted.body.operationId });

    const deadline = Date.now() + 30_000;
    let status: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      const response = await fetch(`${servers[1]!.url}/api/sync-operations/${accepted.body.operationId}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      status = (await response.json()) as Record<string, unknown>;
      if (status.status === 'completed' || status.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toMatchObject({ status: 'completed', progress: { percent: 100 }, results: { created: 340, failed: 0 } });
    expect(await prisma.syncOperation.count({ where: { repositoryId: repository.id } })).toBe(1);
    expect(await prisma.issue.count({ where: { repositoryId: repository.id } })).toBe(340);
    // The listing was walked once: four pages of creation order, no page fetched by a second runner.
    const firstPages = github.requests.filter((r) => r.path.startsWith('/repos/octo/shared/issues?') && !r.path.includes('since'));
    expect(firstPages).toHaveLength(Math.ceil(340 / 100));
  });
});
