/**
 * `GET /`: `npm start` prints this address. A browser gets the dashboard (its sign-in page, or the
 * signed-in person's projects); `Accept: application/json` gets the service guide: that the service
 * runs, where the dashboard is, and how to use the CLI and the HTTP API. `GET /guide` is that guide
 * as a small page, rendered here with no external assets; light and dark follow the reader's
 * setting. A server without the HTTP API serves no dashboard and shows the guide at `/`.
 */
import { Hono, type Handler } from 'hono';
import { html, raw } from 'hono/html';
import { serviceGuide, type GuideEntry, type ServiceGuide } from '../service-guide.js';

export function homePageRoutes(options: { dashboard?: Handler } = {}): Hono {
  const app = new Hono();
  const guideOf = (url: string) => serviceGuide(new URL(url).origin, { dashboard: options.dashboard !== undefined });
  app.get('/', (c, next) => {
    if (wantsJson(c.req.header('accept'))) return c.json(guideOf(c.req.url));
    if (options.dashboard) return options.dashboard(c, next);
    c.header('Cache-Control', 'no-store');
    return c.html(renderHomePage(guideOf(c.req.url)));
  });
  app.get('/guide', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(renderHomePage(guideOf(c.req.url)));
  });
  return app;
}

/** JSON when it is asked for and HTML is not: browsers ask for HTML, curl for anything. */
function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /application\/(?:[\w.+-]+\+)?json/i.test(accept) && !/text\/html/i.test(accept);
}

const STYLE = `
  :root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --code: #f3f4f6; --line: #d1d9e0; --ok: #1a7f37; --link: #0550ae; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --code: #161b22; --line: #3d444d; --ok: #3fb950; --link: #79c0ff; }
  }
  a { color: var(--link); }
  body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
  main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
  h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
  .status { color: var(--ok); font-weight: 600; margin: 0; }
  p, li { color: var(--fg); }
  .muted { color: var(--muted); }
  code, pre { font: .9rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code); border-radius: 6px; }
  code { padding: .1rem .3rem; overflow-wrap: anywhere; }
  pre { padding: .75rem 1rem; overflow-x: auto; border: 1px solid var(--line); }
  pre code { padding: 0; background: none; }
  dl { margin: 0; }
  dt { margin-top: .75rem; }
  dd { margin: .15rem 0 0 1.25rem; color: var(--muted); }
`;

function renderHomePage(guide: ServiceGuide) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>issue-sync is running</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
<h1>issue-sync</h1>
<p class="status">The service is running.</p>
<p>${guide.dashboard.message}${guide.dashboard.url ? html` <a href="${guide.dashboard.url}">Open the dashboard</a>.` : ''}</p>

<h2 id="start">Getting started</h2>
<ol>
${guide.gettingStarted.map((step) => html`<li><code>${step.usage}</code><br><span class="muted">${step.what}</span></li>
`)}</ol>
<p class="muted">${guide.authentication}</p>

<h2 id="cli">Command line</h2>
${entries(guide.cli)}

<h2 id="api">HTTP API</h2>
<p class="muted">SLUG is a project's slug (or id). Errors are JSON <code>{"error", "message"}</code>; the message says what to do next.</p>
${entries(guide.api)}

<h2 id="health">Health</h2>
${entries(guide.health)}
</main>
</body>
</html>`;
}

function entries(list: GuideEntry[]) {
  return html`<dl>
${list.map((entry) => html`<dt><code>${entry.usage}</code></dt><dd>${entry.what}</dd>
`)}</dl>`;
}
