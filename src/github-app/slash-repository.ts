/**
 * The repository connection a /sync comment is about. The installation decides the project: only
 * connections of the installation's project count, so a repository that some other project also
 * connected (with a token) is never synced into that project from a comment. Within the project the
 * host's repository id wins (stable across renames), then the full name; a connection of the same
 * name but another repository id is for a deleted repository and never matches.
 */
import type { Database } from '../db/client.js';
import type { RepositoryRecord } from '../store/issue-store.js';
import { toRepositoryRecord } from '../store/prisma-repository-store.js';

export type SlashRepository =
  /** No active Installation row for this installation id: not ours to answer. */
  | { status: 'unknown_installation' }
  | { status: 'not_connected' }
  | { status: 'connected'; repository: RepositoryRecord };

export async function slashRepository(
  db: Database,
  input: { installationId: number; repositoryId: number; fullName: string },
): Promise<SlashRepository> {
  const installation = await db.prisma.installation.findUnique({
    where: { githubInstallationId: BigInt(input.installationId) },
    select: { id: true, projectId: true, active: true },
  });
  if (!installation?.active) return { status: 'unknown_installation' };
  const externalRepoId = String(input.repositoryId);
  const rows = await db.prisma.repositoryConnection.findMany({
    where: {
      projectId: installation.projectId,
      provider: 'github',
      active: true,
      OR: [{ externalRepoId }, { fullPath: { equals: input.fullName, mode: 'insensitive' } }],
    },
    orderBy: { createdAt: 'asc' },
  });
  // A name match that carries another repository id belongs to a deleted repository of that name.
  const candidates = rows.filter((row) => row.externalRepoId === null || row.externalRepoId === externalRepoId);
  const row =
    candidates.find((candidate) => candidate.externalRepoId === externalRepoId) ??
    candidates.find((candidate) => candidate.fullPath === input.fullName) ??
    candidates[0];
  return row ? { status: 'connected', repository: toRepositoryRecord(row) } : { status: 'not_connected' };
}
