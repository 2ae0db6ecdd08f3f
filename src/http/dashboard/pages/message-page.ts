/**
 * A page that only says something: an error of a page request (the API's plain message, never a
 * stack trace), or that a form needs the page script.
 */
import { html } from 'hono/html';
import type { Principal } from '../../principal.js';
import { layout } from './layout.js';

export function messagePage(options: { title: string; message: string; principal?: Principal }) {
  return layout({
    title: options.title,
    narrow: true,
    ...(options.principal ? { principal: options.principal } : {}),
    body: html`<h1>${options.title}</h1>
<p>${options.message}</p>
<p><a href="/">Back to the dashboard</a></p>`,
  });
}
