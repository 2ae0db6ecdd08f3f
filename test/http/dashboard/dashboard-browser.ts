/**
 * Requests as a browser on the dashboard sends them: same-origin form posts with their Origin
 * header, the session cookie kept from Set-Cookie, and HTML asked for. Through `app.request`, so
 * the origin is http://localhost.
 */
import type { Hono } from 'hono';

export const ORIGIN = 'http://localhost';

export interface PageAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function send(
  app: Hono,
  method: string,
  path: string,
  options: { cookie?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
): Promise<PageAnswer> {
  const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
    headers.accept = 'application/json';
  }
  const response = await app.request(`${ORIGIN}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Signs in with the token as the sign-in form does and returns the Cookie header to send after. */
export async function signIn(app: Hono, token: string): Promise<string> {
  const answer = await send(app, 'POST', '/dashboard/sign-in', { form: { token }, headers: { origin: ORIGIN } });
  if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  const cookie = answer.headers.get('set-cookie');
  if (!cookie) throw new Error('sign-in set no cookie');
  return cookie.split(';')[0]!;
}

/** Follows same-site redirects (GET) as a browser would, up to five. */
export async function browse(app: Hono, path: string, cookie?: string): Promise<PageAnswer & { path: string }> {
  let current = path;
  for (let hop = 0; hop < 5; hop += 1) {
    const answer = await send(app, 'GET', current, cookie ? { cookie } : {});
    const location = answer.headers.get('location');
    if (answer.status < 300 || answer.status >= 400 || !location) return { ...answer, path: current };
    current = new URL(location, `${ORIGIN}${current}`).pathname + new URL(location, `${ORIGIN}${current}`).search;
  }
  throw new Error(`too many redirects from ${path}`);
}
