/**
 * A delivery turned away before anything was applied: bad signature, a body that is not the JSON
 * GitHub sends, or a payload of the wrong shape. `status` is the HTTP answer GitHub gets.
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
