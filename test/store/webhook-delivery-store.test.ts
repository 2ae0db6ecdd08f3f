/**
 * Delivery bookkeeping is committed without waiting for the disk, for its own statement only; and a
 * delivery is claimed once, again after it failed, and not while it is being applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITHOUT_FLUSH } from '../../src/db/without-flush.js';
import { createWebhookDeliveryStore } from '../../src/store/prisma-webhook-delivery-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('the webhook delivery store', () => {
  it("turns synchronous_commit off for the statement's own transaction only", async () => {
    const { pool } = database.db;
    const inside = await pool.query<{ v: string }>(`SELECT current_setting('synchronous_commit') AS v FROM ${WITHOUT_FLUSH}`);
    expect(inside.rows[0]!.v).toBe('off');
    const after = await Promise.all(Array.from({ length: 5 }, () => pool.query<{ v: string }>("SELECT current_setting('synchronous_commit') AS v")));
    expect(after.map((result) => result.rows[0]!.v)).toEqual(['on', 'on', 'on', 'on', 'on']);
  });

  it('claims a delivery once, lets a failed one be claimed again, and records the outcome', async () => {
    const deliveries = createWebhookDeliveryStore(database.db);
    const delivery = { provider: 'github' as const, deliveryId: 'd-1', event: 'issues', action: 'opened', repositoryId: null };
    const claimed = await deliveries.claim(delivery);
    expect(claimed).toEqual(expect.any(String));
    expect(await deliveries.claim(delivery)).toBeNull();
    await deliveries.finish(claimed!, { status: 'failed', repositoryId: null });
    const again = await deliveries.claim(delivery);
    expect(again).toBe(claimed);
    await deliveries.finish(again!, { status: 'processed', repositoryId: null });
    expect(await deliveries.claim(delivery)).toBeNull();
    const row = await database.db.prisma.webhookDelivery.findFirstOrThrow({ where: { deliveryId: 'd-1' } });
    expect(row).toMatchObject({ status: 'processed', processedAt: expect.any(Date) });
  });
});
