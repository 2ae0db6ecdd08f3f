/**
 * Hides secrets in text meant for people (a start-up error, a log line): the password part of any URL
 * (`postgres://user:hunter2@host` → `postgres://user:[redacted]@host`) and every known secret value,
 * as written, JSON-escaped or URL-encoded. Values shorter than MIN_SECRET_LENGTH are not searched for:
 * they would match ordinary words (the key-based redaction of the logger still hides them in fields).
 */
export const REDACTED = '[redacted]';
export const MIN_SECRET_LENGTH = 6;

// Lenient on the slashes: `postgres:/user:pw@host`, a typo, must not show its password either.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/{0,2}[^\s:@/?#"'\\]*):([^\s@/?#"'\\]+)@/gi;

export function maskUrlPasswords(text: string): string {
  return text.includes('@') ? text.replace(URL_PASSWORD, `$1:${REDACTED}@`) : text;
}

/** `maskSecrets` bound to a list of values, with the forms to look for computed once. */
export function secretMasker(secrets: Iterable<string>): (text: string) => string {
  const needles = [...new Set([...secrets].flatMap(formsOf))].sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = maskUrlPasswords(text);
    for (const needle of needles) {
      if (masked.includes(needle)) masked = masked.split(needle).join(REDACTED);
    }
    return masked;
  };
}

export function maskSecrets(text: string, secrets: Iterable<string>): string {
  return secretMasker(secrets)(text);
}

/** A value as it may appear in text: itself, inside a JSON string, in a URL; a PEM also line by line. */
function formsOf(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  if (value.includes('-----BEGIN')) {
    const body = value.replace(/\\n/g, '\n').split(/\r?\n/).map((line) => line.trim());
    forms.push(...body.filter((line) => line.length >= 16 && !line.startsWith('-----')));
  }
  return forms.filter((form) => form.length >= MIN_SECRET_LENGTH);
}
