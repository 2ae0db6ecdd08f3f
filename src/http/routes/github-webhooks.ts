/**
 * `POST /api/github/webhooks`: the raw body (at most 25 MB, GitHub's limit) and the delivery headers
 * go to the GitHub App's receiver, which verifies the signature before parsing anything. Refusals
 * are 4xx with the contract's JSON; only a failure on our side is a 500, which GitHub may redeliver.
 * Without the App every delivery is answered 503 with what to configure.
 */
import { Hono } from 'hono';
import type { ReceiveGitHubWebhook } from '../../github-app/receive-github-webhook.js';
import { WebhookRejectedError } from '../../github-app/webhook-rejected-error.js';
import type { Logger } from '../../logger.js';
import { HttpError } from '../http-error.js';
import { answerWebhook } from '../webhook-answer.js';
import { bodySizeLimit } from '../middleware/body-size-limit.js';

export const GITHUB_WEBHOOK_PATH = '/api/github/webhooks';
/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,100}$/;

export interface GitHubWebhookDeps {
  receive: ReceiveGitHubWebhook;
  log: Logger;
}

export function githubWebhookRoutes(deps: GitHubWebhookDeps): Hono {
  const app = new Hono();
  app.post(
    GITHUB_WEBHOOK_PATH,
    bodySizeLimit({
      maxSize: MAX_WEBHOOK_BYTES,
      onError: () => {
        throw new HttpError(413, 'payload_too_large', `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes.`);
      },
    }),
    async (c) => {
      const signature = c.req.header('x-hub-signature-256');
      if (!signature) {
        throw new HttpError(401, 'invalid_signature', 'X-Hub-Signature-256 is missing: GitHub signs every delivery when the App has a webhook secret.');
      }
      const id = c.req.header('x-github-delivery');
      const name = c.req.header('x-github-event');
      if (!id || !DELIVERY_ID.test(id)) {
        throw new HttpError(400, 'invalid_delivery', 'X-GitHub-Delivery is missing or malformed.');
      }
      if (!name || !EVENT_NAME.test(name)) {
        throw new HttpError(400, 'invalid_delivery', 'X-GitHub-Event is missing or malformed.');
      }
      if (c.req.header('content-type')?.includes('application/x-www-form-urlencoded')) {
        throw new HttpError(415, 'unsupported_content_type', 'Set the App\'s webhook content type to application/json.');
      }
      const payload = await c.req.text();
      if (payload.length === 0) throw new HttpError(400, 'invalid_payload', 'The body is empty.');
      try {
        const received = await deps.receive({ id, name, signature, payload });
        return answerWebhook(c, { status: received.outcome, deliveryId: id }, { payload: received.payload });
      } catch (error) {
        if (error instanceof WebhookRejectedError) {
          // A signature mismatch usually means WEBHOOK_SECRET differs from the App's secret: worth a warning.
          const level = error.code === 'invalid_signature' ? 'warn' : 'info';
          deps.log[level]({ deliveryId: id, event: name, code: error.code }, 'webhook delivery refused');
          throw new HttpError(error.status, error.code, error.message);
        }
        deps.log.error({ err: error, deliveryId: id, event: name }, 'webhook delivery failed');
        throw new HttpError(500, 'webhook_failed', 'The delivery could not be applied; the error was logged and GitHub can redeliver it.');
      }
    },
  );
  return app;
}

/** The answer when APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are not set. */
export function githubAppNotConfiguredRoutes(): Hono {
  const app = new Hono();
  app.post(GITHUB_WEBHOOK_PATH, (c) =>
    c.json(
      {
        error: 'github_app_not_configured',
        message: 'The GitHub App is not configured: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET, then restart.',
      },
      503,
    ),
  );
  return app;
}
