/**
 * What every command that touches data needs, opened once: the database (embedded PostgreSQL when
 * DATABASE_URL is unset), migrations, the token cipher and the stores. `close()` releases all of it,
 * stopping an embedded server this process started.
 */
import type { Config } from './config.js';
import { loadEncryptionKey } from './crypto/load-encryption-key.js';
import { createTokenCipher, type TokenCipher } from './crypto/token-cipher.js';
import { createDatabase, type Database } from './db/client.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrate } from './db/migrate.js';
import type { Logger } from './logger.js';
import { createStores, type Stores } from './store/create-stores.js';

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
  close(): Promise<void>;
}

export async function openRuntime(config: Config, log: Logger): Promise<Runtime> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, log });
  const url = config.databaseUrl ?? embedded!.url;
  let db: Database | undefined;
  try {
    db = createDatabase(url);
    const appliedMigrations = await migrate(db.pool, { log });
    const { key } = await loadEncryptionKey(config.encryptionKey, config.dataDir);
    const opened = db;
    return {
      config,
      log,
      db: opened,
      cipher: createTokenCipher(key),
      stores: createStores(opened, { log }),
      appliedMigrations,
      databaseLabel: labelOf(url, embedded !== null),
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
