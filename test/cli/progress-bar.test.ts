import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgress } from '../../src/cli/progress-bar.js';
import { emptyResults } from '../../src/sync/progress-tracker.js';

const progress = { stage: 'issues' as const, processed: 50, total: 200, percent: 25, rateLimitRemaining: 4990 };

describe('progress bar', () => {
  it('shows stage, counts, percent and the remaining rate limit on one line', () => {
    const line = formatProgress(progress, { ...emptyResults(), created: 40, updated: 10 });
    expect(line).toMatch(/ 25%/);
    expect(line).toContain('issues');
    expect(line).toContain('50/200');
    expect(line).toContain('created 40');
    expect(line).toContain('rate limit left 4990');
    expect(line).not.toContain('\n');
  });

  it('redraws in place on a TTY, at most every 100 ms unless forced, and ends the line', () => {
    const written: string[] = [];
    let now = 0;
    const bar = createProgressBar({ isTTY: true, columns: 200, write: (chunk: string) => written.push(chunk) }, () => now);
    bar.update(progress, emptyResults());
    now = 50;
    bar.update(progress, emptyResults());
    bar.update({ ...progress, percent: 100, stage: 'done' }, emptyResults(), true);
    bar.end();
    expect(written).toHaveLength(3);
    expect(written[0]!.startsWith('\r')).toBe(true);
    expect(written.at(-1)).toBe('\n');
  });

  it('writes nothing when the output is not a terminal', () => {
    const written: string[] = [];
    const bar = createProgressBar({ isTTY: false, write: (chunk: string) => written.push(chunk) });
    bar.update(progress, emptyResults(), true);
    bar.end();
    expect(written).toEqual([]);
  });
});
