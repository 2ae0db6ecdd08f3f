/**
 * Takes the timer hops out of Bottleneck's queues, which plugin-throttling and plugin-retry put
 * around every GitHub request (ours and Probot's alike; the three share one copy of
 * `bottleneck/light.js`). Bottleneck's in-memory store yields to the event loop with
 * `setTimeout(resolve, 0)` at each step of a job (submit, register, free…), and a timer never
 * fires sooner than 1 ms: a request passes three queues and armed 12 such timers, about 10 ms of
 * idle waiting on top of the host's own answer time (upstream: SGrondin/bottleneck#144, open since
 * 2020). On loopback a page of 100 issues took 15.7 ms instead of 5.4; against github.com it is
 * about 10 ms a page, 10 s on a 100,000-issue sync.
 *
 * A yield of 0 ms now goes through `setImmediate`: still after pending I/O and timers, so the
 * order Bottleneck relies on (a step never runs inside the caller's turn) is kept, without the
 * 1 ms floor. A wait it asks for (> 0 ms) is a timer, as before. The limits themselves (concurrency,
 * `minTime` spacing of writes and searches, retry waits) are unchanged: those are separate timers.
 * test/providers/github-request-timers.test.ts holds the count of timers a request arms.
 */
import Bottleneck from 'bottleneck/light.js';

interface YieldingStore {
  Promise: PromiseConstructor;
  yieldLoop(ms?: number): Promise<void>;
}

/** Set on the patched prototype: this module may be loaded twice in one process (from src/ and dist/). */
const MARK = Symbol.for('issue-sync.bottleneck-prompt-yield');

function patchStore(store: YieldingStore & { [MARK]?: true }): void {
  if (store[MARK]) return;
  const timed = store.yieldLoop;
  store.yieldLoop = function yieldLoop(this: YieldingStore, ms = 0) {
    if (ms > 0) return timed.call(this, ms);
    return new this.Promise<void>((resolve) => setImmediate(resolve));
  };
  store[MARK] = true;
}

// The in-memory store's class is not exported; a limiter's store has it as its prototype. Should
// another Bottleneck build lay it out differently, requests keep their timer hops (and the test says so).
const store = (new Bottleneck() as unknown as { _store?: object })._store;
const prototype = store ? (Object.getPrototypeOf(store) as Partial<YieldingStore> | null) : null;
if (typeof prototype?.yieldLoop === 'function') patchStore(prototype as YieldingStore);
