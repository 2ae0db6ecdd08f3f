/**
 * A middleware on each webhook route that counts deliveries by what they came to, and observes the
 * lag of those applied. The result is the receiver's own word where it answered 2xx (`status`:
 * processed, duplicate, ignored, queued), else what the HTTP status says: 401 unauthorized (a wrong
 * signature or token: a secret changed on one side), 503 unavailable (not configured, or stopping),
 * other 4xx rejected, 5xx failed. Metrics never change the answer: a failure here is only logged.
 */
import type { MiddlewareHandler } from 'hono';
import type { ProviderKind } from '../domain/items.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics, WebhookResult } from './service-metrics.js';
import { HOSTS_WITH_EVENT_TIME, webhookEventTime } from './webhook-event-time.js';

const RECEIVER_RESULTS: ReadonlySet<string> = new Set(['processed', 'duplicate', 'ignored', 'queued']);
const APPLIED: ReadonlySet<WebhookResult> = new Set(['processed', 'queued']);

export function webhookMetrics(host: ProviderKind, metrics: ServiceMetrics, log: Logger): MiddlewareHandler {
  return async function observeWebhookDelivery(c, next) {
    const receivedAt = Date.now();
    await next();
    try {
      const result = await resultOf(c.res);
      // The handler read the body already: Hono hands back its cached copy.
      const eventTime = APPLIED.has(result) && HOSTS_WITH_EVENT_TIME.has(host) ? webhookEventTime(host, await c.req.text()) : null;
      metrics.webhookDelivery(host, result, eventTime ? (receivedAt - eventTime.getTime()) / 1000 : null);
    } catch (error) {
      log.warn({ err: error, host }, 'metrics: webhook delivery could not be counted');
    }
  };
}

async function resultOf(response: Response): Promise<WebhookResult> {
  if (response.status === 401) return 'unauthorized';
  if (response.status === 503) return 'unavailable';
  if (response.status >= 500) return 'failed';
  if (response.status >= 400) return 'rejected';
  const body = (await response.clone().json().catch(() => null)) as { status?: unknown } | null;
  const status = body?.status;
  return typeof status === 'string' && RECEIVER_RESULTS.has(status) ? (status as WebhookResult) : 'processed';
}
