/**
 * Starts a SyncOperation for a repository unless one is already pending or running. An active
 * operation whose process is gone (same host and its pid is dead, or no heartbeat for `staleAfterMs`,
 * or its queue job says so) is failed as abandoned first; the new operation continues from the last checkpoint of an
 * interrupted one with the same options.
 */
import {
  ActiveOperationError,
  type OperationRecord,
  type OperationReply,
  type OperationStore,
  type SyncCheckpoint,
  type SyncTrigger,
  type SyncType,
} from '../store/issue-store.js';
import { isOwnerGone } from './process-owner.js';

export interface ClaimInput {
  projectId: string;
  repositoryId: string;
  syncType: SyncType;
  includeClosed: boolean;
  trigger: SyncTrigger;
  jobId: string;
  requestedBy?: string | null;
  reply?: OperationReply | null;
}

export type ClaimResult =
  | { status: 'claimed'; operation: OperationRecord; resumeFrom: SyncCheckpoint | null }
  | { status: 'already_running'; operation: OperationRecord };

export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

export interface ClaimOptions {
  clock?: () => Date;
  staleAfterMs?: number;
  /**
   * Whether whatever runs the active operation is still on it, when the caller can tell better than
   * a heartbeat (a queue job waiting for a worker or for a rate limit's reset sends none): true
   * keeps it, false abandons it, null falls back to the owner and heartbeat rule.
   */
  isRunning?: (operation: OperationRecord) => Promise<boolean | null>;
}

export async function claimOperation(
  operations: OperationStore,
  input: ClaimInput,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const now = (options.clock ?? (() => new Date()))().getTime();
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const active = await operations.findActive(input.repositoryId);
  if (active) {
    const running = (await options.isRunning?.(active)) ?? null;
    const silentFor = now - (active.heartbeatAt ?? active.createdAt).getTime();
    // A sync waiting for a rate limit to reset is silent on purpose until then.
    const resetAt = Date.parse(active.progress.rateLimitResetAt ?? '');
    const waitingForReset = Number.isFinite(resetAt) && resetAt > now;
    const alive = running ?? (!isOwnerGone(active.jobId) && (silentFor < staleAfterMs || waitingForReset));
    if (alive) return { status: 'already_running', operation: active };
    await operations.abandon(active.id, 'The process running this sync stopped before it finished.');
  }
  const previous = await operations.findResumable(input.repositoryId, {
    syncType: input.syncType,
    includeClosed: input.includeClosed,
  });
  try {
    const operation = await operations.create(input);
    return { status: 'claimed', operation, resumeFrom: previous?.checkpoint ?? null };
  } catch (error) {
    if (!(error instanceof ActiveOperationError)) throw error;
    const winner = await operations.findActive(input.repositoryId);
    if (!winner) throw error;
    return { status: 'already_running', operation: winner };
  }
}
