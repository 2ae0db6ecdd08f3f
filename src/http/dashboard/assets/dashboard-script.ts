/**
 * The dashboard's one script (plain JavaScript, no build step), served by asset-routes.ts and
 * joined here from its parts (script-*.ts), which share one function scope. It never sees the
 * token: requests go to the API with the HttpOnly session cookie, and the browser adds the Origin
 * header the API's cross-site check wants.
 *
 * - ManualSyncButton: POST …/sync; a 428 opens the confirmation in plain words and nothing runs
 *   until "Confirm sync"; 200 shows the counts at once, 202 and 409 follow the operation.
 * - SyncProgressDialog: polls GET /api/sync-operations/:id every second while it is open (any
 *   number of replicas can answer): stage, bar, processed / total, the rate-limit wait, the counts,
 *   errors in plain words, "Cancel sync". Rows whose sync runs are polled every three seconds.
 * - Admins: the stale back-fill and the connect form. Issues: link by URL and unlink, in place.
 * - Times in <time> elements are shown in the reader's own time zone.
 */
import { ADMIN_SCRIPT } from './script-admin.js';
import { COMMON_SCRIPT } from './script-common.js';
import { ISSUE_LINKS_SCRIPT } from './script-issue-links.js';
import { MANUAL_SYNC_BUTTON_SCRIPT } from './script-manual-sync-button.js';
import { SYNC_PROGRESS_SCRIPT } from './script-sync-progress.js';

/** The buttons of every part, dispatched by their data-action. */
const BUTTONS_SCRIPT = String.raw`  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button[data-action]') : null;
    if (!button || button.disabled || isBusy(button)) return;
    var action = button.getAttribute('data-action');
    var row = button.closest('tr[data-repository-id]');
    if (action === 'sync' && row) startSync(row, button, false);
    else if (action === 'show-progress' && row) {
      var operationId = row.getAttribute('data-operation-id');
      openProgress(row, button);
      follow.operationId = operationId;
      setText(field('sync-stage'), 'Reading the sync’s progress');
      poll();
    } else if (action === 'confirm-sync') closeConfirm(true);
    else if (action === 'cancel-confirm') closeConfirm(false);
    else if (action === 'cancel-sync') cancelFollowed(button);
    else if (action === 'close-progress') closeProgress();
    else if (action === 'backfill') backfill(button);
    else if (action === 'unlink') unlink(button);
  });

  localTimes(document);
`;

export const DASHBOARD_SCRIPT = [
  '(function () {',
  COMMON_SCRIPT,
  SYNC_PROGRESS_SCRIPT,
  MANUAL_SYNC_BUTTON_SCRIPT,
  ADMIN_SCRIPT,
  ISSUE_LINKS_SCRIPT,
  BUTTONS_SCRIPT,
  '})();\n',
].join('\n');
