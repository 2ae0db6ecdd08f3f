/**
 * What the GitHub App's handlers need: the database and stores, the sync job runner and a logger.
 * Built once by the composition root (serve) and passed to every registration function.
 */
import type { Database } from '../db/client.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';

export interface GitHubAppDeps {
  db: Database;
  stores: Runtime['stores'];
  jobs: SyncJobs;
  log: Logger;
  clock?: () => Date;
}
