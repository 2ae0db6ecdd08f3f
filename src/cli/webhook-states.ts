/**
 * What each webhook health state means and what to do about it, said the same way by
 * `repos list` and `doctor`. Stale repositories are not healed on their own (yet): they are
 * backfilled by a sync or the admin backfill.
 */
import type { WebhookStatus } from '../store/find-project-repository.js';

export const WEBHOOK_STATES: readonly WebhookStatus[] = ['active', 'stale', 'inactive'];

export const WEBHOOK_STATE_MEANING: Record<WebhookStatus, string> = {
  active: 'webhooks arrive, so changes are stored as they happen',
  stale:
    'webhooks stopped arriving, so recent changes may be missing: backfill with POST /api/admin/backfill {"staleOnly":true} or run a sync, and check the hook',
  inactive:
    'no webhook deliveries, so the repository is synced only when someone runs a sync: install the GitHub App on it to keep it current',
};
