/**
 * The statements every webhook delivery runs are prepared once per connection (named), so
 * PostgreSQL neither parses nor, once it settles on a generic plan, plans them again at each call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.js';
import { preparedStatement } from '../../src/db/prepared-statement.js';
import { createInstallationRepositoryStore } from '../../src/store/prisma-installation-repository-store.js';
import { createInstallationStore } from '../../src/store/prisma-installation-store.js';
import { createIssueStore } from '../../src/store/prisma-issue-store.js';
import { createWebhookDeliveryStore } from '../../src/store/prisma-webhook-delivery-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
/** One connection, so the statements prepared on it can be listed from it. */
let single: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  single = createDatabase(database.url, { max: 1 });
});

afterAll(async () => {
  await single?.close();
  await database?.drop();
});

describe('prepared statements', () => {
  it('runs the lookups and writes of a live delivery as statements prepared on the connection', async () => {
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'prepared', name: 'prepared' } });
    const deliveries = createWebhookDeliveryStore(single);
    for (let round = 0; round < 3; round += 1) {
      const claimed = await deliveries.claim({ provider: 'github', deliveryId: `d-${round}`, event: 'issues', action: 'opened', repositoryId: null });
      await deliveries.finish(claimed!, { status: 'processed', repositoryId: null });
      await createInstallationStore(single).findByGitHubId(42 + round);
      await createInstallationRepositoryStore(single).findId(42, String(round));
      await createInstallationRepositoryStore(single).find(project.id, { externalRepoId: String(round), fullPath: `o/r${round}` });
      const issues = createIssueStore(single);
      await issues.findMatchLookups(project.id, 'https://github.com/o/r', [{ externalId: `github:https://github.com/o/r:${round}`, title: `title ${round}` }]);
    }
    const prepared = await single.pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
    expect(prepared.rows.map((row) => row.name)).toEqual([
      'issue_sync_claim_webhook_delivery',
      'issue_sync_find_installation_by_github_id',
      'issue_sync_find_installation_repository',
      'issue_sync_find_installation_repository_id',
      'issue_sync_finish_webhook_delivery',
    ]);
  });

  it('refuses a name given twice, which node-postgres would refuse at the first call with another text', () => {
    preparedStatement('test_only_once', 'SELECT 1');
    expect(() => preparedStatement('test_only_once', 'SELECT 2')).toThrow('Prepared statement test_only_once is defined twice.');
  });
});
