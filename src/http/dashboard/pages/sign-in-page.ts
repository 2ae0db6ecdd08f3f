/**
 * The page a signed-out visitor of `/` sees: one password-type field for an API token (or
 * ADMIN_TOKEN) and where to get one. The field is never filled in again, also after a wrong token.
 */
import { html } from 'hono/html';
import { layout } from './layout.js';

export interface SignInPageOptions {
  /** Why the visitor is here again, in plain words (a wrong token, an ended session). */
  error?: string;
  notice?: string;
}

export function signInPage(options: SignInPageOptions = {}) {
  return layout({
    title: 'Sign in',
    narrow: true,
    body: html`<h1>Sign in to issue-sync</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
<form method="post" action="/dashboard/sign-in">
${options.error ? html`<p class="error" id="sign-in-error" role="alert">${options.error}</p>` : ''}
<div class="field">
<label for="token">API token</label>
<input type="password" id="token" name="token" required autocomplete="current-password" spellcheck="false"${
      options.error ? html` aria-invalid="true" aria-describedby="sign-in-error token-help"` : html` aria-describedby="token-help"`
    }>
</div>
<p id="token-help" class="muted small">The token <code>npm start</code> printed on its first start, a token from
<code>issue-sync users add --project SLUG --name NAME --role member</code>, or the server's <code>ADMIN_TOKEN</code>. It is kept
in a cookie that only this site's server reads.</p>
<button type="submit" class="primary">Sign in</button>
</form>
<p class="muted small">Working from a script or a terminal? <a href="/guide">The command line and the HTTP API</a>.</p>`,
  });
}
