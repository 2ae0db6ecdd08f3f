/**
 * API tokens as the HTTP API sees them: who a token (by its hash) belongs to, with their roles,
 * and when it was last used. `lastUsedAt` is written at most once per interval, whatever the
 * number of requests or replicas, so reading the API does not turn into a write per request.
 */
import type { Database } from '../db/client.js';
import type { Role } from './prisma-project-store.js';

export interface ApiTokenOwner {
  tokenId: string;
  userId: string;
  userName: string;
  lastUsedAt: Date | null;
  memberships: { projectId: string; role: Role }[];
}

export interface ApiTokenStore {
  /** The owner of a token that is not revoked, or null. */
  findActive(tokenHash: string): Promise<ApiTokenOwner | null>;
  /** Sets lastUsedAt to `at` unless it was set less than `minIntervalMs` before. */
  touch(tokenId: string, at: Date, minIntervalMs: number): Promise<void>;
}

export function createApiTokenStore(db: Database): ApiTokenStore {
  return {
    async findActive(tokenHash) {
      const row = await db.prisma.apiToken.findUnique({
        where: { tokenHash },
        select: {
          id: true,
          revokedAt: true,
          lastUsedAt: true,
          user: { select: { id: true, name: true, memberships: { select: { projectId: true, role: true } } } },
        },
      });
      if (!row || row.revokedAt) return null;
      return {
        tokenId: row.id,
        userId: row.user.id,
        userName: row.user.name,
        lastUsedAt: row.lastUsedAt,
        memberships: row.user.memberships,
      };
    },

    async touch(tokenId, at, minIntervalMs) {
      await db.pool.query(
        `UPDATE "ApiToken" SET "lastUsedAt" = $2
          WHERE id = $1::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= $3)`,
        [tokenId, at, new Date(at.getTime() - minIntervalMs)],
      );
    },
  };
}
