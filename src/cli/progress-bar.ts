/**
 * A one-line progress bar for a TTY (stderr), redrawn at most every 100 ms.
 *
 * The line must fit the terminal: a line longer than the width wraps, and `\r` then redraws only its
 * last row. Cutting it at the edge is worse: `skipped 744` became `skipped 7`. So the line is laid
 * out again with less in it (a shorter bar, no bar, shorter labels, fewer parts) until it fits;
 * a number is always shown whole or not at all.
 */
import type { SyncProgress, SyncResults } from '../store/issue-store.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

interface Layout {
  bar: number;
  short: boolean;
  stage: boolean;
  rateLimit: boolean;
  counts: boolean;
}

// From the richest layout to the sparest; the first one that fits is drawn.
const LAYOUTS: Layout[] = [
  { bar: 24, short: false, stage: true, rateLimit: true, counts: true },
  { bar: 12, short: false, stage: true, rateLimit: true, counts: true },
  { bar: 0, short: false, stage: true, rateLimit: true, counts: true },
  { bar: 0, short: true, stage: true, rateLimit: true, counts: true },
  { bar: 0, short: true, stage: false, rateLimit: true, counts: true },
  { bar: 0, short: true, stage: false, rateLimit: false, counts: true },
  { bar: 0, short: true, stage: false, rateLimit: false, counts: false },
];

export function formatProgress(progress: SyncProgress, results: SyncResults, maxWidth = Number.POSITIVE_INFINITY): string {
  let line = '';
  for (const layout of LAYOUTS) {
    line = layOut(progress, results, layout);
    if (line.length <= maxWidth) return line;
  }
  return line;
}

function layOut(progress: SyncProgress, results: SyncResults, layout: Layout): string {
  const percent = `${String(progress.percent).padStart(3)}%`;
  const filled = Math.round((progress.percent / 100) * layout.bar);
  const parts = [layout.bar > 0 ? `${'█'.repeat(filled)}${'░'.repeat(layout.bar - filled)} ${percent}` : percent.trim()];
  if (layout.stage) parts.push(progress.stage);
  parts.push(progress.total === null ? `${progress.processed}` : `${progress.processed}/${progress.total}`);
  if (layout.counts) {
    const label = (long: string, short: string, value: number) => `${layout.short ? short : long} ${value}`;
    parts.push(label('created', 'new', results.created), label('updated', 'upd', results.updated), label('skipped', 'skip', results.skipped));
    if (results.failed > 0) parts.push(label('failed', 'fail', results.failed));
  }
  const remaining = progress.rateLimitRemaining;
  if (layout.rateLimit && remaining !== null && remaining !== undefined) {
    parts.push(layout.short ? `limit ${remaining}` : `rate limit left ${remaining}`);
  }
  return parts.join(layout.short ? ' ' : '  ');
}

export function createProgressBar(stream: ProgressStream, now: () => number = Date.now) {
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(progress: SyncProgress, results: SyncResults, force = false) {
      if (!stream.isTTY) return;
      const t = now();
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      drawn = true;
      // One column short of the width: a line that ends in the last column makes some terminals wrap.
      stream.write(`\r\x1b[2K${formatProgress(progress, results, (stream.columns ?? 120) - 1)}`);
    },
    end() {
      if (stream.isTTY && drawn) stream.write('\n');
    },
  };
}
