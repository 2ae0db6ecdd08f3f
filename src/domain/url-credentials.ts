/**
 * A host's API URL never carries a user name or password: it is shown in messages, stored errors and
 * the dashboard, and fetch refuses such URLs anyway. Tokens go in their own settings.
 */
export const URL_CREDENTIALS_MESSAGE = 'must not hold a user name or password: give the token on its own';

/** False when `value` parses as a URL with a user name or password in it. */
export function hasNoCredentials(value: string): boolean {
  try {
    const parsed = new URL(value);
    return parsed.username === '' && parsed.password === '';
  } catch {
    return true;
  }
}

/**
 * `value` with a URL's user name shown as `[redacted]` when it stands alone (`https://TOKEN@host`:
 * a token given as the user name); a user name beside a password is kept (the password is masked
 * elsewhere: mask-secrets.ts).
 */
export function maskUrlCredentials(value: string): string {
  return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@:]+@/gi, '$1[redacted]@');
}
