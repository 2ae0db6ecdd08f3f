/**
 * When the change a delivery carries happened, by the payload's own clock, for the webhook lag: each
 * host's definition says where its payloads keep that time (`webhookEventTime`); null when the
 * payload has none (installation and repository events) or its host never says (Bitbucket).
 */
import type { ProviderKind } from '../domain/items.js';
import { PROVIDER_DEFINITIONS, providerDefinition } from '../providers/index.js';

/** The hosts whose payloads say when their change happened. */
export const HOSTS_WITH_EVENT_TIME: ReadonlySet<ProviderKind> = new Set(
  PROVIDER_DEFINITIONS.filter((definition) => definition.webhookEventTime).map((definition) => definition.kind),
);

export function webhookEventTime(host: ProviderKind, body: string): Date | null {
  const eventTime = providerDefinition(host).webhookEventTime;
  if (!eventTime) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return null;
  }
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? eventTime(payload as Record<string, unknown>) : null;
}
