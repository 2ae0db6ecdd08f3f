/**
 * The page script's issue links: link an issue by the URL of one at its host, or unlink it, in place.
 */
export const ISSUE_LINKS_SCRIPT = String.raw`  function issueRow(element) { return element.closest('tr[data-issue-id]'); }
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
`;
