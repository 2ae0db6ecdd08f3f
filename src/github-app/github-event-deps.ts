/**
 * What the App's own event handlers need besides GitHubAppDeps: the installation stores, the host's
 * API URL (for repository web URLs), the background runner for work not awaited by a webhook, and
 * what the receiver looked up with the delivery.
 */
import type { GoneIssueStore } from '../store/prisma-gone-issue-store.js';
import type { InstallationRepositoryStore } from '../store/prisma-installation-repository-store.js';
import type { InstallationStore } from '../store/prisma-installation-store.js';
import type { BackgroundTasks } from '../webhooks/background-tasks.js';
import type { DeliveryTargets } from './delivery-targets.js';
import type { GitHubAppDeps } from './github-app-deps.js';

export interface GitHubEventDeps extends GitHubAppDeps {
  clock: () => Date;
  installations: InstallationStore;
  installationRepositories: InstallationRepositoryStore;
  goneIssues: GoneIssueStore;
  /** GITHUB_API_URL. */
  apiUrl: string;
  background: BackgroundTasks;
  /** What the receiver looked up with each delivery's claim, for its handlers. */
  deliveryTargets: DeliveryTargets;
}
