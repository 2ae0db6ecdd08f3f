/**
 * When the change a delivery carries happened, by the payload's own clock, for the webhook lag: each
 * host's definition says where its payloads keep that time (`webhookEventTime`); null when the
 * payload has none (installation and repository events) or its host never says (Bitbucket). The
 * payload is the one the route parsed (see answerWebhook).
 */
import type { ProviderKind } from '../domain/items.js';
import { providerDefinition } from '../providers/index.js';

export function webhookEventTime(host: ProviderKind, payload: Record<string, unknown>): Date | null {
  return providerDefinition(host).webhookEventTime?.(payload) ?? null;
}
