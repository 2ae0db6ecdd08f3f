/**
 * A one-line progress bar for a TTY (stderr), redrawn at most every 100 ms.
 */
import type { SyncProgress, SyncResults } from '../store/issue-store.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export function formatProgress(progress: SyncProgress, results: SyncResults, width = 24): string {
  const filled = Math.round((progress.percent / 100) * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const count = progress.total === null ? `${progress.processed}` : `${progress.processed}/${progress.total}`;
  const parts = [
    `${bar} ${String(progress.percent).padStart(3)}%`,
    progress.stage,
    count,
    `created ${results.created}`,
    `updated ${results.updated}`,
    `skipped ${results.skipped}`,
  ];
  if (results.failed > 0) parts.push(`failed ${results.failed}`);
  if (progress.rateLimitRemaining !== null && progress.rateLimitRemaining !== undefined) {
    parts.push(`rate limit left ${progress.rateLimitRemaining}`);
  }
  return parts.join('  ');
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
      const line = formatProgress(progress, results);
      const max = (stream.columns ?? 120) - 1;
      stream.write(`\r\x1b[2K${line.length > max ? line.slice(0, max) : line}`);
    },
    end() {
      if (stream.isTTY && drawn) stream.write('\n');
    },
  };
}
