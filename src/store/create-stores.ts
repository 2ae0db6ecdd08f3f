/**
 * Every store on one database, as the runtime, the service and the tests use them.
 */
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { IssueStore, OperationStore, RepositoryStore } from './issue-store.js';
import { createIssueStore } from './prisma-issue-store.js';
import { createIssueListingStore, type IssueListingStore } from './prisma-issue-listing-store.js';
import { createOperationStore } from './prisma-operation-store.js';
import { createProjectStore, type ProjectStore } from './prisma-project-store.js';
import { createRepositoryStore } from './prisma-repository-store.js';

export interface Stores {
  issues: IssueStore;
  issueListing: IssueListingStore;
  operations: OperationStore;
  repositories: RepositoryStore;
  projects: ProjectStore;
}

export function createStores(db: Database, options: { log?: Logger } = {}): Stores {
  return {
    issues: createIssueStore(db, options),
    issueListing: createIssueListingStore(db),
    operations: createOperationStore(db),
    repositories: createRepositoryStore(db),
    projects: createProjectStore(db),
  };
}
