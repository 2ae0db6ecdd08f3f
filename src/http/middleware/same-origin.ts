/**
 * The cross-site check of requests a browser sends with the session cookie: a state-changing one
 * must say it comes from one of our own pages, by its Origin header (or, when a browser sends none,
 * its Referer). SameSite=Strict already keeps other sites' requests from carrying the cookie; this
 * check holds even where a browser does not honour that.
 */
import type { Context } from 'hono';
import { HttpError } from '../http-error.js';
import { requestProtocol } from './session-cookie.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** True when Origin (or, without it, Referer) names the origin the request was sent to. */
export function isSameOrigin(c: Context): boolean {
  const own = ownOrigins(c);
  const origin = c.req.header('origin');
  if (origin !== undefined) return own.has(origin.trim().toLowerCase());
  const referer = c.req.header('referer');
  if (!referer) return false;
  try {
    return own.has(new URL(referer).origin.toLowerCase());
  } catch {
    return false;
  }
}

export function crossSiteRequest(): HttpError {
  return new HttpError(
    403,
    'cross_site_request',
    'This request changes something but does not come from one of this service\'s own pages (its Origin or Referer header ' +
      'names another site, or is missing). Use the dashboard\'s own buttons, or send "Authorization: Bearer <token>" from a script.',
  );
}

/** The URL's own origin, and the same host with the scheme a TLS-terminating proxy reports. */
function ownOrigins(c: Context): Set<string> {
  const url = new URL(c.req.url);
  return new Set([url.origin.toLowerCase(), `${requestProtocol(c)}//${url.host}`.toLowerCase()]);
}
