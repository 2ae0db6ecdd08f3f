/**
 * What the sync runner tests (and their child process) share: stores on a database, a provider
 * opener that decrypts the connection's token like the service does but gives up on a rate limit at
 * once and retries 5xx quickly, and a pg-boss runner tuned to poll and retry in a blink.
 */
import type { Database } from '../../src/db/client.js';
import type { TokenCipher } from '../../src/crypto/token-cipher.js';
import { createPgBossSyncJobs, type PgBossSyncJobs, type PgBossSyncJobsDeps } from '../../src/jobs/pg-boss-sync-jobs.js';
import type { Logger } from '../../src/logger.js';
import { createProvider } from '../../src/providers/index.js';
import type { RepositoryRecord } from '../../src/store/issue-store.js';
import { createStores } from '../../src/store/create-stores.js';

export function storesOf(db: Database) {
  return createStores(db);
}

export function fastProviderOpener(cipher: TokenCipher, log: Logger) {
  return async (repository: RepositoryRecord) =>
    createProvider(repository.provider, {
      repo: repository.fullPath,
      apiUrl: repository.apiUrl!,
      token: cipher.decrypt(repository.encryptedToken!),
      maxRateLimitWaitMs: 0,
      retryBaseMs: 5,
      log,
    });
}

export function startTestRunner(
  db: Database,
  options: { cipher: TokenCipher; log: Logger } & Partial<PgBossSyncJobsDeps>,
) {
  const { cipher, log, ...overrides } = options;
  return createPgBossSyncJobs({
    pool: db.pool,
    stores: storesOf(db),
    openProvider: fastProviderOpener(cipher, log),
    log,
    pollingIntervalSeconds: 0.5,
    policy: { retryDelaySeconds: 1, retryDelayMaxSeconds: 2, heartbeatSeconds: 10 },
    staleAfterMs: 1000,
    waitPollMs: 100,
    progressEveryMs: 0,
    ...overrides,
  });
}

/**
 * The same runner for set-ups that cannot wait for it (a harness made synchronously): every call
 * waits for the runner to be up first. A runner that fails to start fails every call with its error.
 */
export function deferredTestRunner(
  db: Database,
  options: { cipher: TokenCipher; log: Logger } & Partial<PgBossSyncJobsDeps>,
): Pick<PgBossSyncJobs, 'start' | 'waitFor' | 'addListener' | 'cancel' | 'close'> {
  const ready = startTestRunner(db, options);
  ready.catch(() => undefined);
  return {
    start: async (input) => (await ready).start(input),
    waitFor: async (operationId) => (await ready).waitFor(operationId),
    // Listeners are added before any start this wrapper passes on: both wait on the same promise, in order.
    addListener: (listener) => {
      void ready.then((jobs) => jobs.addListener(listener), () => undefined);
    },
    cancel: async (operationId) => (await ready).cancel(operationId),
    close: async () => (await ready).close(),
  };
}
