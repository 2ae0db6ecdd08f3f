/**
 * The page script's shared part: the page's project and role, the live status line, the API call
 * (JSON, the session cookie, errors as `{status, body}`), plain-word errors, busy buttons and times
 * in the reader's own time zone. Joined with the other parts into one script (dashboard-script.ts).
 */
export const COMMON_SCRIPT = String.raw`  'use strict';
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
`;
