/**
 * `issue-sync doctor`: checks configuration, the database, the encryption key, the hosts that
 * connected repositories use and webhook health, and prints one line per check with what to do
 * about anything wrong. Changes nothing (migrations are reported, not applied). Exit 1 on a problem.
 */
import { PROVIDER_DEFINITIONS, providerDefinition } from '../../providers/index.js';
import type { ProviderKind } from '../../domain/items.js';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import { loadEncryptionKey } from '../../crypto/load-encryption-key.js';
import { createTokenCipher } from '../../crypto/token-cipher.js';
import { createDatabase, type Database } from '../../db/client.js';
import { startEmbeddedPostgres } from '../../db/embedded.js';
import { pendingMigrations } from '../../db/migrate.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CliIo } from '../run-cli.js';
import { WEBHOOK_STATES, WEBHOOK_STATE_MEANING } from '../webhook-states.js';

type Check = { ok: boolean; label: string; detail: string };
type Add = (ok: boolean, label: string, detail: string, explanation?: string[]) => void;

export async function runDoctor(
  { io, log, config }: { io: CliIo; log: Logger; config: Config },
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  const checks: Check[] = [];
  const add: Add = (ok, label, detail, explanation = []) => {
    checks.push({ ok, label, detail });
    io.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${label}: ${detail}\n`);
    for (const line of explanation) io.stdout.write(`        ${line}\n`);
  };

  const app = [config.github.appId, config.github.privateKey ?? config.github.privateKeyPath, config.github.webhookSecret];
  const appSet = app.filter(Boolean).length;
  if (appSet === 0) add(true, 'GitHub App', 'not configured (CLI syncs with --token still work)');
  else if (appSet < 3) add(false, 'GitHub App', 'set all of APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET');
  else add(true, 'GitHub App', `app ${config.github.appId}`);
  if (config.github.privateKeyPath) {
    const readable = await access(config.github.privateKeyPath).then(() => true, () => false);
    add(readable, 'PRIVATE_KEY_PATH', readable ? config.github.privateKeyPath : `${config.github.privateKeyPath} cannot be read`);
  }

  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  let db: Database | null = null;
  try {
    embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, log });
    db = createDatabase(config.databaseUrl ?? embedded!.url, { max: 2 });
    const { rows } = await db.pool.query<{ server_version: string }>('SHOW server_version');
    add(true, 'database', `PostgreSQL ${rows[0]!.server_version}${embedded ? ` (embedded; its files are in ${embedded.clusterDir})` : ''}`);
    const pending = await pendingMigrations(db.pool);
    add(pending.length === 0, 'migrations', pending.length === 0 ? 'up to date' : `${pending.length} pending: run "issue-sync migrate"`);
    if (pending.length === 0) await checkData(db, config, add, fetchImpl);
  } catch (error) {
    add(false, 'database', errorMessage(error));
  } finally {
    await db?.close();
    await embedded?.stop();
  }
  const failed = checks.filter((check) => !check.ok).length;
  io.stdout.write(failed === 0 ? 'Everything looks right.\n' : `${failed} problem(s) found.\n`);
  return failed === 0 ? 0 : 1;
}

type Connection = {
  provider: ProviderKind;
  apiUrl: string | null;
  encryptedToken: string | null;
  installationId: string | null;
  webhookStatus: string;
  webhookReason: string | null;
  fullPath: string;
};

async function checkData(db: Database, config: Config, add: Add, fetchImpl: typeof fetch) {
  const connections: Connection[] = await db.prisma.repositoryConnection.findMany({
    where: { active: true },
    select: {
      provider: true,
      apiUrl: true,
      encryptedToken: true,
      installationId: true,
      webhookStatus: true,
      webhookReason: true,
      fullPath: true,
    },
  });
  await checkEncryptionKey(connections, config, add);

  const hosts = new Set(connections.map((c) => c.apiUrl ?? config.hosts[c.provider].apiUrl));
  if (config.github.appId) hosts.add(config.github.apiUrl);
  for (const host of hosts) {
    try {
      const response = await fetchImpl(host, { signal: AbortSignal.timeout(5000) });
      add(true, `host ${host}`, `reachable (HTTP ${response.status})`);
    } catch (error) {
      add(false, `host ${host}`, `unreachable: ${errorMessage(error)}`);
    }
  }

  checkWebhooks(connections, config, add);
  checkWebhookSecrets(connections, config, add);
}

/** A polled host's connections can take webhooks only once its secret is set (unsigned deliveries are refused). */
function checkWebhookSecrets(connections: Connection[], config: Config, add: Add) {
  for (const host of PROVIDER_DEFINITIONS) {
    if (!host.webhookHandler || !connections.some((c) => c.provider === host.kind)) continue;
    const set = config.hosts[host.kind].webhookSecrets.length > 0;
    add(
      true,
      `${host.label} webhooks`,
      set
        ? `received at ${host.webhookPath}`
        : `${host.webhookSecretVariable} is not set, so ${host.webhookPath} refuses deliveries; the repositories are still polled every ${config.pollIntervalSeconds} s`,
    );
  }
}

/**
 * Webhook health counted per state, with what each state means and what to do: "none stale" alone
 * read as healthy when every repository was inactive (synced only from the CLI, no App at all).
 */
function checkWebhooks(connections: Connection[], config: Config, add: Add) {
  if (connections.length === 0) {
    add(true, 'webhooks', 'no connected repositories yet');
    return;
  }
  const inState = (state: string) => connections.filter((c) => c.webhookStatus === state);
  const [active, stale, inactive] = WEBHOOK_STATES.map(inState) as [Connection[], Connection[], Connection[]];
  add(
    stale.length === 0,
    'webhooks',
    `${connections.length} connected repositor${connections.length === 1 ? 'y' : 'ies'}: ` +
      `${active.length} active, ${stale.length} stale, ${inactive.length} inactive`,
    [
      ...(active.length > 0 ? [`active (${active.length}): ${WEBHOOK_STATE_MEANING.active}.`] : []),
      ...(stale.length > 0 ? [`stale (${stale.length}: ${names(stale)}): ${WEBHOOK_STATE_MEANING.stale}.`, ...reasons(stale)] : []),
      ...inactiveAdvice(inactive, config),
    ],
  );
}

function inactiveAdvice(inactive: Connection[], config: Config): string[] {
  const polled = inactive.filter((c) => providerDefinition(c.provider).pollSyncType !== null);
  const viaApp = inactive.filter((c) => c.installationId);
  const withoutApp = inactive.filter((c) => !c.installationId && !polled.includes(c));
  const lines: string[] = [];
  if (polled.length > 0) {
    lines.push(
      `inactive (${polled.length} polled: ${names(polled)}): no webhook deliveries, so they are synced by polling every ` +
        `${config.pollIntervalSeconds} s; add a webhook at the host for changes as they happen.`,
      ...reasons(polled),
    );
  }
  if (withoutApp.length > 0) {
    lines.push(
      `inactive (${withoutApp.length}: ${names(withoutApp)}): no webhook deliveries, so changes are found by a check every ` +
        `${config.staleCheckIntervalSeconds} s instead of as they happen: install the GitHub App on it to get them at once` +
        `${config.github.appId ? '.' : ' (the App is not configured here: see APP_ID in .env.example).'}`,
    );
  }
  if (viaApp.length > 0) {
    lines.push(
      `inactive (${viaApp.length} through the GitHub App: ${names(viaApp)}): the App's installation is suspended, so no ` +
        "deliveries arrive: unsuspend it in the account's GitHub settings (Applications), then run a sync to catch up.",
    );
  }
  return lines;
}

