/**
 * What each webhook health state means and what to do about it, said the same way by
 * `repos list` and `doctor`. Stale repositories catch up on their own: GitHub ones by the stale check's
 * backfill (every STALE_CHECK_INTERVAL_S), GitLab and Bitbucket ones by polling (POLL_INTERVAL_S).
 */
import type { WebhookStatus } from '../store/find-project-repository.js';

export const WEBHOOK_STATES: readonly WebhookStatus[] = ['active', 'stale', 'inactive'];

export const WEBHOOK_STATE_MEANING: Record<WebhookStatus, string> = {
  active: 'webhooks arrive, so changes are stored as they happen',
  stale:
    'changes came that no webhook delivered; issue-sync catches up by itself (a backfill, or the next poll), or at once: backfill with POST /api/admin/backfill {"staleOnly":true} or run a sync; check the hook at the host',
  inactive:
    'no webhook deliveries: changes are found by checks every STALE_CHECK_INTERVAL_S seconds (GitHub) or polls every POLL_INTERVAL_S seconds (GitLab, Bitbucket) instead of as they happen; install the GitHub App, or add the webhook at the host, to get them at once',
};
