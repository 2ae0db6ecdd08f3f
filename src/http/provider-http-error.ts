/**
 * What a provider said, as an HTTP answer: the provider's own message (written for people, never
 * holding a token) with a status that says whose move it is. A bad token, an unknown repository or
 * a host this version cannot talk to is the caller's to fix (422); a rate limit is 429; a host that
 * does not answer is 502. Anything that is not a provider's or a usage error is rethrown.
 */
import { ProviderError, UsageError } from '../errors.js';
import { HttpError } from './http-error.js';

export function providerHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UsageError) return new HttpError(400, 'invalid_body', error.message);
  if (!(error instanceof ProviderError)) throw error;
  const details = { provider: error.provider, providerError: error.code };
  switch (error.code) {
    case 'unavailable':
    case 'gone':
      return new HttpError(422, 'provider_unavailable', error.message, details);
    case 'unauthorized':
    case 'forbidden':
      return new HttpError(422, 'provider_refused', error.message, details);
    case 'not_found':
      return new HttpError(422, 'not_found_at_provider', error.message, details);
    case 'rate_limited':
      return new HttpError(429, 'provider_rate_limited', error.message, {
        ...details,
        retryAt: error.resetAt?.toISOString() ?? null,
      });
    default:
      return new HttpError(502, 'provider_unreachable', error.message, details);
  }
}
