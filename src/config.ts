/**
 * The only reader of the environment. `loadConfig(env)` parses every variable of the contract once;
 * a bad value stops start-up with one line that names the variable and says what is expected.
 */
import { z } from 'zod';
import type { ProviderKind } from './domain/items.js';
import { maskUrlPasswords } from './mask-secrets.js';
import { hasNoCredentials, maskUrlCredentials, URL_CREDENTIALS_MESSAGE } from './domain/url-credentials.js';
import { PROVIDER_DEFINITIONS } from './providers/index.js';

const emptyToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const url = () =>
  z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).refine(hasNoCredentials, URL_CREDENTIALS_MESSAGE).optional(),
  );
const seconds = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1 second')
      .default(fallback),
  );

const schema = z.object({
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  ISSUE_SYNC_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.data')),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be from 0 to 65535')
      .max(65535, 'must be from 0 to 65535')
      .default(3000),
  ),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? emptyToUndefined(value.toLowerCase()) : value),
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
  ENCRYPTION_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((value) => decodeKey(value) !== null, 'must be 32 bytes encoded in base64 (openssl rand -base64 32)')
      .optional(),
  ),
  APP_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'must be the numeric GitHub App id').optional()),
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  ADMIN_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters long').optional(),
  ),
  WEBHOOK_PROXY_URL: url(),
  STALE_CHECK_INTERVAL_S: seconds(300),
  STALE_CHECK_BUDGET_SHARE: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a share of the hourly quota, like 0.05 for 5%' })
      .gt(0, 'must be more than 0 (0.05 is 5% of the hourly quota)')
      .max(0.5, 'must be at most 0.5: the rest of the quota is for syncs')
      .default(0.05),
  ),
  POLL_INTERVAL_S: seconds(300),
});

/** Every host's API URL and webhook secret, named by its definition (GITHUB_API_URL, GITLAB_URL, …). */
const hostSchema = z.object(
  Object.fromEntries(
    PROVIDER_DEFINITIONS.flatMap((host) => [
      [host.apiUrlVariable, url()],
      [host.webhookSecretVariable, optionalString],
    ]),
  ) as Record<string, ReturnType<typeof url>>,
);

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  encryptionKey: Buffer | undefined;
  github: {
    appId: string | undefined;
    privateKey: string | undefined;
    privateKeyPath: string | undefined;
    webhookSecret: string | undefined;
    apiUrl: string;
  };
  /** Per host: the API (or instance) URL and the webhook secrets (old and new during a rotation). */
  hosts: Record<ProviderKind, { apiUrl: string; webhookSecrets: string[] }>;
  adminToken: string | undefined;
  webhookProxyUrl: string | undefined;
  staleCheckIntervalSeconds: number;
  /** Share of each installation's or token's hourly quota the stale checks may spend (0.05). */
  staleCheckBudgetShare: number;
  pollIntervalSeconds: number;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Decodes a base64 key; null unless it is exactly 32 bytes. */
export function decodeKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : null;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  const hostValues = hostSchema.safeParse(env);
  if (!parsed.success || !hostValues.success) {
    const issue = (parsed.error ?? hostValues.error)!.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const raw = env[variable];
    // The value helps to spot a typo, but never shows a secret: not the value of a secret variable,
    // nor the password of a URL (DATABASE_URL=postgres://user:PASSWORD@host).
    const shown = raw === undefined || /KEY|SECRET|TOKEN|PASSWORD/.test(variable) ? '' : ` (got "${maskUrlCredentials(maskUrlPasswords(raw))}")`;
    throw new ConfigError(variable, `${variable} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  const values = hostValues.data as Record<string, string | undefined>;
  const hosts = Object.fromEntries(
    PROVIDER_DEFINITIONS.map((host) => [
      host.kind,
      {
        apiUrl: stripTrailingSlash(values[host.apiUrlVariable] ?? host.defaultApiUrl),
        webhookSecrets: (values[host.webhookSecretVariable] ?? '')
          .split(',')
          .map((secret) => secret.trim())
          .filter((secret) => secret !== ''),
      },
    ]),
  ) as Config['hosts'];
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.ISSUE_SYNC_DATA_DIR,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    encryptionKey: e.ENCRYPTION_KEY === undefined ? undefined : decodeKey(e.ENCRYPTION_KEY)!,
    github: {
      appId: e.APP_ID,
      privateKey: e.PRIVATE_KEY,
      privateKeyPath: e.PRIVATE_KEY_PATH,
      webhookSecret: e.WEBHOOK_SECRET,
      apiUrl: hosts.github.apiUrl,
    },
    hosts,
    adminToken: e.ADMIN_TOKEN,
    webhookProxyUrl: e.WEBHOOK_PROXY_URL,
    staleCheckIntervalSeconds: e.STALE_CHECK_INTERVAL_S,
    staleCheckBudgetShare: e.STALE_CHECK_BUDGET_SHARE,
    pollIntervalSeconds: e.POLL_INTERVAL_S,
  };
}

function stripTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
