/**
 * Who is calling and what they may do. A user has one role per project; `ADMIN_TOKEN` is the
 * bootstrap admin, admin of every project. Roles rank viewer < member < admin: viewers read,
 * members also start, cancel and link, admins also connect repositories and trigger backfills.
 */
import type { Role } from '../store/prisma-project-store.js';
import { HttpError } from './http-error.js';

export type Principal =
  | { kind: 'admin_token' }
  | { kind: 'user'; userId: string; name: string; roles: ReadonlyMap<string, Role> };

/** Hono's context variables of the API routes. */
export interface ApiEnv {
  Variables: { principal: Principal };
}

const RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

export function roleIn(principal: Principal, projectId: string): Role | null {
  return principal.kind === 'admin_token' ? 'admin' : (principal.roles.get(projectId) ?? null);
}

/** The user to record as having asked (null for the bootstrap admin token). */
export function requesterOf(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.userId : null;
}

/** Throws 403 unless the principal has at least `minimum` in the project; `action` completes "to …". */
export function requireRole(principal: Principal, projectId: string, minimum: Role, action: string): Role {
  const role = roleIn(principal, projectId);
  if (!role) throw new HttpError(403, 'forbidden', 'You have no role in this project; GET /api/projects lists yours.');
  if (RANK[role] < RANK[minimum]) {
    const needed = minimum === 'admin' ? 'admin' : `${minimum} or admin`;
    throw new HttpError(
      403,
      'forbidden',
      `Your role in this project is ${role}; to ${action} you need ${needed}: ask an admin of the project for a token with that role.`,
    );
  }
  return role;
}

/** Projects where the principal has at least `minimum`; null means every project (ADMIN_TOKEN). */
export function projectsWith(principal: Principal, minimum: Role): string[] | null {
  if (principal.kind === 'admin_token') return null;
  return [...principal.roles].filter(([, role]) => RANK[role] >= RANK[minimum]).map(([projectId]) => projectId);
}
