/**
 * The seam between the adapters (GitHub App, HTTP API, CLI, scheduler) and what runs syncs: pg-boss
 * jobs (pg-boss-sync-jobs.ts), in the service and in the tests alike. Adapters start syncs and listen
 * to operations; they never run the engine themselves.
 */
import type {
  OperationRecord,
  OperationReply,
  SyncTrigger,
  SyncType,
} from '../store/issue-store.js';

export interface StartSyncInput {
  projectId: string;
  repositoryId: string;
  syncType: SyncType;
  includeClosed: boolean;
  trigger: SyncTrigger;
  requestedBy?: string | null;
  reply?: OperationReply | null;
  /** Incremental sync from these watermarks (stale-webhook backfills); omitted: a full sync. */
  since?: { issues: Date | null; security: Date | null } | null;
}

export type StartSyncResult =
  | { status: 'started'; operation: OperationRecord }
  | { status: 'already_running'; operation: OperationRecord };

/** Told about every running operation's progress (throttled) and about its end. */
export type OperationListener = (
  operation: OperationRecord,
  event: 'progress' | 'finished',
) => void | Promise<void>;

export interface SyncJobs {
  start(input: StartSyncInput): Promise<StartSyncResult>;
  /** Resolves with the operation once it has finished (or null when it is unknown). */
  waitFor(operationId: string): Promise<OperationRecord | null>;
  addListener(listener: OperationListener): void;
  /**
   * Called after `cancelRequested` was set on a pending or running operation (the engine stops at
   * the next page boundary on its own); a runner may react sooner, e.g. drop a job still queued and
   * finish its operation as cancelled. Optional: runners without a queue need nothing here.
   */
  cancel?(operationId: string): Promise<void>;
  /** Stops accepting work, cancels running syncs between pages and waits for them. */
  close(): Promise<void>;
}
