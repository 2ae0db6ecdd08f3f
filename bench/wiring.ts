/**
 * The benchmark's sync, wired the way `issue-sync sync` wires it (src/cli/commands/sync.ts): the
 * project, the provider's repository read, the repository connection, a claimed operation, then
 * `syncRepository` with the PostgreSQL stores. Only the progress bar is left out.
 */
import type { Database } from '../src/db/client.js';
import type { ProviderKind } from '../src/domain/items.js';
import { claimOperation } from '../src/jobs/claim-operation.js';
import { processOwnerId } from '../src/jobs/process-owner.js';
import type { Logger } from '../src/logger.js';
import { createProvider } from '../src/providers/index.js';
import type { Provider } from '../src/providers/provider.js';
import type { SyncType } from '../src/store/issue-store.js';
import { syncRepository, type SyncOutcome } from '../src/sync/sync-repository.js';
import { createStores, type Stores } from '../src/store/create-stores.js';

export type { Stores };

/** The stores as src/runtime.ts opens them. */
export function openStores(db: Database, log: Logger): Stores {
  return createStores(db, { log });
}

/** A provider as the CLI opens it (src/cli/open-provider.ts), pointed at a simulator. */
export function openHostProvider(kind: ProviderKind, options: { apiUrl: string; repo: string; token?: string; log: Logger }): Promise<Provider> {
  return createProvider(kind, { repo: options.repo, apiUrl: options.apiUrl, log: options.log, ...(options.token ? { token: options.token } : {}) });
}

/** A GitHub provider as the CLI opens it (src/cli/open-provider.ts), pointed at the simulator. */
export function openGitHubProvider(apiUrl: string, repo: string, log: Logger): Promise<Provider> {
  return createProvider('github', { repo, apiUrl, log });
}

export interface BenchSyncResult {
  outcome: SyncOutcome;
  projectId: string;
  repositoryId: string;
  ms: number;
}

export async function syncLikeCli(
  stores: Stores,
  provider: Provider,
  options: { project: string; syncType: SyncType; includeClosed: boolean; log: Logger; signal?: AbortSignal },
): Promise<BenchSyncResult> {
  const started = performance.now();
  const project = await stores.projects.ensure(options.project);
  const known = await stores.repositories.findByPath(project.id, provider.kind, provider.repo);
  const info = await provider.repository(options.signal);
  const connection = await stores.repositories.connect({
    projectId: project.id,
    provider: provider.kind,
    fullPath: info.fullName,
    url: info.url,
    apiUrl: known?.apiUrl ?? null,
    externalRepoId: info.id,
  });
  const claim = await claimOperation(stores.operations, {
    projectId: project.id,
    repositoryId: connection.id,
    syncType: options.syncType,
    includeClosed: options.includeClosed,
    trigger: 'cli',
    jobId: processOwnerId('cli'),
  });
  if (claim.status !== 'claimed') throw new Error(`A sync of ${info.fullName} is already running in ${options.project}.`);
  const outcome = await syncRepository(
    { issues: stores.issues, operations: stores.operations, repositories: stores.repositories, log: options.log },
    {
      operationId: claim.operation.id,
      projectId: project.id,
      repositoryId: connection.id,
      provider,
      syncType: options.syncType,
      includeClosed: options.includeClosed,
      resumeFrom: claim.resumeFrom,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const ms = performance.now() - started;
  if (outcome.status !== 'completed') {
    const reason = 'error' in outcome ? `: ${outcome.error}` : '';
    throw new Error(`The benchmark sync into ${options.project} ended ${outcome.status}${reason}`);
  }
  return { outcome, projectId: project.id, repositoryId: connection.id, ms };
}

/** Rows stored in a project, by kind. */
export async function countRows(db: Database, projectId: string): Promise<{ issues: number; alerts: number; total: number }> {
  const result = await db.pool.query<{ kind: string; count: string }>(
    'SELECT kind::text AS kind, count(*) AS count FROM "Issue" WHERE "projectId" = $1::uuid GROUP BY kind',
    [projectId],
  );
  const by = new Map(result.rows.map((row) => [row.kind, Number(row.count)]));
  const issues = by.get('issue') ?? 0;
  const alerts = by.get('security_alert') ?? 0;
  return { issues, alerts, total: issues + alerts };
}
