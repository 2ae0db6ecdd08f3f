/**
 * The sync engine (IssueSyncService): streams a repository's issues and security alerts from a
 * provider into the issue store, page by page, with the duplicate matcher in between.
 *
 * Per page: one query for the stored externalIds, one for title candidates (only when some items
 * are new), then one bulk upsert per batch of 50. The next page is fetched while this one is
 * written. After every page the cursor, counts and watermarks are checkpointed with the operation,
 * so a killed sync resumes where it stopped and refetches at most one page.
 *
 * It knows nothing of Probot, Hono, Prisma or the environment: everything comes in as arguments.
 */
import { CancelledError, ProviderError, errorMessage } from '../errors.js';
import type { ExternalIssue, ListOptions, Page, Provider } from '../providers/provider.js';
import type {
  IssueStore,
  IssueWrite,
  OperationStore,
  RepositoryStore,
  SyncCheckpoint,
  SyncResults,
  SyncType,
} from '../store/issue-store.js';
import { externalIdOf } from './external-id.js';
import { matchIssues, unmatchedItems } from './match-issue.js';
import { prefetch } from './prefetch.js';
import { ProgressTracker } from './progress-tracker.js';

export type SyncPart = 'issues' | 'security';

export interface SyncLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface SyncEngineDeps {
  issues: IssueStore;
  operations: OperationStore;
  /** Records lastSyncAt and watermarks on the repository connection after a completed sync. */
  repositories?: RepositoryStore;
  clock?: () => Date;
  log?: SyncLogger;
  /** Items per bulk write (50). */
  batchSize?: number;
  /** Intermediate progress is written after at least this many items (10)… */
  progressEveryItems?: number;
  /** …and no more often than this (250 ms). Every page's checkpoint writes progress too. */
  progressMinIntervalMs?: number;
}

export interface SyncRequest {
  operationId: string;
  projectId: string;
  repositoryId: string | null;
  provider: Provider;
  syncType: SyncType;
  includeClosed: boolean;
  /** Incremental sync: only items updated at or after these instants. */
  since?: { issues: Date | null; security: Date | null } | null;
  /** Continue a sync that stopped (crash, rate limit) from its last checkpoint. */
  resumeFrom?: SyncCheckpoint | null;
  signal?: AbortSignal;
  /** Called after every batch, for progress bars; never awaited. */
  onProgress?: (progress: ReturnType<ProgressTracker['snapshot']>, results: SyncResults) => void;
  /**
   * When the primary rate limit runs out far from its reset: true returns `waiting` with the
   * checkpoint (a job queue puts the job back until `resumeAt`); false fails the sync with the reason.
   */
  pauseOnRateLimit?: boolean;
}

export type SyncOutcome =
  | { status: 'completed'; results: SyncResults; watermarks: { issues: Date | null; security: Date | null } }
  | { status: 'failed'; results: SyncResults; error: string; errorCode: string }
  | { status: 'cancelled'; results: SyncResults }
  | { status: 'waiting'; results: SyncResults; resumeAt: Date; checkpoint: SyncCheckpoint; error: string };

export function partsOf(syncType: SyncType): SyncPart[] {
  if (syncType === 'issues') return ['issues'];
  if (syncType === 'security') return ['security'];
  return ['issues', 'security'];
}

