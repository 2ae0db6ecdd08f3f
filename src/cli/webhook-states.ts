/**
 * What each webhook health state means and what to do about it, said the same way by
 * `repos list` and `doctor`. Polled hosts (GitLab, Bitbucket) catch up on their own every
 * POLL_INTERVAL_S; a stale GitHub repository is backfilled by a sync or the admin backfill.
 */
import type { WebhookStatus } from '../store/find-project-repository.js';

export const WEBHOOK_STATES: readonly WebhookStatus[] = ['active', 'stale', 'inactive'];

export const WEBHOOK_STATE_MEANING: Record<WebhookStatus, string> = {
  active: 'webhooks arrive, so changes are stored as they happen',
  stale:
    'changes came that no webhook delivered, so recent changes may be missing: backfill with POST /api/admin/backfill {"staleOnly":true} or run a sync (GitLab and Bitbucket repositories also catch up by polling), and check the hook at the host',
  inactive:
    'no webhook deliveries, so the repository is synced only when someone runs a sync: install the GitHub App on it to keep it current (GitLab and Bitbucket repositories are polled every POLL_INTERVAL_S seconds instead)',
};
