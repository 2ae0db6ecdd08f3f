import { HttpError } from '../../http/http-error.js';
import type { WebhookHandler } from '../definition.js';
import type { HostWebhookDeps } from '../webhook-deps.js';

export function gitlabWebhookHandler(_deps: HostWebhookDeps): WebhookHandler {
  return async () => {
    throw new HttpError(503, 'not_ready', 'GitLab webhooks are being built.');
  };
}