export async function syncRepository(deps: SyncEngineDeps, request: SyncRequest): Promise<SyncOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const batchSize = deps.batchSize ?? 50;
  const { operations, issues } = deps;
  const { operationId, provider } = request;
  const log = deps.log;
  const resume = request.resumeFrom ?? null;
  const tracker = new ProgressTracker(
    clock,
    { everyItems: deps.progressEveryItems ?? 10, minIntervalMs: deps.progressMinIntervalMs ?? 250 },
    resume ? { results: resume.results, processed: resume.processed } : undefined,
  );
  const done = new Set<SyncPart>(resume?.done ?? []);
  const watermarks = {
    issues: resume?.watermarks.issues ? new Date(resume.watermarks.issues) : null,
    security: resume?.watermarks.security ? new Date(resume.watermarks.security) : null,
  };
  const scope = { projectId: request.projectId, repositoryId: request.repositoryId };
  let currentPart: SyncPart = resume?.part ?? 'issues';
  let lastCursor: string | null = resume?.cursor ?? null;

  const checkpoint = (): SyncCheckpoint => ({
    part: currentPart,
    cursor: lastCursor,
    done: [...done],
    results: tracker.results,
    processed: tracker.processed,
    watermarks: {
      issues: watermarks.issues?.toISOString() ?? null,
      security: watermarks.security?.toISOString() ?? null,
    },
  });
  const report = () => request.onProgress?.(tracker.snapshot(), tracker.results);

  const writeItems = async (part: SyncPart, items: readonly ExternalIssue[]): Promise<void> => {
    if (items.length === 0) return;
    const writes: IssueWrite[] = items.map((item) => ({ ...item, externalId: externalIdOf(item) }));
    const existing = await issues.findExistingExternalIds(
      request.projectId,
      writes.map((item) => item.externalId),
    );
    const unmatched = unmatchedItems(writes, existing);
    const candidates =
      unmatched.length === 0
        ? []
        : await issues.findTitleCandidates(
            request.projectId,
            unmatched[0]!.repositoryUrl,
            [...new Set(unmatched.map((item) => item.title))],
          );
    const claims = matchIssues(writes, { existing, candidates });
    for (let start = 0; start < writes.length; start += batchSize) {
      const batch = writes.slice(start, start + batchSize);
      const batchClaims = new Map<string, string>();
      for (const item of batch) {
        const claimed = claims.get(item.externalId);
        if (claimed) batchClaims.set(item.externalId, claimed);
      }
      const counts = await issues.writeBatch(scope, batch, batchClaims);
      tracker.add(part, counts, batch.length);
      for (const item of batch) {
        const mark = watermarks[part];
        if (!mark || item.updatedAt > mark) watermarks[part] = item.updatedAt;
      }
      report();
      if (tracker.takeDueWrite()) await operations.saveProgress(operationId, tracker.snapshot(), tracker.results);
    }
  };

  const throwIfCancelled = async () => {
    if (request.signal?.aborted || (await operations.isCancelRequested(operationId))) throw new CancelledError();
  };

  const listingOf = (part: SyncPart, options: ListOptions): AsyncIterable<Page> | null => {
    if (part === 'issues') return provider.listIssues(options);
    return provider.listSecurityAlerts ? provider.listSecurityAlerts(options) : null;
  };

  try {
    await operations.start(operationId);
    const state = request.includeClosed ? 'all' : 'open';
    for (const part of partsOf(request.syncType)) {
      if (done.has(part)) continue;
      const resuming = resume !== null && resume.part === part;
      currentPart = part;
      lastCursor = resuming ? resume.cursor : null;
      tracker.stage = part;
      const listing = listingOf(part, {
        state,
        since: request.since?.[part] ?? null,
        cursor: lastCursor,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      if (!listing) {
        tracker.results.skippedParts.push({
          part,
          reason: `${provider.kind} has no security alerts API for ${provider.repo}.`,
        });
        done.add(part);
        continue;
      }
      await operations.saveProgress(operationId, tracker.snapshot(), tracker.results);
      tracker.markWritten();
      try {
        for await (const page of prefetch(listing)) {
          tracker.setPartTotal(part, page.total);
          tracker.setRateLimit(page.rateLimit);
          await writeItems(part, page.items);
          lastCursor = page.cursor;
          if (page.cursor === null) done.add(part);
          await operations.saveCheckpoint(operationId, checkpoint(), tracker.snapshot(), tracker.results);
          tracker.markWritten();
          if (page.cursor !== null) await throwIfCancelled();
        }
      } catch (error) {
        if (error instanceof ProviderError && (error.code === 'unavailable' || error.code === 'gone')) {
          log?.info({ operationId, part, reason: error.message }, 'sync part skipped');
          tracker.results.skippedParts.push({ part, reason: error.message });
        } else {
          throw error;
        }
      }
      done.add(part);
      lastCursor = null;
    }

    tracker.stage = 'finishing';
    const completedAt = clock();
    if (deps.repositories && request.repositoryId) {
      await deps.repositories.recordSync(request.repositoryId, {
        at: completedAt,
        issuesWatermark: watermarks.issues,
        alertsWatermark: watermarks.security,
      });
    }
    tracker.finish();
    await operations.saveProgress(operationId, tracker.snapshot(), tracker.results);
    await operations.finish(operationId, { status: 'completed', results: tracker.results });
    report();
    log?.info({ operationId, results: tracker.results }, 'sync completed');
    return { status: 'completed', results: tracker.results, watermarks };
  } catch (error) {
    if (error instanceof CancelledError) {
      await operations.finish(operationId, { status: 'cancelled', results: tracker.results, error: error.message });
      log?.info({ operationId }, 'sync cancelled');
      return { status: 'cancelled', results: tracker.results };
    }
    if (error instanceof ProviderError && error.code === 'rate_limited' && request.pauseOnRateLimit && error.resetAt) {
      log?.warn({ operationId, resetAt: error.resetAt }, 'sync paused until the rate limit resets');
      return {
        status: 'waiting',
        results: tracker.results,
        resumeAt: error.resetAt,
        checkpoint: checkpoint(),
        error: error.message,
      };
    }
    const message = errorMessage(error);
    const errorCode = error instanceof ProviderError ? error.code : 'internal';
    log?.warn({ operationId, errorCode, err: error }, 'sync failed');
    await operations
      .finish(operationId, { status: 'failed', results: tracker.results, error: message })
      .catch((finishError: unknown) =>
        log?.warn({ operationId, err: finishError }, 'could not record the failed sync'),
      );
    return { status: 'failed', results: tracker.results, error: message, errorCode };
  }
}
