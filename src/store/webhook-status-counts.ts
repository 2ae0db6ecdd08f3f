/**
 * How many active repository connections each host has per webhook health, for the metrics scrape:
 * one grouped query. Every host and status is listed, with 0 where none is, so a count that drops
 * to zero shows as 0 instead of vanishing.
 */
import type { Database } from '../db/client.js';
import { PROVIDER_KINDS, type ProviderKind } from '../domain/items.js';
import type { WebhookHealthStatus } from './webhook-health-store.js';

const STATUSES: readonly WebhookHealthStatus[] = ['active', 'stale', 'inactive'];

export interface WebhookStatusCount {
  provider: ProviderKind;
  status: WebhookHealthStatus;
  repositories: number;
}

export interface WebhookStatusCounts {
  count(): Promise<WebhookStatusCount[]>;
}

export function createWebhookStatusCounts(db: Database): WebhookStatusCounts {
  return {
    async count() {
      const rows = await db.prisma.repositoryConnection.groupBy({
        by: ['provider', 'webhookStatus'],
        where: { active: true },
        _count: { _all: true },
      });
      const found = new Map(rows.map((row) => [`${row.provider} ${row.webhookStatus}`, row._count._all]));
      return PROVIDER_KINDS.flatMap((provider) =>
        STATUSES.map((status) => ({ provider, status, repositories: found.get(`${provider} ${status}`) ?? 0 })),
      );
    },
  };
}
