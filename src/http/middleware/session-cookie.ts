/**
 * The dashboard's session: the API token someone signed in with, kept in a cookie that page scripts
 * cannot read (HttpOnly), that no other site's page makes the browser send (SameSite=Strict), and
 * that travels only over https when the dashboard is reached over https (Secure). The token itself
 * never appears in a page, a script or a URL.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'issue_sync_session';

/** Longest token accepted from the cookie, as from the Authorization header. */
const MAX_TOKEN_LENGTH = 1024;

export function readSessionToken(c: Context): string | undefined {
  const value = getCookie(c, SESSION_COOKIE)?.trim();
  return value && value.length <= MAX_TOKEN_LENGTH ? value : undefined;
}

export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: isHttps(c) });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: isHttps(c) });
}

/** The request reached us over https: directly, or through a proxy that says so. */
export function isHttps(c: Context): boolean {
  return requestProtocol(c) === 'https:';
}

/** `https:` or `http:`, as the browser used it (a TLS-terminating proxy's X-Forwarded-Proto wins). */
export function requestProtocol(c: Context): string {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') return `${forwarded}:`;
  return new URL(c.req.url).protocol;
}
