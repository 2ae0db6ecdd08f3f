/**
 * `issue-sync projects list`: every project with the ids the HTTP API wants and what it holds, so a
 * user finds the project a sync, `users add` or the GitHub App (named after the account) wrote into.
 */
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';
import { formatTable } from '../format-table.js';

type ProjectsListCommand = Extract<Command, { name: 'projects list' }>;

export async function runProjectsList({ io, runtime }: CommandContext, command: ProjectsListCommand): Promise<number> {
  const { projects } = runtime.stores;
  const [listed, issueCounts] = await Promise.all([projects.list(null), projects.countIssues(null)]);
  const rows = listed.map((project) => ({ ...project, issueCount: issueCounts.get(project.id) ?? 0 }));
  if (command.json) {
    io.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stdout.write('No projects yet: "issue-sync sync --provider github --repo OWNER/NAME" creates "default" and fills it.\n');
    return 0;
  }
  io.stdout.write(
    formatTable(
      ['SLUG', 'ID', 'NAME', 'REPOSITORIES', 'ISSUES'],
      rows.map((row) => [row.slug, row.id, row.name, String(row.repositoryCount), String(row.issueCount)]),
    ),
  );
  io.stdout.write(`${rows.length} project${rows.length === 1 ? '' : 's'}; "issue-sync repos list --project SLUG" shows a project's repositories.\n`);
  return 0;
}
