/**
 * `GET /metrics` (Prometheus text format, no authentication, like /healthz) and the delivery
 * counting middleware on every webhook route; mounted before the routes so it wraps them.
 */
import type { Hono } from 'hono';
import type { Logger } from '../logger.js';
import { GITHUB_WEBHOOK_PATH } from '../http/routes/github-webhooks.js';
import { PROVIDER_DEFINITIONS } from '../providers/index.js';
import type { ServiceMetrics } from './service-metrics.js';
import { webhookMetrics } from './webhook-metrics.js';

export const METRICS_PATH = '/metrics';

export function mountMetrics(app: Hono, metrics: ServiceMetrics, log: Logger): void {
  app.get(METRICS_PATH, async (c) => c.body(await metrics.scrape(), 200, { 'content-type': metrics.contentType }));
  app.use(GITHUB_WEBHOOK_PATH, webhookMetrics('github', metrics, log));
  for (const definition of PROVIDER_DEFINITIONS) {
    if (definition.webhookPath && definition.webhookHandler) app.use(definition.webhookPath, webhookMetrics(definition.kind, metrics, log));
  }
}
