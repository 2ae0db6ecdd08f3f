/**
 * The page script's ManualSyncButton: POST …/sync; a 428 opens the confirmation in plain words and
 * nothing runs until "Confirm sync"; 200 shows the counts at once; 202 and 409 follow the operation.
 * While the API runs a small sync inline, the operation is found through the repository listing.
 */
export const MANUAL_SYNC_BUTTON_SCRIPT = String.raw`  var confirmDialog = document.getElementById('sync-confirm');
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
      if (answer.status === 409) {
        // Kept by every render of this operation, not only until the first poll answers.
        follow.alreadyRunning = answer.body.operationId;
        setText(field('sync-notes'), ALREADY_RUNNING_NOTE);
      }
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
`;
