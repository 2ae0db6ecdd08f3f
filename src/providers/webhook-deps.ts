/**
 * What a host's webhook routes need from the service, passed in by the composition root.
 */
import type { Database } from '../db/client.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { Logger } from '../logger.js';
import type { ObserveRequests } from '../metrics/quota-label.js';
import type { IssueStore, RepositoryRecord, RepositoryStore, OperationStore } from '../store/issue-store.js';
import type { WebhookDeliveryStore } from '../store/prisma-webhook-delivery-store.js';
import type { WebhookHealthStore } from '../store/webhook-health-store.js';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Provider } from './provider.js';
import type { BackgroundTasks } from '../webhooks/background-tasks.js';

export interface HostWebhookDeps {
  db: Database;
  stores: { issues: IssueStore; operations: OperationStore; repositories: RepositoryStore };
  deliveries: WebhookDeliveryStore;
  health: WebhookHealthStore;
  jobs: SyncJobs;
  cipher: TokenCipher;
  /** The secrets a delivery may be signed with (old and new during a rotation); empty: not configured. */
  secrets: readonly string[];
  /** The configured API URL of this host (a connection's own `apiUrl` wins). */
  apiUrl: string;
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  /** The metrics' observer of the requests a handler sends itself with a connection's token (GitLab's /sync replies). */
  observeRequests?: ObserveRequests;
  log: Logger;
  clock: () => Date;
  /**
   * Runs what a delivery starts but the host should not wait for (a /sync note's API calls); the
   * service passes its own, drained at shutdown. Absent: the handler keeps a runner of its own.
   */
  background?: BackgroundTasks;
}
