/**
 * What the GitHub App's handlers need: the database and stores, the sync job runner and a logger.
 * Built once by the composition root (serve) and passed to every registration function.
 */
import type { Database } from '../db/client.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { RequestObserver } from '../providers/http/polite-http.js';
import type { RepositoryRecord } from '../store/issue-store.js';
import type { Runtime } from '../runtime.js';

export interface GitHubAppDeps {
  db: Database;
  stores: Runtime['stores'];
  jobs: SyncJobs;
  log: Logger;
  clock?: () => Date;
  /** The metrics' observer of the requests an installation's provider sends for this repository. */
  observeRequests?: (repository: RepositoryRecord, token: string | undefined) => RequestObserver;
}
