/**
 * A delivery turned away before anything was applied: a bad signature, a body that is not the JSON
 * object GitHub sends, or a service that is stopping. Never the shape of a payload: a signed payload
 * we cannot use is acknowledged (see receive-github-webhook.ts). `status` is the HTTP answer GitHub gets.
 */
export class WebhookRejectedError extends Error {
  constructor(
    readonly status: 400 | 401 | 503,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebhookRejectedError';
  }
}
