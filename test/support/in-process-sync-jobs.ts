/**
 * A SyncJobs runner without a queue, for tests that need syncs to run at once and in this process
 * (the service runs src/jobs/pg-boss-sync-jobs.ts). A sync that hits an exhausted rate limit sleeps
 * on a timer until the reset and continues from its checkpoint; closing cancels running syncs
 * between pages.
 */
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { Provider } from '../../src/providers/provider.js';
import type {
  IssueStore,
  OperationRecord,
  OperationStore,
  RepositoryRecord,
  RepositoryStore,
  SyncCheckpoint,
} from '../../src/store/issue-store.js';
import { syncRepository } from '../../src/sync/sync-repository.js';
import { claimOperation } from '../../src/jobs/claim-operation.js';
import { processOwnerId } from '../../src/jobs/process-owner.js';
import { createOperationListeners } from '../../src/jobs/operation-listeners.js';
import type { StartSyncInput, SyncJobs } from '../../src/jobs/sync-jobs.js';

export interface InProcessSyncJobsDeps {
  stores: { issues: IssueStore; operations: OperationStore; repositories: RepositoryStore };
  /** The provider for a connected repository (decrypted token, or the GitHub App's installation client). */
  openProvider(repository: RepositoryRecord): Promise<Provider>;
  log: Logger;
  /** How often listeners hear about progress (5 s). */
  progressEveryMs?: number;
  clock?: () => Date;
}

export function createInProcessSyncJobs(deps: InProcessSyncJobsDeps): SyncJobs {
  const { stores, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const listeners = createOperationListeners(log);
  const running = new Map<string, Promise<OperationRecord | null>>();
  const controller = new AbortController();
  const owner = processOwnerId('serve');

  const notify = listeners.notify;

  const fail = async (operation: OperationRecord, error: unknown) => {
    await stores.operations.finish(operation.id, { status: 'failed', results: operation.results, error: errorMessage(error) });
  };

  async function run(operation: OperationRecord, input: StartSyncInput, resumeFrom: SyncCheckpoint | null) {
    const child = log.child({ operationId: operation.id, repositoryId: input.repositoryId });
    try {
      const repository = await stores.repositories.get(input.repositoryId);
      if (!repository) throw new Error('The repository connection no longer exists.');
      const provider = await deps.openProvider(repository);
      let lastNotified = 0;
      for (let checkpoint = resumeFrom; ; ) {
        const outcome = await syncRepository(
          { ...stores, clock, log: child },
          {
            operationId: operation.id,
            projectId: input.projectId,
            repositoryId: input.repositoryId,
            provider,
            syncType: input.syncType,
            includeClosed: input.includeClosed,
            since: input.since ?? null,
            resumeFrom: checkpoint,
            signal: controller.signal,
            pauseOnRateLimit: true,
            onProgress: (progress, results) => {
              const now = clock().getTime();
              if (now - lastNotified < (deps.progressEveryMs ?? 5000)) return;
              lastNotified = now;
              void notify({ ...operation, status: 'running', progress, results }, 'progress');
            },
          },
        );
        if (outcome.status !== 'waiting') break;
        child.info({ resumeAt: outcome.resumeAt }, 'sync waits for the rate limit to reset');
        // People watching the operation see why it waits and until when.
        const current = await stores.operations.get(operation.id);
        if (current) {
          const progress = { ...current.progress, rateLimitRemaining: 0, rateLimitResetAt: outcome.resumeAt.toISOString() };
          await stores.operations.saveProgress(operation.id, progress, outcome.results);
          await notify({ ...current, progress }, 'progress');
        }
        await waitUntil(outcome.resumeAt, clock, controller.signal);
        checkpoint = outcome.checkpoint;
      }
    } catch (error) {
      child.warn({ err: error }, 'sync could not run');
      await fail(operation, controller.signal.aborted ? new Error('The service stopped during the sync.') : error).catch(() => undefined);
    }
    const finished = await stores.operations.get(operation.id);
    if (finished) await notify(finished, 'finished');
    return finished;
  }

  return {
    async start(input) {
      if (controller.signal.aborted) throw new Error('The sync runner is shutting down.');
      const claim = await claimOperation(stores.operations, { ...input, jobId: owner }, { clock });
      if (claim.status === 'already_running') return claim;
      const { operation, resumeFrom } = claim;
      const done = run(operation, input, resumeFrom).finally(() => running.delete(operation.id));
      running.set(operation.id, done);
      return { status: 'started', operation };
    },

    async waitFor(operationId) {
      return (await running.get(operationId)) ?? stores.operations.get(operationId);
    },

    addListener(listener) {
      listeners.add(listener);
    },

    async close() {
      controller.abort(new Error('The service is stopping.'));
      await Promise.allSettled(running.values());
    },
  };
}

async function waitUntil(at: Date, clock: () => Date, signal: AbortSignal): Promise<void> {
  const ms = Math.max(0, at.getTime() - clock().getTime());
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
