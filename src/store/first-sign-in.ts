/**
 * The first sign-in of a new installation: with no ADMIN_TOKEN and no API token yet, nobody could
 * sign in to the dashboard, so `serve` makes one admin (of the first project, or of a new `default`
 * project) and shows its token once on the terminal. Never again once any token exists.
 */
import type { Database } from '../db/client.js';
import type { ProjectStore } from './prisma-project-store.js';

export interface FirstSignIn {
  token: string;
  projectSlug: string;
}

export async function ensureFirstSignIn(db: Database, projects: Pick<ProjectStore, 'list' | 'ensure' | 'addUser'>): Promise<FirstSignIn | null> {
  const { rows } = await db.pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM "ApiToken" WHERE "revokedAt" IS NULL) AS any');
  if (rows[0]?.any) return null;
  const [first] = await projects.list(null);
  const project = first ?? (await projects.ensure('default'));
  const { token } = await projects.addUser(project.id, 'admin', 'admin');
  return { token, projectSlug: project.slug };
}
