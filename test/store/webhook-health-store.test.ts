/**
 * The webhook health store against a real database: a delivery makes a stale or inactive webhook
 * active at once, and a burst of deliveries to one repository moves its last delivery about once a
 * second instead of writing the row for each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

async function connection(webhookStatus: 'active' | 'stale' | 'inactive') {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: `health-${webhookStatus}`, name: webhookStatus } });
  return prisma.repositoryConnection.create({
    data: { projectId: project.id, provider: 'github', fullPath: `octo/${webhookStatus}`, url: `https://github.com/octo/${webhookStatus}`, webhookStatus, webhookReason: 'no delivery for a while' },
  });
}

const row = (id: string) => database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id } });

describe('recordDelivery', () => {
  it('makes a stale webhook active at once, then moves the last delivery at most once a second', async () => {
    const health = createWebhookHealthStore(database.db);
    const { id } = await connection('stale');
    const first = new Date('2026-12-01T10:00:00.000Z');
    await health.recordDelivery(id, first);
    expect(await row(id)).toMatchObject({ webhookStatus: 'active', webhookReason: null, lastWebhookAt: first });

    // Within the same second: the row is left as it is.
    await health.recordDelivery(id, new Date(first.getTime() + 400));
    expect((await row(id)).lastWebhookAt).toEqual(first);
    // A second and more later: moved.
    const later = new Date(first.getTime() + 1500);
    await health.recordDelivery(id, later);
    expect((await row(id)).lastWebhookAt).toEqual(later);
    // Never backwards.
    await health.recordDelivery(id, first);
    expect((await row(id)).lastWebhookAt).toEqual(later);
  });

  it('makes an inactive webhook active even when its last delivery is recent', async () => {
    const health = createWebhookHealthStore(database.db);
    const { id } = await connection('inactive');
    const at = new Date();
    await database.db.prisma.repositoryConnection.update({ where: { id }, data: { lastWebhookAt: at } });
    await health.recordDelivery(id, new Date(at.getTime() + 10));
    expect(await row(id)).toMatchObject({ webhookStatus: 'active', webhookReason: null });
  });
});
