/**
 * `issue-sync users add`: a user with a role in a project and an API token, printed once: only its
 * hash is stored. A project that does not exist yet is created, as `sync` and `repos add` do, and
 * the output says so and names the projects there are, so a mistyped slug is seen at once rather
 * than found later as an empty project.
 */
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';
import { describeProjects } from '../resolve-project.js';

type UsersAddCommand = Extract<Command, { name: 'users add' }>;

export async function runUsersAdd({ io, runtime }: CommandContext, command: UsersAddCommand): Promise<number> {
  const { projects } = runtime.stores;
  const existing = await projects.findBySlug(command.project);
  const others = existing ? [] : await projects.list(null);
  const project = existing ?? (await projects.ensure(command.project));
  if (!existing) {
    io.stdout.write(
      `Created project ${project.slug} (id ${project.id}): it did not exist and has no repositories yet` +
        (others.length > 0 ? `; the other projects are ${describeProjects(others)}.\n` : '.\n'),
    );
  }
  const { userId, token } = await projects.addUser(project.id, command.userName, command.role);
  io.stdout.write(
    `Created ${command.role} "${command.userName}" (user ${userId}) in project ${project.slug} (id ${project.id}).\n` +
      `API token (shown once, keep it safe): ${token}\n` +
      `Use it as "Authorization: Bearer TOKEN", e.g. GET /api/projects/${project.slug}/repositories.\n`,
  );
  return 0;
}
