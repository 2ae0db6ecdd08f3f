/**
 * What the GitHub App's handlers need: the database and stores, the sync job runner, a logger and
 * the metrics' recorders. Built once by the composition root (serve) and passed to every
 * registration function.
 */
import type { Database } from '../db/client.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { ProviderKind } from '../domain/items.js';
import type { ObserveRequests } from '../metrics/quota-label.js';
import type { GoneIssue } from '../store/prisma-gone-issue-store.js';
import type { Runtime } from '../runtime.js';

export interface GitHubAppDeps {
  db: Database;
  stores: Runtime['stores'];
  jobs: SyncJobs;
  log: Logger;
  clock?: () => Date;
  /** The metrics' observer of the requests the App's clients send, by whose quota they use. */
  observeRequests?: ObserveRequests;
  /** Counts a stored item closed because the host says it was deleted or transferred. */
  itemGone?: (provider: ProviderKind, reason: GoneIssue['reason']) => void;
}
