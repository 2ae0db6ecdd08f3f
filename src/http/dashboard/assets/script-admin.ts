/**
 * The page script's admin actions: back-fill the project's stale repositories, connect one more.
 */
export const ADMIN_SCRIPT = String.raw`  async function backfill(button) {
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
`;
