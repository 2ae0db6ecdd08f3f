/**
 * What every command that touches data needs, opened once: the database (embedded PostgreSQL when
 * DATABASE_URL is unset), migrations, the token cipher and the stores. `close()` releases all of it,
 * stopping an embedded server this process started.
 */
import type { Config } from './config.js';
import type { TokenCipher } from './crypto/token-cipher.js';
import type { Database } from './db/client.js';
import type { EmbeddedPostgres } from './db/embedded.js';
import type { Logger } from './logger.js';
import type { Stores } from './store/create-stores.js';

export interface Runtime {
  config: Config;
  log: Logger;
  db: Database;
  cipher: TokenCipher;
  stores: Stores;
  /** Migrations applied while opening. */
  appliedMigrations: string[];
  /** Where the database is, without credentials, for messages. */
  databaseLabel: string;
  /** Lines a command that prints its start (serve) shows the user, e.g. where a relocated embedded cluster lives. */
  notices: string[];
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /**
   * Called once loading modules no longer holds up the database (embedded PostgreSQL spawned and
   * booting, or DATABASE_URL set): the moment to import what the command needs.
   */
  whileStarting?: () => void;
}

export async function openRuntime(config: Config, log: Logger, options: OpenRuntimeOptions = {}): Promise<Runtime> {
  // PostgreSQL boots in a process of its own for a few hundred ms. Modules are imported here, not at
  // the top (so `--help` loads none of them), and only once the postmaster is spawned: loading them
  // earlier would hold up the spawn by as long as they take.
  let spawned = () => {};
  const booting = new Promise<void>((resolve) => (spawned = resolve));
  const starting: Promise<EmbeddedPostgres | null> = config.databaseUrl
    ? Promise.resolve(null)
    : import('./db/embedded.js').then(({ startEmbeddedPostgres }) =>
        startEmbeddedPostgres({ dataDir: config.dataDir, log, onSpawned: spawned }),
      );
  // A server already running (or a failed start) resolves `starting` without a spawn.
  await Promise.race([booting, starting.then(() => undefined, () => undefined)]);
  options.whileStarting?.();
  const loading = Promise.all([
    import('./db/client.js'),
    import('./db/migrate.js'),
    import('./store/create-stores.js'),
    import('./crypto/token-cipher.js'),
    import('./crypto/load-encryption-key.js').then(({ loadEncryptionKey }) => loadEncryptionKey(config.encryptionKey, config.dataDir)),
  ]);
  const [started, loaded] = await Promise.allSettled([starting, loading]);
  const embedded = started.status === 'fulfilled' ? started.value : null;
  let db: Database | undefined;
  try {
    if (started.status === 'rejected') throw started.reason;
    if (loaded.status === 'rejected') throw loaded.reason;
    const [{ createDatabase }, { migrate }, { createStores }, { createTokenCipher }, { key }] = loaded.value;
    const url = config.databaseUrl ?? embedded!.url;
    db = createDatabase(url);
    const appliedMigrations = await migrate(db.pool, { log });
    const opened = db;
    return {
      config,
      log,
      db: opened,
      cipher: createTokenCipher(key),
      stores: createStores(opened, { log }),
      appliedMigrations,
      databaseLabel: labelOf(url, embedded !== null),
      notices: embedded?.notice ? [embedded.notice] : [],
      async close() {
        await opened.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

function labelOf(url: string, embedded: boolean): string {
  try {
    const parsed = new URL(url);
    const where = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
    return embedded ? `embedded PostgreSQL at ${where}` : `PostgreSQL at ${where}`;
  } catch {
    return embedded ? 'embedded PostgreSQL' : 'PostgreSQL';
  }
}
