/**
 * Every error answer is JSON `{ error, message, ... }` with a stable code and a human message;
 * never an HTML page or a stack trace.
 */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428 | 429 | 500 | 502 | 503,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}
