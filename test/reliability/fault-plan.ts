/**
 * Decides, request by request, which fault a simulated host injects: every kind it knows at least
 * once (in a seeded order, early in the sync), then more at random. The same request never fails
 * more than `maxInARow` times in a row, so each fault is one the sync must survive on its own
 * retries, and the scarce kinds (a spent primary limit costs a wait for its reset) are capped.
 */
import type { SeededRandom } from '../support/seeded-random.js';

export interface FaultPlanOptions<K extends string> {
  kinds: readonly K[];
  random: SeededRandom;
  /** Chance that a request gets the next kind not injected yet. */
  firstChance: number;
  /** Chance that a request gets a random kind once every kind has been injected. */
  chance: number;
  /** Most injections of a kind in one sync (default: unlimited). */
  caps?: Partial<Record<K, number>>;
  maxInARow?: number;
}

export interface FaultPlan<K extends string> {
  /** The fault for this attempt of the request `key` (its path and query), or null. */
  next(key: string): K | null;
  /** The answer a request got: a success clears its run of faults. */
  readonly injected: Readonly<Record<K, number>>;
  total(): number;
  /** `5xx: 3, reset: 2, …` */
  describe(): string;
}

export function createFaultPlan<K extends string>(options: FaultPlanOptions<K>): FaultPlan<K> {
  const { random, kinds } = options;
  const maxInARow = options.maxInARow ?? 2;
  const pending = random.shuffle(kinds);
  const injected = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<K, number>;
  const inARow = new Map<string, number>();
  const allowed = (kind: K) => injected[kind] < (options.caps?.[kind] ?? Infinity);

  return {
    injected,
    next(key) {
      const row = inARow.get(key) ?? 0;
      let kind: K | null = null;
      if (row < maxInARow) {
        if (pending.length > 0) {
          if (random.next() < options.firstChance) kind = pending.pop()!;
        } else if (random.next() < options.chance) {
          const candidates = kinds.filter(allowed);
          kind = candidates.length ? random.pick(candidates) : null;
        }
      }
      if (kind === null) {
        inARow.delete(key);
        return null;
      }
      inARow.set(key, row + 1);
      injected[kind] += 1;
      return kind;
    },
    total: () => Object.values<number>(injected).reduce((sum, count) => sum + count, 0),
    describe: () => kinds.map((kind) => `${kind} ${injected[kind]}`).join(', '),
  };
}
