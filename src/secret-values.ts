/**
 * The secret values a process knows from its environment, for masking: every variable whose name says
 * it holds one (…KEY, …SECRET, …TOKEN, …PASSWORD, credentials), each part of a comma-separated list
 * (webhook secrets during a rotation), and the password of every URL-valued variable (DATABASE_URL).
 * Names that only point at a secret (PRIVATE_KEY_PATH) end otherwise, and are not taken.
 */
const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)S?$/i;

export function secretValues(env: Record<string, string | undefined>, extra: readonly (string | undefined)[] = []): string[] {
  const values = new Set<string>();
  const add = (value: string | undefined) => {
    const trimmed = value?.trim();
    if (trimmed) values.add(trimmed);
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) {
      add(value);
      for (const part of value.split(',')) add(part);
    }
    for (const password of urlPasswords(value)) add(password);
  }
  for (const value of extra) add(value);
  return [...values];
}

/** The passwords of the URLs in a value, as written and decoded. */
function urlPasswords(value: string): string[] {
  if (!value.includes('://')) return [];
  const passwords: string[] = [];
  for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:([^\s@/?#]+)@/gi)) {
    const raw = match[1]!;
    passwords.push(raw);
    try {
      passwords.push(decodeURIComponent(raw));
    } catch {
      // not valid percent-encoding: the raw form is what can show
    }
  }
  return passwords;
}
