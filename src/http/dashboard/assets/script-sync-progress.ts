/**
 * The page script's SyncProgressDialog and the rows' running state: renders an operation (stage,
 * bar, processed / total, the rate-limit wait, counts, errors in plain words), cancels it, and
 * polls GET /api/sync-operations/:id every second for the dialog and every three for running rows.
 */
export const SYNC_PROGRESS_SCRIPT = String.raw`  function rowOf(repositoryId) {
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

  var progressDialog = document.getElementById('sync-progress');
  /** alreadyRunning: the id of an operation a click met already running (a 409), said for as long as it is followed. */
  var follow = { operationId: null, finished: false, row: null, trigger: null, alreadyRunning: null };
  var ALREADY_RUNNING_NOTE = 'A sync of this repository was already running; this is its progress.';

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
    follow = { operationId: null, finished: false, row: row, trigger: trigger, alreadyRunning: null };
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
    if (follow.alreadyRunning === operation.id) notes.unshift(ALREADY_RUNNING_NOTE);
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
    follow = { operationId: follow.operationId, finished: true, row: null, trigger: null, alreadyRunning: null };
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
`;
