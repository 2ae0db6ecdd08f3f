/**
 * Work a webhook starts but does not wait for (a big installation's backfills, a /sync note's API
 * calls), so the host gets its answer fast. Failures are logged; `drain()` waits for what is still
 * running at shutdown.
 */
import type { Logger } from '../logger.js';

export interface BackgroundTasks {
  run(task: string, work: () => Promise<void>): void;
  drain(): Promise<void>;
}

export function createBackgroundTasks(log: Logger): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(task, work) {
      const running: Promise<void> = Promise.resolve()
        .then(work)
        .catch((error: unknown) => log.warn({ err: error, task }, 'background task failed'))
        .finally(() => pending.delete(running));
      pending.add(running);
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