/** What the checks said about each repository, for the first few. */
function reasons(connections: Connection[]): string[] {
  return connections.filter((c) => c.webhookReason).slice(0, 5).map((c) => `  ${c.fullPath}: ${c.webhookReason}`);
}

function names(connections: Connection[]): string {
  const shown = connections.slice(0, 5).map((c) => c.fullPath);
  return connections.length > shown.length ? `${shown.join(', ')} and ${connections.length - shown.length} more` : shown.join(', ');
}

async function checkEncryptionKey(connections: Connection[], config: Config, add: Add) {
  const keyFile = join(config.dataDir, 'encryption.key');
  if (!config.encryptionKey && !(await access(keyFile).then(() => true, () => false))) {
    const stored = connections.some((c) => c.encryptedToken);
    add(!stored, 'encryption key', stored ? `${keyFile} is missing: restore it or set ENCRYPTION_KEY` : `none yet: generated into ${keyFile} on first start`);
    return;
  }
  const key = await loadEncryptionKey(config.encryptionKey, config.dataDir);
  const cipher = createTokenCipher(key.key);
  const unreadable = connections.filter((c) => {
    if (!c.encryptedToken) return false;
    try {
      cipher.decrypt(c.encryptedToken);
      return false;
    } catch {
      return true;
    }
  });
  add(
    unreadable.length === 0,
    'encryption key',
    unreadable.length === 0
      ? `${key.source === 'env' ? 'ENCRYPTION_KEY' : key.path} (key id ${cipher.keyId})`
      : `cannot decrypt the tokens of ${unreadable.map((c) => c.fullPath).join(', ')}: set ENCRYPTION_KEY to the key they were stored with`,
  );
}
