/**
 * When a repository is due again for a periodic look (a poll, a stale check): its last one is older
 * than the returned instant. A tick comes a little late or early, so the cutoff allows 5 s of slack,
 * at most half the interval for a short one.
 */
const SLACK_MS = 5_000;

export function dueCutoff(now: Date, intervalMs: number): Date {
  return new Date(now.getTime() - intervalMs + Math.min(SLACK_MS, intervalMs / 2));
}
