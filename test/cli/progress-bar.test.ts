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

  it('never cuts a number at the terminal edge: at 80 columns it shows skipped 744 and the rate limit 4956 whole', () => {
    const written: string[] = [];
    const bar = createProgressBar({ isTTY: true, columns: 80, write: (chunk: string) => written.push(chunk) });
    const results = { ...emptyResults(), created: 12, updated: 3, skipped: 744 };
    bar.update({ stage: 'issues', processed: 759, total: 30184, percent: 3, rateLimitRemaining: 4956 }, results, true);
    const line = written[0]!.replace('\r\x1b[2K', '');
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/\b744\b/);
    expect(line).toMatch(/\b4956\b/);
    expect(line).toContain('759/30184');
  });

  it('fits any width by dropping or shortening whole parts, and every number it shows is a real one', () => {
    const results = { ...emptyResults(), created: 98765, updated: 4321, skipped: 744, failed: 2 };
    const wide = { stage: 'security' as const, processed: 103832, total: 120000, percent: 86, rateLimitRemaining: 4956 };
    const numbers = new Set(['86', '103832', '120000', '98765', '4321', '744', '2', '4956']);
    for (let width = 20; width <= 200; width++) {
      const line = formatProgress(wide, results, width);
      expect(line.length, `width ${width}: ${line}`).toBeLessThanOrEqual(width);
      for (const shown of line.match(/\d+/g) ?? []) expect(numbers, `width ${width}: ${line}`).toContain(shown);
    }
    expect(formatProgress(wide, results, 200)).toContain('rate limit left 4956');
  });

  it('writes nothing when the output is not a terminal', () => {
    const written: string[] = [];
    const bar = createProgressBar({ isTTY: false, write: (chunk: string) => written.push(chunk) });
    bar.update(progress, emptyResults(), true);
    bar.end();
    expect(written).toEqual([]);
  });
});
