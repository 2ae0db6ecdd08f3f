/**
 * The stale check as its tests build it: the real stores on a test database, the tests' provider
 * opener (no rate-limit waits) and a check interval of their choice; `overrides` replace any part.
 */
import { loadConfig } from '../../src/config.js';
import type { TokenCipher } from '../../src/crypto/token-cipher.js';
import type { Database } from '../../src/db/client.js';
import { createStaleCheck, type StaleCheckDeps } from '../../src/jobs/stale-check.js';
import type { Logger } from '../../src/logger.js';
import { createServiceStateStore } from '../../src/store/service-state-store.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { fastProviderOpener } from './sync-runner.js';

export interface StaleCheckHarness {
  db: Database;
  jobs: StaleCheckDeps['jobs'];
  cipher: TokenCipher;
  log: Logger;
  intervalSeconds: number;
}

export function staleCheckOn(harness: StaleCheckHarness, overrides: Partial<StaleCheckDeps> = {}) {
  return createStaleCheck({
    health: createWebhookHealthStore(harness.db),
    jobs: harness.jobs,
    openProvider: fastProviderOpener(harness.cipher, harness.log),
    cipher: harness.cipher,
    config: { hosts: loadConfig({}).hosts, staleCheckIntervalSeconds: harness.intervalSeconds },
    log: harness.log,
    state: createServiceStateStore(harness.db),
    ...overrides,
  });
}

/** The clock of a check run `intervals` check intervals of `intervalSeconds` from now. */
export const intervalsFromNow = (intervalSeconds: number) => (intervals: number) => () =>
  new Date(Date.now() + intervals * intervalSeconds * 1000);
