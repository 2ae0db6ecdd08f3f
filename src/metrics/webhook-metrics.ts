/**
 * A middleware on each webhook route that counts deliveries by what they came to, and observes the
 * lag of those applied. The result is the route's own word where it answered 2xx (noted with its
 * answer by answerWebhook: processed, duplicate, ignored, queued), else what the HTTP status says:
 * 401 unauthorized (a wrong signature or token: a secret changed on one side), 503 unavailable (not
 * configured, or stopping), other 4xx rejected, 5xx failed. The lag is read from the payload the
 * route parsed. Metrics never change the answer: a failure here is only logged.
 */
import type { MiddlewareHandler } from 'hono';
import type { ProviderKind } from '../domain/items.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics, WebhookResult } from './service-metrics.js';
import { webhookAnswerNote } from '../http/webhook-answer.js';
import { webhookEventTime } from './webhook-event-time.js';

const APPLIED: ReadonlySet<WebhookResult> = new Set(['processed', 'queued']);

export function webhookMetrics(host: ProviderKind, metrics: ServiceMetrics, log: Logger): MiddlewareHandler {
  return async function observeWebhookDelivery(c, next) {
    const receivedAt = Date.now();
    await next();
    try {
      const note = webhookAnswerNote(c);
      const result = note && c.res.status < 300 ? note.outcome : resultOf(c.res.status);
      const eventTime = APPLIED.has(result) && note?.payload ? webhookEventTime(host, note.payload) : null;
      metrics.webhookDelivery(host, result, eventTime ? (receivedAt - eventTime.getTime()) / 1000 : null);
    } catch (error) {
      log.warn({ err: error, host }, 'metrics: webhook delivery could not be counted');
    }
  };
}

function resultOf(status: number): WebhookResult {
  if (status === 401) return 'unauthorized';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'failed';
  if (status >= 400) return 'rejected';
  return 'processed';
}
