/**
 * The dashboard, served by the same process as the API: `home` answers a browser's `GET /` (the
 * sign-in page, or the signed-in person's projects), `routes` the rest under `/dashboard`. Pages are
 * rendered here from the same store reads as the API; everything they change goes through the API
 * routes, which accept the session cookie (middleware/authenticate.ts).
 *
 *   POST /dashboard/sign-in            form `token`: checked as the API checks it, then kept in the session cookie
 *   POST /dashboard/sign-out           clears it
 *   GET  /dashboard/projects           the project picker (one project: straight to its page)
 *   GET  /dashboard/projects/:project  its repositories, webhook health, last sync, ManualSyncButton
 *   GET  /dashboard/projects/:project/issues   its issues, filters, paging, link and unlink
 *
 * The two form posts must come from our own pages (Origin or Referer), as the API requires of
 * cookie-authenticated requests. Errors are pages with the API's plain message, never a stack trace.
 */
import { Hono, type Context, type Handler } from 'hono';
import type { HtmlEscapedString } from 'hono/utils/html';
import { createApiTokenStore } from '../../store/prisma-api-token-store.js';
import type { ApiDeps } from '../api-deps.js';
import { HttpError } from '../http-error.js';
import { createPrincipalResolver, type PrincipalResolver } from '../middleware/authenticate.js';
import { isSameOrigin } from '../middleware/same-origin.js';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../middleware/session-cookie.js';
import type { ApiEnv, Principal } from '../principal.js';
import { assetRoutes } from './assets/asset-routes.js';
import { dashboardPageRoutes } from './dashboard-page-routes.js';
import { projectsPageUrl } from './page-urls.js';
import { messagePage } from './pages/message-page.js';
import { signInPage } from './pages/sign-in-page.js';
import { bodySizeLimit } from '../middleware/body-size-limit.js';

export interface Dashboard {
  /** A browser's `GET /`. */
  home: Handler;
  routes: Hono<ApiEnv>;
}

const MAX_FORM_BYTES = 16 * 1024;
const MAX_TOKEN_LENGTH = 1024;

const SESSION_ENDED = 'Your session has ended: the token it was opened with is no longer valid. Sign in with a current one.';
const BAD_TOKEN =
  'That token is unknown or has been revoked. Check that it was copied whole, or ask an admin of your project for a new one ' +
  '(issue-sync users add prints it).';
const CROSS_SITE =
  'This form was not sent from one of this service\'s own pages, so it was refused. Open the dashboard and use its buttons.';

export function createDashboard(deps: ApiDeps): Dashboard {
  const resolve = createPrincipalResolver({
    tokens: createApiTokenStore(deps.db),
    adminToken: deps.adminToken,
    log: deps.log,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const app = new Hono<ApiEnv>();
  app.route('/', assetRoutes());

  const formLimit = bodySizeLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) => renderPage(c, signInPage({ error: 'That was far too long for a token.' }), 413),
  });

  app.post('/dashboard/sign-in', formLimit, async (c) => {
    if (!isSameOrigin(c)) return renderPage(c, messagePage({ title: 'Refused', message: CROSS_SITE }), 403);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    if (!token) return renderPage(c, signInPage({ error: 'Enter an API token to sign in.' }), 400);
    const principal = token.length <= MAX_TOKEN_LENGTH ? await resolve(token) : null;
    if (!principal) {
      deps.log.info({}, 'dashboard sign-in refused: unknown or revoked token');
      return renderPage(c, signInPage({ error: BAD_TOKEN }), 401);
    }
    setSessionCookie(c, token);
    deps.log.info({ userId: principal.kind === 'user' ? principal.userId : 'admin_token' }, 'signed in to the dashboard');
    return c.redirect(projectsPageUrl(), 303);
  });

  app.post('/dashboard/sign-out', formLimit, (c) => {
    if (!isSameOrigin(c)) return renderPage(c, messagePage({ title: 'Refused', message: CROSS_SITE }), 403);
    clearSessionCookie(c);
    return c.redirect('/?signed-out', 303);
  });

  // Where a form that the script sends lands when the script did not run.
  app.post('/dashboard/noscript', (c) =>
    renderPage(c, messagePage({ title: 'This needs JavaScript', message: 'This form is sent by the page\'s script; allow JavaScript for this site and try again.' })),
  );

  app.get('/dashboard', (c) => c.redirect('/', 302));
  app.use('/dashboard/projects', requireSession(resolve));
  app.use('/dashboard/projects/*', requireSession(resolve));
  app.route('/', dashboardPageRoutes(deps, renderPage));

  app.onError((error, c) => {
    const principal = c.get('principal') as Principal | undefined;
    if (error instanceof HttpError) {
      return renderPage(c, messagePage({ title: titleOf(error.status), message: error.message, ...(principal ? { principal } : {}) }), error.status);
    }
    deps.log.error({ err: error, method: c.req.method, path: c.req.path }, 'dashboard page failed');
    return renderPage(c, messagePage({ title: 'Something went wrong', message: 'Something went wrong on our side; the error was logged.' }), 500);
  });

  const home: Handler = async (c) => {
    const token = readSessionToken(c);
    if (token) {
      if (await resolve(token)) return c.redirect(projectsPageUrl(), 302);
      clearSessionCookie(c);
      return renderPage(c, signInPage({ notice: SESSION_ENDED }));
    }
    const query = new URL(c.req.url).searchParams;
    const notice = query.has('signed-out') ? 'You are signed out.' : query.get('session') === 'ended' ? SESSION_ENDED : undefined;
    return renderPage(c, signInPage(notice ? { notice } : {}));
  };

  return { home, routes: app };
}

/** Pages are private (no-store), never framed, and run only our own script and stylesheet. */
export type RenderPage = (
  c: Context,
  content: HtmlEscapedString | Promise<HtmlEscapedString>,
  status?: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428 | 429 | 500 | 502 | 503,
) => Promise<Response>;

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const renderPage: RenderPage = async (c, content, status = 200) => {
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'same-origin');
  return c.html(await content, status);
};

/** Pages behind the sign-in: no valid session cookie goes back to `/` (saying so when it had ended). */
function requireSession(resolve: PrincipalResolver) {
  return async function session(c: Context<ApiEnv>, next: () => Promise<void>) {
    const token = readSessionToken(c);
    const principal = token ? await resolve(token) : null;
    if (!principal) {
      if (token) clearSessionCookie(c);
      return c.redirect(token ? '/?session=ended' : '/', 302);
    }
    c.set('principal', principal);
    await next();
  };
}

function titleOf(status: number): string {
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  return 'Something is wrong';
}
