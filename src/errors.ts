/**
 * Errors that carry enough context to be shown to a person as one line, and to be mapped to
 * an exit code or an HTTP status by the adapters (CLI, HTTP API, GitHub App).
 */
export type ProviderErrorCode =
  | 'unauthorized' // bad or expired token (401)
  | 'forbidden' // token lacks a permission (403 that is not a rate limit)
  | 'not_found' // unknown repository (404)
  | 'gone' // the host removed this API (410)
  | 'unavailable' // the feature is off or not licensed for this repository
  | 'rate_limited' // primary limit exhausted; resetAt tells when to come back
  | 'unreachable' // DNS, connection refused, timeout
  | 'server_error' // 5xx after retries
  | 'bad_response'; // the host answered something we cannot read

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly provider: string;
  readonly repo: string | undefined;
  readonly status: number | undefined;
  readonly resetAt: Date | undefined;

  constructor(
    code: ProviderErrorCode,
    message: string,
    options: {
      provider: string;
      repo?: string;
      status?: number;
      resetAt?: Date;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.provider = options.provider;
    this.repo = options.repo;
    this.status = options.status;
    this.resetAt = options.resetAt;
  }
}

/** Bad input from a person: a CLI argument, a request body, a configuration value. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A sync was cancelled between pages. */
export class CancelledError extends Error {
  constructor(message = 'The sync was cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
