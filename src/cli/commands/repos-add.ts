/**
 * `issue-sync repos add`: connects a repository to a project. The token is checked against the host
 * first (a bad token or unknown repository fails here, not at the first sync) and stored encrypted.
 * Prints the repository's id alone on its first line (scripts read it), then where it went.
 */
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';
import { openProvider } from '../open-provider.js';

type ReposAddCommand = Extract<Command, { name: 'repos add' }>;

export async function runReposAdd({ io, runtime }: CommandContext, command: ReposAddCommand): Promise<number> {
  const { stores, cipher } = runtime;
  const provider = await openProvider(runtime, {
    kind: command.provider,
    repo: command.repo,
    token: command.token,
    apiUrl: command.apiUrl,
  });
  const info = await provider.repository(io.signal);
  const existed = (await stores.projects.findBySlug(command.project)) !== null;
  const project = await stores.projects.ensure(command.project);
  const connection = await stores.repositories.connect({
    projectId: project.id,
    provider: command.provider,
    fullPath: info.fullName,
    url: info.url,
    apiUrl: command.apiUrl ?? null,
    externalRepoId: info.id,
    encryptedToken: cipher.encrypt(command.token),
  });
  io.stdout.write(
    `${connection.id}\n` +
      `Connected ${command.provider} repository ${info.fullName} to project ${project.slug} (project id ${project.id}` +
      `${existed ? '' : ', created now'}).\n` +
      `Sync it with: issue-sync sync --provider ${command.provider} --repo ${info.fullName} --project ${project.slug}` +
      `${command.apiUrl ? ` --api-url ${command.apiUrl}` : ''}\n`,
  );
  return 0;
}
