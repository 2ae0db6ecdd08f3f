/**
 * Whether a commenter may run /sync: their repository role must be write, maintain or admin.
 * `role_name` decides when it is one of GitHub's built-in roles; a custom role (any other name) and
 * GitHub Enterprise Server versions without `role_name` fall back to the base `permission`, which
 * GitHub reports as admin, write, read or none (maintain counts as write, triage as read).
 */
import type { AppOctokit } from './probot-octokit-class.js';

export interface SlashPermission {
  allowed: boolean;
  /** The role as GitHub names it, for the refusal message. */
  role: string;
}

const WRITE_ROLES = new Set(['write', 'maintain', 'admin']);
const READ_ROLES = new Set(['read', 'triage', 'none']);

export async function slashPermission(
  octokit: AppOctokit,
  params: { owner: string; repo: string; username: string },
): Promise<SlashPermission> {
  let data: { permission?: string | null; role_name?: string | null };
  try {
    ({ data } = await octokit.rest.repos.getCollaboratorPermissionLevel(params));
  } catch (error) {
    // 404: not a collaborator of a private repository (or an unknown user).
    if ((error as { status?: number }).status === 404) return { allowed: false, role: 'none' };
    throw error;
  }
  const role = data.role_name?.toLowerCase() || undefined;
  const permission = data.permission?.toLowerCase() ?? 'none';
  if (role && WRITE_ROLES.has(role)) return { allowed: true, role };
  if (role && READ_ROLES.has(role)) return { allowed: false, role };
  return { allowed: WRITE_ROLES.has(permission), role: role ?? permission };
}
