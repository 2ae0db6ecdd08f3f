/**
 * `issue-sync users add`: a user with a role in a project (created when missing) and an API token,
 * printed once: only its hash is stored.
 */
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';

type UsersAddCommand = Extract<Command, { name: 'users add' }>;

export async function runUsersAdd({ io, runtime }: CommandContext, command: UsersAddCommand): Promise<number> {
  const project = await runtime.stores.projects.ensure(command.project);
  const { userId, token } = await runtime.stores.projects.addUser(project.id, command.userName, command.role);
  io.stdout.write(
    `Created ${command.role} "${command.userName}" (user ${userId}) in project ${project.slug}.\n` +
      `API token (shown once, keep it safe): ${token}\n`,
  );
  return 0;
}
