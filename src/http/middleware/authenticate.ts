/**
 * `Authorization: Bearer <token>`: a user's API token (looked up by its hash, not revoked) or
 * `ADMIN_TOKEN` (compared in constant time). Without that header, the dashboard's session cookie
 * (the token someone signed in with) is accepted the same way, but a state-changing request that
 * carries only the cookie must come from one of our own pages (same-origin.ts), else 403
 * `cross_site_request`. Anything else is a 401 that says what to send.
 * Sets the `principal` the routes check roles on.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { hashApiToken } from '../../auth/api-token.js';
import type { Logger } from '../../logger.js';
import type { ApiTokenStore } from '../../store/prisma-api-token-store.js';
import { HttpError } from '../http-error.js';
import type { ApiEnv, Principal } from '../principal.js';
import { changesState, crossSiteRequest, isSameOrigin } from './same-origin.js';
import { readSessionToken } from './session-cookie.js';

export interface AuthenticateOptions {
  tokens: ApiTokenStore;
  /** The bootstrap admin token; unset: only user tokens are accepted. */
  adminToken?: string | undefined;
  log: Logger;
  clock?: () => Date;
  /** lastUsedAt is refreshed at most this often (60 s). */
  touchEveryMs?: number;
}

/** The principal a token stands for, or null when it is unknown or revoked. */
export type PrincipalResolver = (token: string) => Promise<Principal | null>;

const BEARER = /^Bearer\s+(\S.{0,1023})$/i;

/** Where a token comes from, for everyone who arrives without one that works. */
const GET_A_TOKEN = '`issue-sync users add --project SLUG --name NAME --role member` prints one (or send the ADMIN_TOKEN the server was started with)';

export function authenticate(options: AuthenticateOptions): MiddlewareHandler<ApiEnv> {
  const resolve = createPrincipalResolver(options);

  return async function authenticateRequest(c, next) {
    const header = c.req.header('authorization');
    let token = header ? BEARER.exec(header.trim())?.[1]?.trim() : undefined;
    if (!header) {
      token = readSessionToken(c);
      if (token && changesState(c.req.method) && !isSameOrigin(c)) throw crossSiteRequest();
    }
    if (!token) {
      const message = header
        ? `The Authorization header must be "Bearer <token>"; ${GET_A_TOKEN}.`
        : `Send an API token as "Authorization: Bearer <token>"; ${GET_A_TOKEN}.`;
      throw new HttpError(401, 'unauthorized', message);
    }
    const principal = await resolve(token);
    if (!principal) throw new HttpError(401, 'unauthorized', `The API token is unknown or has been revoked; ${GET_A_TOKEN}.`);
    c.set('principal', principal);
    return next();
  };
}

/**
 * The one way a token becomes a principal, for the API and the dashboard's sign-in alike; a user's
 * token has its lastUsedAt refreshed (at most every `touchEveryMs`).
 */
export function createPrincipalResolver(options: AuthenticateOptions): PrincipalResolver {
  const clock = options.clock ?? (() => new Date());
  const touchEveryMs = options.touchEveryMs ?? 60_000;
  const adminDigest = options.adminToken ? digest(options.adminToken) : null;

  return async function resolvePrincipal(token) {
    if (adminDigest && timingSafeEqual(digest(token), adminDigest)) return { kind: 'admin_token' };
    const owner = await options.tokens.findActive(hashApiToken(token));
    if (!owner) return null;
    const now = clock();
    if (!owner.lastUsedAt || now.getTime() - owner.lastUsedAt.getTime() >= touchEveryMs) {
      await options.tokens
        .touch(owner.tokenId, now, touchEveryMs)
        .catch((error: unknown) => options.log.warn({ err: error, tokenId: owner.tokenId }, 'could not record token use'));
    }
    return {
      kind: 'user',
      userId: owner.userId,
      name: owner.userName,
      roles: new Map(owner.memberships.map((membership) => [membership.projectId, membership.role])),
    };
  };
}

/** Equal-length digests, so timingSafeEqual can compare tokens of any length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
