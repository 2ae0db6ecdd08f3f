/**
 * The HTTP server: one Hono app on one port. Routes are mounted here; every error goes through
 * one `onError`, so answers are always the contract's JSON.
 */
import { Hono } from 'hono';
import type { ProviderKind } from '../domain/items.js';
import type { WebhookHandler } from '../providers/definition.js';
import { PROVIDER_DEFINITIONS } from '../providers/index.js';
import type { HostWebhookDeps } from '../providers/webhook-deps.js';
import type { ReceiveGitHubWebhook } from '../github-app/receive-github-webhook.js';
import type { Logger } from '../logger.js';
import { mountMetrics } from '../metrics/mount-metrics.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { ApiDeps } from './api-deps.js';
import { apiRoutes } from './api-routes.js';
import { createDashboard } from './dashboard/create-dashboard.js';
import { HttpError } from './http-error.js';
import { githubAppNotConfiguredRoutes, githubWebhookRoutes } from './routes/github-webhooks.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { homePageRoutes } from './routes/home-page.js';
import { requestIdOf, requestIds } from './middleware/request-id.js';
import { bodySizeLimit } from './middleware/body-size-limit.js';

export interface AppDeps extends HealthDeps {
  log: Logger;
  /** The GitHub App's webhook receiver; absent when the App is not configured. */
  githubWebhooks?: { receive: ReceiveGitHubWebhook };
  /** The HTTP API (projects, sync operations, admin) and the dashboard; absent: health and webhooks only. */
  api?: ApiDeps;
  /** What the GitLab and Bitbucket webhook handlers need, per host; absent: those routes are not served. */
  hostWebhooks?: (kind: ProviderKind) => HostWebhookDeps;
  /** GET /metrics and the webhook delivery counts; absent: not served. */
  metrics?: ServiceMetrics;
}

/** GitLab and Bitbucket payloads are small (Bitbucket may not send one over 256 KB). */
export const MAX_HOST_WEBHOOK_BYTES = 5 * 1024 * 1024;

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(requestIds(deps.log));
  // Next: its middleware wraps the webhook routes mounted below.
  if (deps.metrics) mountMetrics(app, deps.metrics, deps.log);
  const dashboard = deps.api ? createDashboard(deps.api) : null;
  app.route('/', homePageRoutes(dashboard ? { dashboard: dashboard.home } : {}));
  if (dashboard) app.route('/', dashboard.routes);
  app.route('/', healthRoutes(deps));
  app.route(
    '/',
    deps.githubWebhooks
      ? githubWebhookRoutes({ receive: deps.githubWebhooks.receive, log: deps.log })
      : githubAppNotConfiguredRoutes(),
  );
  if (deps.hostWebhooks) mountHostWebhooks(app, deps.hostWebhooks);
  if (deps.api) app.route('/', apiRoutes(deps.api));
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}; GET / lists the routes there are.` }, 404),
  );
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json(error.body(), error.status);
    const requestId = requestIdOf(c);
    deps.log.error({ err: error, requestId, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json(
      {
        error: 'internal',
        message: `Something went wrong on our side; the error was logged${requestId ? ` with request id ${requestId}` : ''}.`,
        ...(requestId ? { requestId } : {}),
      },
      500,
    );
  });
  return app;
}

/** Every host whose definition has a webhook handler, at its path; each handler is loaded on its first delivery. */
function mountHostWebhooks(app: Hono, depsOf: (kind: ProviderKind) => HostWebhookDeps): void {
  for (const definition of PROVIDER_DEFINITIONS) {
    const load = definition.webhookHandler;
    if (!definition.webhookPath || !load) continue;
    let handler: Promise<WebhookHandler> | null = null;
    app.post(
      definition.webhookPath,
      bodySizeLimit({
        maxSize: MAX_HOST_WEBHOOK_BYTES,
        onError: () => {
          throw new HttpError(413, 'payload_too_large', `Webhook bodies are limited to ${MAX_HOST_WEBHOOK_BYTES} bytes.`);
        },
      }),
      async (c) => {
        handler ??= load.call(definition, depsOf(definition.kind)).catch((error: unknown) => {
          handler = null;
          throw error;
        });
        return (await handler)(c);
      },
    );
  }
}
