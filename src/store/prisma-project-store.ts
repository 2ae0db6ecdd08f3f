/**
 * Projects, users, memberships and API tokens: what the CLI and the HTTP API need to know who may do
 * what. API tokens are stored as hashes only; the token itself is returned once, at creation.
 */
import { generateApiToken, hashApiToken } from '../auth/api-token.js';
import type { Database } from '../db/client.js';

export type Role = 'admin' | 'member' | 'viewer';

export interface ProjectRecord {
  id: string;
  slug: string;
  name: string;
}

/** A project as listings show it: with how many repositories are connected to it. */
export interface ProjectSummary extends ProjectRecord {
  repositoryCount: number;
}

export interface ProjectStore {
  get(id: string): Promise<ProjectRecord | null>;
  /** Projects by slug with their repository counts: these ids only, or every project (null). */
  list(projectIds: readonly string[] | null): Promise<ProjectSummary[]>;
  /** How many issues each project holds (alerts included), by project id; projects with none are absent. */
  countIssues(projectIds: readonly string[] | null): Promise<Map<string, number>>;
  findBySlug(slug: string): Promise<ProjectRecord | null>;
  /** The project with this slug, created (named after the slug) when it does not exist yet. */
  ensure(slug: string): Promise<ProjectRecord>;
  /** Creates a user with a role in the project and an API token; the token is returned once. */
  addUser(projectId: string, name: string, role: Role): Promise<{ userId: string; token: string }>;
}

export function createProjectStore(db: Database): ProjectStore {
  const { prisma } = db;
  const select = { id: true, slug: true, name: true } as const;
  return {
    get: (id) => prisma.project.findUnique({ where: { id }, select }),

    async list(projectIds) {
      const rows = await prisma.project.findMany({
        where: projectIds ? { id: { in: [...projectIds] } } : {},
        orderBy: [{ slug: 'asc' }],
        select: { ...select, _count: { select: { repositories: true } } },
      });
      return rows.map(({ _count, ...project }) => ({ ...project, repositoryCount: _count.repositories }));
    },

    async countIssues(projectIds) {
      const groups = await prisma.issue.groupBy({
        by: ['projectId'],
        where: projectIds ? { projectId: { in: [...projectIds] } } : {},
        _count: { _all: true },
      });
      return new Map(groups.map((group) => [group.projectId, group._count._all]));
    },

    findBySlug: (slug) => prisma.project.findUnique({ where: { slug }, select }),

    ensure: (slug) => prisma.project.upsert({ where: { slug }, create: { slug, name: slug }, update: {}, select }),

    async addUser(projectId, name, role) {
      const token = generateApiToken();
      const user = await prisma.user.create({
        data: {
          name,
          memberships: { create: { projectId, role } },
          apiTokens: { create: { tokenHash: hashApiToken(token), name: 'cli' } },
        },
      });
      return { userId: user.id, token };
    },
  };
}
