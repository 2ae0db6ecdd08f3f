/**
 * Keeps a sync's progress and running results, and decides when they are worth a database write:
 * after every stored page (with the checkpoint) and, inside a page, once at least `everyItems`
 * items were processed since the last write and `minIntervalMs` has passed — coalesced, never one
 * write per item.
 */
import type { RateLimitInfo } from '../providers/provider.js';
import type { BatchCounts, SyncProgress, SyncResults, SyncStage } from '../store/issue-store.js';

export function emptyResults(): SyncResults {
  return { created: 0, updated: 0, skipped: 0, failed: 0, issues: 0, securityAlerts: 0, skippedParts: [] };
}

export class ProgressTracker {
  readonly results: SyncResults;
  processed: number;
  stage: SyncStage = 'starting';
  private partTotals = new Map<string, number>();
  private partProcessed = new Map<string, number>();
  private rateLimit: RateLimitInfo | null = null;
  private writtenAt = 0;
  private writtenProcessed: number;
  private finished = false;

  constructor(
    private readonly clock: () => Date,
    private readonly options: { everyItems: number; minIntervalMs: number },
    start?: { results: SyncResults; processed: number },
  ) {
    this.results = start ? structuredClone(start.results) : emptyResults();
    this.processed = start?.processed ?? 0;
    this.writtenProcessed = this.processed;
  }

  add(part: 'issues' | 'security', counts: BatchCounts, items: number): void {
    this.results.created += counts.created;
    this.results.updated += counts.updated;
    this.results.skipped += counts.skipped;
    this.results.failed += counts.failed;
    if (part === 'issues') this.results.issues += items;
    else this.results.securityAlerts += items;
    this.processed += items;
    this.partProcessed.set(part, (this.partProcessed.get(part) ?? 0) + items);
  }

  /** The host's total for a part, when a page tells it. */
  setPartTotal(part: 'issues' | 'security', total: number | null | undefined): void {
    if (typeof total === 'number' && Number.isFinite(total) && total >= 0) this.partTotals.set(part, total);
  }

  setRateLimit(rateLimit: RateLimitInfo | null): void {
    if (rateLimit) this.rateLimit = rateLimit;
  }

  finish(): void {
    this.finished = true;
    this.stage = 'done';
  }

  snapshot(): SyncProgress {
    let total: number | null = null;
    if (this.partTotals.size > 0) {
      total = 0;
      for (const [part, partTotal] of this.partTotals) {
        total += Math.max(partTotal, this.partProcessed.get(part) ?? 0);
      }
      total = Math.max(total, this.processed);
    }
    let percent = 0;
    if (this.finished) percent = 100;
    else if (total !== null && total > 0) percent = Math.min(99, Math.floor((this.processed / total) * 100));
    return {
      stage: this.stage,
      processed: this.processed,
      total: this.finished ? this.processed : total,
      percent,
      rateLimitRemaining: this.rateLimit?.remaining ?? null,
      rateLimitResetAt: this.rateLimit?.resetAt?.toISOString() ?? null,
    };
  }

  /** True when an intermediate progress write is due; marks it as written. */
  takeDueWrite(): boolean {
    const now = this.clock().getTime();
    if (this.processed - this.writtenProcessed < this.options.everyItems) return false;
    if (now - this.writtenAt < this.options.minIntervalMs) return false;
    this.markWritten();
    return true;
  }

  markWritten(): void {
    this.writtenAt = this.clock().getTime();
    this.writtenProcessed = this.processed;
  }
}
