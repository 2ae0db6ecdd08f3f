/**
 * Structured logging with pino: a fixed message, data in fields, child loggers per operation, and no
 * secret in any line. Each line is checked once it is serialized (errors, bindings and all), cheaply:
 * - a field named like a secret (token, password, secret, authorization, cookie, private key,
 *   signature, …) is replaced at any depth, in request headers inside an error's cause as much as
 *   at the top; the line is re-parsed only when such a name occurs in it;
 * - a known secret value (the configured ones: `secrets`) is replaced wherever it shows, inside a URL
 *   or a message, and so is the password part of any URL.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { REDACTED, secretMasker } from './mask-secrets.js';

export type { Logger };

/** Names (lower-cased, without - and _) whose values are secrets, wherever they sit. */
const SECRET_FIELD = /(token|secret|password|passwd|authorization|cookie|privatekey|signature|signature256|credentials?|apikey)s?$/;
/** A quick look at a serialized line for a key that SECRET_FIELD might match, before parsing it. */
const SECRET_KEY_IN_JSON = /(?:token|secret|passw|authorization|cookie|private[-_]?key|signature|credential|api[-_]?key)[^"\\]*"\s*:/i;

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Secret values to hide wherever they appear (secretValues(env) gives the configured ones). */
  secrets?: Iterable<string>;
}

export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'issue-sync',
      level: options.level ?? 'info',
      base: undefined,
      hooks: { streamWrite: redactLine(options.secrets ?? []) },
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** The last step of every line: secret fields at any depth, then secret values and URL passwords. */
export function redactLine(secrets: Iterable<string>): (line: string) => string {
  const mask = secretMasker(secrets);
  return (line) => mask(SECRET_KEY_IN_JSON.test(line) ? redactFields(line) : line);
}

function redactFields(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  return `${JSON.stringify(redactValue(parsed))}\n`;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = isSecretField(key, field) ? REDACTED : redactValue(field);
  }
  return copy;
}

function isSecretField(key: string, value: unknown): boolean {
  // A count or a flag (`tokens: 3`, `hasToken: true`) tells nothing secret.
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return false;
  return SECRET_FIELD.test(key.toLowerCase().replace(/[-_]/g, ''));
}

/** A logger that writes nothing, for tests and quiet CLI runs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
