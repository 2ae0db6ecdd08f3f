/**
 * The HTTP server: one Hono app on one port. Routes are mounted here; every error goes through
 * one `onError`, so answers are always the contract's JSON.
 */
import { Hono } from 'hono';
import type { ReceiveGitHubWebhook } from '../github-app/receive-github-webhook.js';
import type { Logger } from '../logger.js';
import type { ApiDeps } from './api-deps.js';
import { apiRoutes } from './api-routes.js';
import { HttpError } from './http-error.js';
import { githubAppNotConfiguredRoutes, githubWebhookRoutes } from './routes/github-webhooks.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { homePageRoutes } from './routes/home-page.js';

export interface AppDeps extends HealthDeps {
  log: Logger;
  /** The GitHub App's webhook receiver; absent when the App is not configured. */
  githubWebhooks?: { receive: ReceiveGitHubWebhook };
  /** The HTTP API (projects, sync operations, admin); absent: health and webhooks only. */
  api?: ApiDeps;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route('/', homePageRoutes());
  app.route('/', healthRoutes(deps));
  app.route(
    '/',
    deps.githubWebhooks
      ? githubWebhookRoutes({ receive: deps.githubWebhooks.receive, log: deps.log })
      : githubAppNotConfiguredRoutes(),
  );
  if (deps.api) app.route('/', apiRoutes(deps.api));
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}; GET / lists the routes there are.` }, 404),
  );
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json(error.body(), error.status);
    deps.log.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal', message: 'Something went wrong on our side; the error was logged.' }, 500);
  });
  return app;
}
