/**
 * What the HTTP API routes need, passed in by the composition root (serve/start-service.ts) or a test.
 */
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Database } from '../db/client.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { Provider } from '../providers/provider.js';
import type { OperationStore, RepositoryRecord, RepositoryStore } from '../store/issue-store.js';
import type { ProjectStore } from '../store/prisma-project-store.js';

export interface ApiDeps {
  db: Database;
  stores: { operations: OperationStore; repositories: RepositoryStore; projects: ProjectStore };
  jobs: SyncJobs;
  /** The provider for a repository connection (the same opener the sync jobs use). */
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  cipher: TokenCipher;
  /** `ADMIN_TOKEN`; unset: only user tokens are accepted. */
  adminToken?: string | undefined;
  log: Logger;
  clock?: () => Date;
  /** Auto mode runs a sync inline up to this many estimated issues (100), queued above. */
  inlineIssueLimit?: number;
  /** Auto mode waits this long for an inline sync (20 s) before answering 202 anyway. */
  inlineWaitMs?: number;
}
