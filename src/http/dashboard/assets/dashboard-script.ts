/**
 * The dashboard's one script (plain JavaScript, no build step), served by assets.ts. It never sees
 * the token: requests go to the API with the HttpOnly session cookie, and the browser adds the
 * Origin header the API's cross-site check wants.
 *
 * - ManualSyncButton: POST …/sync; a 428 opens the confirmation in plain words and nothing runs
 *   until "Confirm sync"; 200 shows the counts at once, 202 and 409 follow the operation.
 * - SyncProgressDialog: polls GET /api/sync-operations/:id every second while it is open (any
 *   number of replicas can answer): stage, bar, processed / total, the rate-limit wait, the counts,
 *   errors in plain words, "Cancel sync". Rows whose sync runs are polled every three seconds.
 * - Admins: the stale back-fill and the connect form. Issues: link by URL and unlink, in place.
 * - Times in <time> elements are shown in the reader's own time zone.
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var main = document.getElementById('main');
  if (!main) return;
  var projectId = main.getAttribute('data-project-id');
  var role = main.getAttribute('data-role');
  var pageStatus = document.getElementById('page-status');
  var FINISHED = { completed: true, failed: true, cancelled: true };
  var STAGES = {
    queued: 'Queued: waiting for a worker',
    starting: 'Starting',
    issues: 'Reading issues',
    security: 'Reading security alerts',
    catch_up: 'Catching up on changes made during the sync',
    finishing: 'Finishing',
    done: 'Done'
  };

  function say(text) { if (pageStatus) pageStatus.textContent = text; }
  function enc(value) { return encodeURIComponent(value); }
  function pad(value) { return String(value).padStart(2, '0'); }
  function hhmm(date) { return pad(date.getHours()) + ':' + pad(date.getMinutes()); }
  function plural(count, one, many) { return count + ' ' + (count === 1 ? one : many); }
  function countsText(results) {
    return results.created + ' created, ' + results.updated + ' updated, ' + results.skipped + ' skipped, ' + results.failed + ' failed';
  }

  function localTimes(root) {
    var times = (root || document).querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var date = new Date(times[i].getAttribute('datetime'));
      if (!isNaN(date.getTime())) times[i].textContent = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    }
  }

  async function api(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      return { status: 0, body: { error: 'network', message: 'The server could not be reached; check the connection and try again.' } };
    }
    var text = await response.text();
    var parsed = {};
    try { parsed = text ? JSON.parse(text) : {}; } catch (error) { parsed = {}; }
    return { status: response.status, body: parsed };
  }

  function plainError(answer) {
    if (answer.status === 401) return 'You are signed out: the token is no longer valid. Reload the page to sign in again.';
    if (answer.body && answer.body.message) return answer.body.message;
    return 'Something went wrong (the server answered ' + answer.status + '); try again.';
  }

  // A busy button is marked, not disabled: a disabled button would drop the keyboard focus.
  function setBusy(button, busy, busyText) {
    if (!button) return;
    if (busy) {
      button.setAttribute('data-text', button.textContent);
      button.textContent = busyText;
      button.setAttribute('aria-disabled', 'true');
      button.setAttribute('data-busy', 'true');
    } else {
      var text = button.getAttribute('data-text');
      if (text) button.textContent = text;
      button.removeAttribute('aria-disabled');
      button.removeAttribute('data-busy');
    }
  }
  function isBusy(button) { return !!button && button.getAttribute('data-busy') === 'true'; }

  // ---- Repositories: rows -------------------------------------------------------------------

  function rowOf(repositoryId) {
    var rows = document.querySelectorAll('tr[data-repository-id]');
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-repository-id') === repositoryId) return rows[i];
    return null;
  }
  function part(row, name) { return row.querySelector('[data-role="' + name + '"]'); }
  function pathOf(row) { return row.getAttribute('data-repository-path'); }

  function runningText(operation) {
    if (operation.status === 'pending' && operation.progress.stage === 'queued') return 'A sync is queued and starts shortly.';
    var progress = operation.progress;
    var waiting = waitingUntil(operation);
    if (waiting) return 'A sync is waiting for the rate limit until ' + hhmm(waiting) + '.';
    return 'A sync is running: ' + progress.percent + '%, ' + progress.processed + (progress.total === null ? '' : ' of ' + progress.total) + ' items.';
  }

  function markRunning(row, operationId, operation) {
    row.setAttribute('data-operation-id', operationId);
    row.setAttribute('data-operation-status', operation ? operation.status : 'pending');
    part(row, 'controls').hidden = true;
    part(row, 'running').hidden = false;
    part(row, 'running-text').textContent = operation ? runningText(operation) : 'A sync has started.';
  }

  function lastSyncHtml(operation) {
    var cell = document.createElement('div');
    var line = document.createElement('p');
    var at = new Date(operation.completedAt || operation.createdAt);
    var when = at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    if (operation.status === 'completed') line.textContent = 'Completed ' + when + ': ' + countsText(operation.results);
    else if (operation.status === 'failed') line.textContent = 'Failed ' + when + ': ' + (operation.error || 'no reason was recorded');
    else line.textContent = 'Cancelled ' + when + ': ' + countsText(operation.results) + ' before it stopped';
    cell.appendChild(line);
    return cell;
  }

  function applyToRow(operation) {
    var row = operation.repositoryId ? rowOf(operation.repositoryId) : null;
    if (!row || row.getAttribute('data-operation-id') !== operation.id) return;
    if (FINISHED[operation.status]) {
      row.removeAttribute('data-operation-id');
      row.removeAttribute('data-operation-status');
      row.setAttribute('data-last-operation-id', operation.id);
      var last = part(row, 'last-sync');
      last.replaceChildren(lastSyncHtml(operation));
      part(row, 'running').hidden = true;
      part(row, 'running-text').textContent = '';
      part(row, 'controls').hidden = false;
    } else {
      row.setAttribute('data-operation-status', operation.status);
      var text = runningText(operation);
      var target = part(row, 'running-text');
      if (target.textContent !== text) target.textContent = text;
    }
  }

  // ---- SyncProgressDialog --------------------------------------------------------------------

  var progressDialog = document.getElementById('sync-progress');
  var follow = { operationId: null, finished: false, row: null, trigger: null };

  function field(name) { return progressDialog.querySelector('[data-testid="' + name + '"]'); }
  function setText(element, text) { if (element.textContent !== text) element.textContent = text; }

  function waitingUntil(operation) {
    if (FINISHED[operation.status]) return null;
    var progress = operation.progress || {};
    var until = progress.waitingForRateLimitUntil;
    if (!until && progress.rateLimitRemaining === 0 && progress.rateLimitResetAt) until = progress.rateLimitResetAt;
    if (!until) return null;
    var date = new Date(until);
    return isNaN(date.getTime()) || date.getTime() <= Date.now() ? null : date;
  }

  function openProgress(row, trigger) {
    follow = { operationId: null, finished: false, row: row, trigger: trigger };
    setText(progressDialog.querySelector('#sync-progress-title'), 'Sync of ' + pathOf(row));
    var bar = progressDialog.querySelector('progress');
    bar.removeAttribute('value');
    bar.textContent = '';
    setText(field('sync-stage'), 'Starting the sync');
    setText(field('sync-processed'), '');
    setText(field('sync-counts'), '');
    setText(field('sync-notes'), '');
    setText(field('sync-error'), '');
    field('sync-rate-limit').hidden = true;
    setText(field('sync-rate-limit'), '');
    enableCancel(false);
    if (!progressDialog.open) progressDialog.showModal();
  }

  function showProgressError(text) { setText(field('sync-error'), text); }

  function renderOperation(operation) {
    // An answer overtaken by a newer one (a poll that left before the sync finished) changes nothing.
    if (follow.finished && follow.operationId === operation.id && !FINISHED[operation.status]) return;
    follow.operationId = operation.id;
    var progress = operation.progress;
    var finished = !!FINISHED[operation.status];
    follow.finished = finished;
    var percent = operation.status === 'completed' ? 100 : progress.percent;
    var bar = progressDialog.querySelector('progress');
    if (operation.status === 'pending' && percent === 0) bar.removeAttribute('value');
    else bar.value = percent;
    bar.textContent = percent + '%';

    var stage;
    if (operation.status === 'completed') stage = 'Finished';
    else if (operation.status === 'failed') stage = 'The sync failed';
    else if (operation.status === 'cancelled') stage = 'Cancelled';
    else stage = STAGES[progress.stage] || 'Running';
    setText(field('sync-stage'), stage);

    var processed = progress.total === null
      ? progress.processed + ' items so far (' + percent + '%)'
      : progress.processed + ' of ' + progress.total + ' items (' + percent + '%)';
    setText(field('sync-processed'), processed);

    var waiting = waitingUntil(operation);
    var rateLimit = field('sync-rate-limit');
    rateLimit.hidden = !waiting;
    setText(rateLimit, waiting ? 'Waiting for the rate limit until ' + hhmm(waiting) : '');

    setText(field('sync-counts'), countsText(operation.results) + (finished ? '' : ' so far'));

    var notes = [];
    var skipped = (operation.results && operation.results.skippedParts) || [];
    for (var i = 0; i < skipped.length; i++) notes.push((skipped[i].part === 'security' ? 'Security alerts' : 'Issues') + ' skipped: ' + skipped[i].reason);
    if (operation.status === 'completed') {
      notes.unshift('Read ' + plural(operation.results.issues, 'issue', 'issues') + ' and ' + plural(operation.results.securityAlerts, 'security alert', 'security alerts') + '.');
    }
    if (operation.status === 'cancelled') notes.unshift('What it had written before it stopped is kept.');
    if (!finished && role === 'viewer') notes.push('Viewers can follow a sync but not cancel it.');
    setText(field('sync-notes'), notes.join(' '));

    if (operation.status === 'failed') showProgressError('The sync failed: ' + (operation.error || 'no reason was recorded') + ' Start it again when that is fixed; it continues where it stopped.');
    else if (!finished && operation.error) showProgressError(operation.error);
    else if (finished) showProgressError('');

    var cancelling = isBusy(progressDialog.querySelector('[data-action="cancel-sync"]'));
    if (finished || !cancelling) enableCancel(!finished && role !== 'viewer');
  }

  /** Back to the button that opened a dialog, or to its row's sync button when that one is gone. */
  function refocus(trigger, row) {
    var candidates = [trigger];
    if (row) candidates.push(row.querySelector('[data-action="sync"]'), row.querySelector('[data-action="show-progress"]'));
    for (var i = 0; i < candidates.length; i++) {
      var target = candidates[i];
      if (target && document.contains(target) && target.offsetParent !== null) { target.focus(); return; }
    }
  }

  /** The dialog's Cancel sync, enabled or not; the focus moves to Close rather than be lost. */
  function enableCancel(enabled) {
    var cancel = progressDialog.querySelector('[data-action="cancel-sync"]');
    if (!enabled && document.activeElement === cancel) progressDialog.querySelector('[data-action="close-progress"]').focus();
    if (enabled || isBusy(cancel)) setBusy(cancel, false);
    cancel.disabled = !enabled;
  }

  function closeProgress() {
    var trigger = follow.trigger;
    var row = follow.row;
    follow = { operationId: follow.operationId, finished: true, row: null, trigger: null };
    if (progressDialog.open) progressDialog.close();
    if (trigger || row) refocus(trigger, row);
  }

  if (progressDialog) {
    progressDialog.addEventListener('cancel', function (event) {
      event.preventDefault();
      closeProgress();
    });
    progressDialog.addEventListener('close', function () {
      if (follow.trigger || follow.row) closeProgress();
    });
  }

  async function cancelFollowed(button) {
    if (!follow.operationId) return;
    setBusy(button, true, 'Cancelling…');
    var answer = await api('POST', '/api/sync-operations/' + enc(follow.operationId) + '/cancel');
    if (answer.status === 202) {
      // Stays marked until the operation ends cancelled.
      setText(field('sync-stage'), 'Cancelling: the sync stops after the page it is reading');
    } else {
      setBusy(button, false);
      showProgressError(plainError(answer));
    }
  }

  // ---- ManualSyncButton ------------------------------------------------------------------------

  var confirmDialog = document.getElementById('sync-confirm');
  var pendingConfirm = null;
  var REASONS = {
    webhook_active: function (path) {
      return 'The webhook for ' + path + ' is active, so a sync is usually not needed: changes arrive by themselves within seconds.';
    },
    include_closed: function (path) {
      return 'Including closed issues imports every closed issue of ' + path + ' too, which can make this sync much larger and slower.';
    }
  };

  function askConfirmation(row, button, body) {
    var reasons = body.reasons || (body.reason ? [body.reason] : []);
    var text = confirmDialog.querySelector('#sync-confirm-text');
    text.replaceChildren();
    for (var i = 0; i < reasons.length; i++) {
      var p = document.createElement('p');
      p.textContent = REASONS[reasons[i]] ? REASONS[reasons[i]](pathOf(row)) : body.message;
      text.appendChild(p);
    }
    if (reasons.length === 0) {
      var only = document.createElement('p');
      only.textContent = body.message || 'This sync needs a confirmation.';
      text.appendChild(only);
    }
    confirmDialog.querySelector('#sync-confirm-title').textContent = 'Sync ' + pathOf(row) + ' anyway?';
    pendingConfirm = { row: row, button: button };
    confirmDialog.showModal();
  }

  /** Confirm runs the sync again with confirm: true; anything else (Cancel, Escape) starts nothing. */
  function closeConfirm(confirmed) {
    var pending = pendingConfirm;
    pendingConfirm = null;
    if (confirmDialog.open) confirmDialog.close();
    if (!pending) return;
    if (confirmed) {
      startSync(pending.row, pending.button, true);
    } else {
      say('The sync of ' + pathOf(pending.row) + ' was not started.');
      refocus(pending.button, pending.row);
    }
  }

  if (confirmDialog) {
    confirmDialog.addEventListener('cancel', function (event) {
      event.preventDefault();
      closeConfirm(false);
    });
    confirmDialog.addEventListener('close', function () { closeConfirm(false); });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /**
   * While the API runs a small sync inline before it answers, the operation is found through the
   * repository listing (its latest operation, one the row did not know), so the dialog follows it.
   */
  async function discover(row, attempt) {
    var repositoryId = row.getAttribute('data-repository-id');
    var known = row.getAttribute('data-last-operation-id');
    while (attempt.waiting && !follow.operationId) {
      var answer = await api('GET', '/api/projects/' + enc(projectId) + '/repositories');
      if (!attempt.waiting || follow.operationId) return;
      var repositories = (answer.body && answer.body.repositories) || [];
      for (var i = 0; i < repositories.length; i++) {
        var operation = repositories[i].id === repositoryId ? repositories[i].lastOperation : null;
        if (operation && operation.id !== known && (operation.status === 'pending' || operation.status === 'running')) {
          follow.operationId = operation.id;
          markRunning(row, operation.id, null);
          poll();
          return;
        }
      }
      await sleep(1000);
    }
  }

  async function startSync(row, button, confirmed) {
    var controls = part(row, 'controls');
    var body = {
      syncType: controls.querySelector('select[name="syncType"]').value,
      includeClosed: controls.querySelector('input[name="includeClosed"]').checked
    };
    if (confirmed) body.confirm = true;
    setText(part(row, 'row-error'), '');
    setBusy(button, true, 'Starting…');
    var attempt = { waiting: true, shown: false };
    var timer = setTimeout(function () {
      attempt.shown = true;
      openProgress(row, button);
      discover(row, attempt);
    }, 400);
    var answer = await api('POST', '/api/projects/' + enc(projectId) + '/repositories/' + enc(row.getAttribute('data-repository-id')) + '/sync', body);
    attempt.waiting = false;
    clearTimeout(timer);
    setBusy(button, false);
    if (answer.status === 428) {
      if (attempt.shown) closeProgress();
      askConfirmation(row, button, answer.body);
      return;
    }
    if (answer.status === 200 && answer.body.operation) {
      var finished = answer.body.operation;
      if (!attempt.shown) openProgress(row, button);
      renderOperation(finished);
      row.setAttribute('data-operation-id', finished.id);
      applyToRow(finished);
      say('The sync of ' + pathOf(row) + ' finished: ' + countsText(finished.results) + '.');
      return;
    }
    if ((answer.status === 202 || answer.status === 409) && answer.body.operationId) {
      if (!attempt.shown) openProgress(row, button);
      if (answer.status === 409) setText(field('sync-notes'), 'A sync of this repository was already running; this is its progress.');
      if (follow.operationId !== answer.body.operationId) {
        follow.operationId = answer.body.operationId;
        setText(field('sync-stage'), answer.status === 409 ? 'Already running' : 'Queued: waiting for a worker');
      }
      markRunning(row, answer.body.operationId, null);
      enableCancel(role !== 'viewer');
      poll();
      return;
    }
    if (attempt.shown) showProgressError(plainError(answer));
    else setText(part(row, 'row-error'), plainError(answer));
  }

  // ---- Polling -------------------------------------------------------------------------------

  var tick = 0;
  var polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      var ids = {};
      if (progressDialog && progressDialog.open && follow.operationId && !follow.finished) ids[follow.operationId] = true;
      if (tick % 3 === 0) {
        var running = document.querySelectorAll('tr[data-operation-id]');
        for (var i = 0; i < running.length; i++) ids[running[i].getAttribute('data-operation-id')] = true;
      }
      var list = Object.keys(ids);
      await Promise.all(list.map(async function (id) {
        var answer = await api('GET', '/api/sync-operations/' + enc(id));
        var followed = progressDialog && progressDialog.open && follow.operationId === id;
        if (answer.status === 200) {
          applyToRow(answer.body);
          if (followed) renderOperation(answer.body);
        } else if (followed) {
          showProgressError(answer.status === 0 ? 'Lost contact with the server; trying again.' : plainError(answer));
          if (answer.status === 401 || answer.status === 404) follow.finished = true;
        }
      }));
    } finally {
      polling = false;
    }
  }

  if (document.querySelector('tr[data-repository-id]')) {
    setInterval(function () { tick++; poll(); }, 1000);
  }

  // ---- Admin -----------------------------------------------------------------------------------

  async function backfill(button) {
    var rows = document.querySelectorAll('tr[data-repository-id][data-active="true"]');
    var ids = [];
    for (var i = 0; i < rows.length; i++) ids.push(rows[i].getAttribute('data-repository-id'));
    if (ids.length === 0) { say('This project has no connected repository to back-fill.'); return; }
    setBusy(button, true, 'Starting back-fills…');
    var answer = await api('POST', '/api/admin/backfill', { staleOnly: true, repositoryIds: ids });
    setBusy(button, false);
    if (answer.status !== 202) { say(plainError(answer)); return; }
    var operations = answer.body.operations || [];
    if (operations.length === 0) { say('No repository of this project is stale, so nothing was started.'); return; }
    for (var j = 0; j < operations.length; j++) {
      var row = rowOf(operations[j].repositoryId);
      if (row) markRunning(row, operations[j].operationId, null);
    }
    say('Started a back-fill of ' + plural(operations.length, 'stale repository', 'stale repositories') + '; each row shows its progress.');
    poll();
  }

  var connectForm = document.getElementById('connect-form');
  if (connectForm) {
    connectForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      var error = document.getElementById('connect-error');
      error.textContent = '';
      var data = new FormData(connectForm);
      var body = { provider: data.get('provider'), repo: String(data.get('repo') || '').trim(), token: String(data.get('token') || '') };
      var apiUrl = String(data.get('apiUrl') || '').trim();
      if (apiUrl) body.apiUrl = apiUrl;
      var button = connectForm.querySelector('button[type="submit"]');
      if (isBusy(button)) return;
      setBusy(button, true, 'Checking with the host…');
      var answer = await api('POST', '/api/projects/' + enc(projectId) + '/repositories', body);
      setBusy(button, false);
      if ((answer.status === 200 || answer.status === 201) && answer.body.repository) {
        location.assign(location.pathname + '?connected=' + enc(answer.body.repository.id));
        return;
      }
      error.textContent = plainError(answer);
    });
  }

  // ---- Issues ------------------------------------------------------------------------------------

  function issueRow(element) { return element.closest('tr[data-issue-id]'); }
  function issueUrl(row) { return '/api/projects/' + enc(projectId) + '/issues/' + enc(row.getAttribute('data-issue-id')) + '/link'; }

  function externalText(externalId) {
    var match = /^[a-z]+:(https?:\/\/.+):([^:]+)$/.exec(externalId || '');
    if (!match) return externalId || '';
    try { return new URL(match[1]).pathname.replace(/^\/+|\/+$/g, '') + ' #' + match[2]; } catch (error) { return externalId; }
  }

  /** The API's reasons, in the page's words (its own messages speak of request bodies). */
  function linkError(answer, url) {
    var code = answer.body && answer.body.error;
    if (code === 'external_issue_not_found') return 'There is no such issue or alert at ' + url + '; check the URL.';
    if (code === 'already_linked') return 'Another issue of this project is already linked to ' + url + '; unlink that one first.';
    if (code === 'unknown_repository') return 'This project has no repository for ' + url + '; an admin can connect it on the Repositories page.';
    if (code === 'invalid_body') return 'That is not the URL of an issue or a security alert; it looks like https://github.com/owner/repo/issues/12.';
    return plainError(answer);
  }

  document.addEventListener('submit', async function (event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-role="link-form"]')) return;
    event.preventDefault();
    var row = issueRow(form);
    var input = form.querySelector('input[name="url"]');
    var button = form.querySelector('button[type="submit"]');
    if (isBusy(button)) return;
    setText(part(row, 'row-error'), '');
    setBusy(button, true, 'Linking…');
    var answer = await api('POST', issueUrl(row), { url: input.value.trim() });
    setBusy(button, false);
    if (answer.status !== 200) { setText(part(row, 'row-error'), linkError(answer, input.value.trim())); input.focus(); return; }
    var external = answer.body.external || {};
    part(row, 'external').textContent = externalText(external.externalId);
    row.setAttribute('data-linked', 'true');
    form.hidden = true;
    part(row, 'linked').hidden = false;
    input.value = '';
    say('Linked to ' + (external.title || externalText(external.externalId)) + '.');
    row.querySelector('[data-action="unlink"]').focus();
  });

  async function unlink(button) {
    var row = issueRow(button);
    setText(part(row, 'row-error'), '');
    setBusy(button, true, 'Unlinking…');
    var answer = await api('DELETE', issueUrl(row));
    setBusy(button, false);
    if (answer.status !== 200) { setText(part(row, 'row-error'), plainError(answer)); return; }
    row.setAttribute('data-linked', 'false');
    part(row, 'linked').hidden = true;
    var form = part(row, 'link-form');
    form.hidden = false;
    say('Unlinked. The issue keeps its content, and syncs leave it alone until it is linked again.');
    form.querySelector('input[name="url"]').focus();
  }

  // ---- Buttons -----------------------------------------------------------------------------------

  document.addEventListener('click', function (event) {
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
})();
`;
