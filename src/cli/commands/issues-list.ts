/**
 * `issue-sync issues list`: the stored issues of a project (optionally of one repository), one line
 * each, or a JSON array with --json. Pages through the table, so any size prints in bounded memory.
 */
import { UsageError } from '../../errors.js';
import { listIssues, type IssueListItem } from '../../store/list-issues.js';
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';

type IssuesListCommand = Extract<Command, { name: 'issues list' }>;

export async function runIssuesList({ io, runtime }: CommandContext, command: IssuesListCommand): Promise<number> {
  const { db, stores } = runtime;
  const project = await stores.projects.findBySlug(command.project);
  if (!project) throw new UsageError(`There is no project "${command.project}" yet; sync a repository into it first.`);
  let repositoryId: string | undefined;
  if (command.repo) {
    const matches = await db.prisma.repositoryConnection.findMany({
      where: { projectId: project.id, fullPath: { equals: command.repo, mode: 'insensitive' } },
      select: { id: true },
    });
    if (matches.length === 0) {
      throw new UsageError(`Project "${command.project}" has no repository ${command.repo}.`);
    }
    if (matches.length > 1) {
      throw new UsageError(`${command.repo} is connected from more than one host; list the project without --repo.`);
    }
    repositoryId = matches[0]!.id;
  }

  let after: string | null = null;
  let count = 0;
  if (command.json) io.stdout.write('[');
  do {
    const page = await listIssues(db, {
      projectId: project.id,
      ...(repositoryId ? { repositoryId } : {}),
      after,
      limit: 500,
    });
    for (const item of page.items) {
      io.stdout.write(command.json ? `${count === 0 ? '' : ','}\n${JSON.stringify(toJson(item))}` : `${toLine(item)}\n`);
      count += 1;
    }
    after = page.nextCursor;
  } while (after);
  if (command.json) io.stdout.write(count === 0 ? ']\n' : '\n]\n');
  else if (count === 0) io.stdout.write('No issues stored yet.\n');
  return 0;
}

function toJson(item: IssueListItem) {
  return { ...item, externalUpdatedAt: item.externalUpdatedAt?.toISOString() ?? null, createdAt: item.createdAt.toISOString() };
}

function toLine(item: IssueListItem): string {
  const id = item.externalId ? item.externalId.slice(item.externalId.lastIndexOf(':') + 1) : 'local';
  const kind = item.kind === 'security_alert' ? 'alert' : 'issue';
  return [id.padEnd(10), kind.padEnd(5), item.state.padEnd(6), item.title].join('  ');
}
