/**
 * Every HTTP request gets an id: the caller's `X-Request-Id` when it is a plain token (a proxy's, so
 * its logs and ours meet), else a new UUID. The answer carries it back in `X-Request-Id`, each
 * request is logged with it at debug level (method, path, status, time), and a failure's log line and
 * its 500 answer name it, so a person reporting an error gives the line to look for.
 */
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../../logger.js';

const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

export function requestIds(log: Logger): MiddlewareHandler {
  return async function requestId(c, next) {
    const given = c.req.header('x-request-id');
    const id = given && ACCEPTED.test(given) ? given : randomUUID();
    ids.set(c.req.raw, id);
    const started = performance.now();
    await next();
    try {
      c.res.headers.set('X-Request-Id', id);
    } catch {
      // An answer whose headers cannot change (none of ours): it goes without.
    }
    log.debug({ requestId: id, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  };
}

/** The request's id (null before the middleware ran, which only an early failure sees). */
export function requestIdOf(c: Context): string | null {
  return ids.get(c.req.raw) ?? null;
}
