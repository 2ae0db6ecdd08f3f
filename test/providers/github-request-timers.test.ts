/**
 * The timers a GitHub request arms on its way through Bottleneck's queues (plugin-throttling's
 * global and retry limiters, plugin-retry's own). Each 0 ms timer is a wait of at least 1 ms: a
 * request armed 12 of them, about 10 ms of idle time per page on top of the host's answer, before
 * src/providers/github/bottleneck-prompt-yield.ts. Counted, not timed: the count is the same on a
 * busy machine.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGitHubProvider } from '../../src/providers/github/github-provider.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { collect } from '../support/provider-pages.js';

const PAGES = 20;

let github: GitHubSimulator;
beforeAll(async () => {
  github = await startGitHubSimulator();
  github.repo('octo', 'timers', { issues: PAGES * 100 });
});
afterAll(() => github.close());

/** setTimeout calls for 1 ms or less made while `run` runs. */
async function shortTimersDuring(run: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(globalThis, 'setTimeout');
  try {
    await run();
    return spy.mock.calls.filter(([, ms]) => ms === undefined || Number(ms) <= 1).length;
  } finally {
    spy.mockRestore();
  }
}

describe('a GitHub request through the throttling and retry queues', () => {
  it('arms at most 3 timers of 0 ms per page, not one per queue step', async () => {
    const provider = createGitHubProvider({ repo: 'octo/timers', apiUrl: github.url });
    await provider.repository(); // the repository read, before counting
    let pages = 0;
    const timers = await shortTimersDuring(async () => {
      pages = (await collect(provider.listIssues({ state: 'all' }))).length;
    });
    expect(pages).toBe(PAGES);
    // Left: the one timer each of the three queues arms to start its job (`wait` 0).
    expect(timers).toBeLessThanOrEqual(3 * PAGES);
    expect(timers).toBeGreaterThan(0);
  });
});
