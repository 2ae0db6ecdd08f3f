/**
 * Repository connections: where issues come from, the (encrypted) token to read them with, and the
 * sync watermarks. Watermarks only move forward, so a late or partial sync never rewinds them.
 */
import type { Database } from '../db/client.js';
import type { RepositoryRecord, RepositoryStore } from './issue-store.js';

type Row = Awaited<ReturnType<Database['prisma']['repositoryConnection']['findUniqueOrThrow']>>;

export function toRepositoryRecord(row: Row): RepositoryRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    provider: row.provider,
    fullPath: row.fullPath,
    url: row.url,
    apiUrl: row.apiUrl,
    encryptedToken: row.encryptedToken,
    installationId: row.installationId,
    active: row.active,
    lastSyncAt: row.lastSyncAt,
    issuesWatermark: row.issuesWatermark,
    alertsWatermark: row.alertsWatermark,
    version: row.headCommit,
  };
}

export function createRepositoryStore(db: Database): RepositoryStore {
  const { prisma, pool } = db;
  return {
    async get(id) {
      const row = await prisma.repositoryConnection.findUnique({ where: { id } });
      return row ? toRepositoryRecord(row) : null;
    },

    async findByPath(projectId, provider, fullPath) {
      // Hosts treat paths case-insensitively; an exact match wins over one that differs in case.
      const row = await prisma.repositoryConnection.findFirst({
        where: { projectId, provider, fullPath: { equals: fullPath, mode: 'insensitive' } },
        orderBy: { createdAt: 'asc' },
      });
      if (row && row.fullPath !== fullPath) {
        const exact = await prisma.repositoryConnection.findUnique({
          where: { projectId_provider_fullPath: { projectId, provider, fullPath } },
        });
        if (exact) return toRepositoryRecord(exact);
      }
      return row ? toRepositoryRecord(row) : null;
    },

    async listByPath(projectIds, fullPath) {
      const rows = await prisma.repositoryConnection.findMany({
        where: {
          ...(projectIds ? { projectId: { in: [...projectIds] } } : {}),
          fullPath: { equals: fullPath, mode: 'insensitive' },
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const exact = rows.filter((row) => row.fullPath === fullPath);
      return (exact.length > 0 ? exact : rows).map(toRepositoryRecord);
    },

    async connect(input) {
      const data = {
        url: input.url,
        apiUrl: input.apiUrl,
        externalRepoId: input.externalRepoId ?? null,
        active: true,
        ...(input.encryptedToken === undefined ? {} : { encryptedToken: input.encryptedToken }),
      };
      const row = await prisma.repositoryConnection.upsert({
        where: {
          projectId_provider_fullPath: { projectId: input.projectId, provider: input.provider, fullPath: input.fullPath },
        },
        create: { projectId: input.projectId, provider: input.provider, fullPath: input.fullPath, ...data },
        update: data,
      });
      return toRepositoryRecord(row);
    },

    async recordSync(id, input) {
      await pool.query(
        `UPDATE "RepositoryConnection"
            SET "lastSyncAt" = $2, "updatedAt" = now(),
                "issuesWatermark" = GREATEST("issuesWatermark", $3::timestamptz),
                "alertsWatermark" = GREATEST("alertsWatermark", $4::timestamptz),
                "headCommit" = COALESCE($5, "headCommit")
          WHERE id = $1::uuid`,
        [id, input.at, input.issuesWatermark, input.alertsWatermark, input.version ?? null],
      );
    },
  };
}
