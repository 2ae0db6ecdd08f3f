import { Hono } from 'hono';
import type { HostWebhookDeps } from '../webhook-deps.js';

export function gitlabWebhookRoutes(_deps: HostWebhookDeps): Hono {
  return new Hono();
}
