/**
 * Keeps a sync's progress and running results, and decides when they are worth a database write:
 * after every stored page (with the checkpoint) and, inside a page, once at least `everyItems`
 * items were processed since the last write and `minIntervalMs` has passed — coalesced, never one
 * write per item.
 *
 * The percent shown never goes backwards: a run resumed from a checkpoint starts from the
 * checkpoint's counts, totals and percent (people watched 5,500 items become 0% otherwise), and a
 * host total that shrinks mid-sync only slows the percent down.
 */
import type { RateLimitInfo } from '../domain/items.js';
import type { BatchCounts, SyncCheckpoint, SyncProgress, SyncResults, SyncStage } from '../store/issue-store.js';

type Part = 'issues' | 'security';
type CheckpointProgress = NonNullable<SyncCheckpoint['progress']>;

export function emptyResults(): SyncResults {
  return { created: 0, updated: 0, skipped: 0, failed: 0, issues: 0, securityAlerts: 0, skippedParts: [] };
}

export class ProgressTracker {
  readonly results: SyncResults;
  processed: number;
  stage: SyncStage = 'starting';
  private partTotals = new Map<Part, number>();
  private partProcessed = new Map<Part, number>();
  private rateLimit: RateLimitInfo | null = null;
  private writtenAt = 0;
  private writtenProcessed: number;
  private finished = false;
  /** The highest percent shown so far (or stored before a resume). */
  private shownPercent: number;

  constructor(
    private readonly clock: () => Date,
    private readonly options: { everyItems: number; minIntervalMs: number },
    start?: Pick<SyncCheckpoint, 'results' | 'processed' | 'progress'>,
  ) {
    this.results = start ? structuredClone(start.results) : emptyResults();
    this.processed = start?.processed ?? 0;
    this.writtenProcessed = this.processed;
    for (const [part, total] of entriesOf(start?.progress?.totals)) this.partTotals.set(part, total);
    for (const [part, processed] of entriesOf(start?.progress?.processedByPart)) this.partProcessed.set(part, processed);
    const stored = start?.progress?.percent;
    this.shownPercent = typeof stored === 'number' && Number.isFinite(stored) ? Math.min(99, Math.max(0, stored)) : 0;
  }

  add(part: Part, counts: BatchCounts, items: number): void {
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
  setPartTotal(part: Part, total: number | null | undefined): void {
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
    const total = this.total();
    const percent = this.percent(total);
    this.shownPercent = Math.max(this.shownPercent, percent);
    return {
      stage: this.stage,
      processed: this.processed,
      total: this.finished ? this.processed : total,
      percent,
      rateLimitRemaining: this.rateLimit?.remaining ?? null,
      rateLimitResetAt: this.rateLimit?.resetAt?.toISOString() ?? null,
    };
  }

  /** What a checkpoint keeps, for a resumed run to start from. */
  checkpointProgress(): CheckpointProgress {
    return {
      totals: Object.fromEntries(this.partTotals),
      processedByPart: Object.fromEntries(this.partProcessed),
      percent: this.percent(this.total()),
    };
  }

  private total(): number | null {
    if (this.partTotals.size === 0) return null;
    let total = 0;
    for (const [part, partTotal] of this.partTotals) {
      total += Math.max(partTotal, this.partProcessed.get(part) ?? 0);
    }
    return Math.max(total, this.processed);
  }

  private percent(total: number | null): number {
    if (this.finished) return 100;
    const now = total !== null && total > 0 ? Math.min(99, Math.floor((this.processed / total) * 100)) : 0;
    return Math.max(now, this.shownPercent);
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

/** The progress a resumed sync shows before it runs: its checkpoint's counts, total and percent. */
export function resumedProgress(checkpoint: SyncCheckpoint, stage: SyncStage): SyncProgress {
  const tracker = new ProgressTracker(() => new Date(), { everyItems: 1, minIntervalMs: 0 }, checkpoint);
  tracker.stage = stage;
  return tracker.snapshot();
}

function entriesOf(values: { issues?: number; security?: number } | undefined): [Part, number][] {
  const entries: [Part, number][] = [];
  for (const part of ['issues', 'security'] as const) {
    const value = values?.[part];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) entries.push([part, value]);
  }
  return entries;
}
