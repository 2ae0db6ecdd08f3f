/**
 * WebhookDelivery rows: every delivery id is claimed before its event is applied, so a repeated
 * delivery (same provider and delivery id) is applied once. A delivery that failed, or whose
 * process died while applying it, may be claimed again: GitHub's redelivery keeps the delivery id,
 * and it must not be turned away as a duplicate of an attempt that never finished.
 *
 * Both writes are committed without waiting for the disk (each a disk sync, milliseconds on most
 * disks): should PostgreSQL crash and lose one, a redelivery applies the event again, which is
 * idempotent; the item the event carries is written durably before the delivery is answered.
 */
import type { Database } from '../db/client.js';
import { preparedStatement } from '../db/prepared-statement.js';
import { WITHOUT_FLUSH } from '../db/without-flush.js';
import type { ProviderKind } from '../domain/items.js';

export type DeliveryStatus = 'received' | 'processed' | 'failed';

export interface DeliveryClaim {
  provider: ProviderKind;
  deliveryId: string;
  event: string;
  action: string | null;
  repositoryId: string | null;
}

export interface WebhookDeliveryStore {
  /** The delivery row's id when this caller may apply the event; null when it is applied or being applied. */
  claim(delivery: DeliveryClaim): Promise<string | null>;
  finish(id: string, outcome: { status: 'processed' | 'failed'; repositoryId: string | null }): Promise<void>;
}

/** A claimed delivery still `received` after this long was abandoned by its process. */
const ABANDONED_AFTER = '10 minutes';

/**
 * The claim: a new row, or a failed or abandoned one taken again; nothing (no row returned) for a
 * delivery applied or being applied. `repositoryId` is an SQL expression (a parameter, or a lookup).
 */
export function claimDeliverySql(repositoryId: string): string {
  return `
INSERT INTO "WebhookDelivery" (provider, "deliveryId", event, action, "repositoryId", status)
SELECT $1::"Provider", $2, $3, $4, ${repositoryId}, 'received' FROM ${WITHOUT_FLUSH}
ON CONFLICT (provider, "deliveryId") DO UPDATE
   SET status = 'received', "receivedAt" = now(), "processedAt" = NULL,
       event = EXCLUDED.event, action = EXCLUDED.action, "repositoryId" = EXCLUDED."repositoryId"
 WHERE "WebhookDelivery".status = 'failed'
    OR ("WebhookDelivery".status = 'received' AND "WebhookDelivery"."receivedAt" < now() - interval '${ABANDONED_AFTER}')
RETURNING id`;
}

const CLAIM = preparedStatement('claim_webhook_delivery', claimDeliverySql('$5::uuid'));

const FINISH = preparedStatement('finish_webhook_delivery', `
UPDATE "WebhookDelivery"
   SET status = $2, "processedAt" = now(), "repositoryId" = COALESCE($3::uuid, "repositoryId")
  FROM ${WITHOUT_FLUSH}
 WHERE id = $1::uuid`);

export function createWebhookDeliveryStore(db: Database): WebhookDeliveryStore {
  const { pool } = db;
  return {
    async claim(delivery) {
      const result = await pool.query<{ id: string }>(CLAIM([
        delivery.provider,
        delivery.deliveryId,
        delivery.event,
        delivery.action,
        delivery.repositoryId,
      ]));
      return result.rows[0]?.id ?? null;
    },

    async finish(id, outcome) {
      await pool.query(FINISH([id, outcome.status, outcome.repositoryId]));
    },
  };
}
