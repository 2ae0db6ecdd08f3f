/**
 * `issue-sync issues list`: the stored issues of a project (optionally of one repository), sorted by
 * repository then number, one line each under a header and above a count; or a JSON array with
 * --json. Streams from a server-side cursor, so any size prints in bounded memory.
 */
import { UsageError } from '../../errors.js';
import { listRepositories } from '../../store/list-repositories.js';
import type { ListedIssue } from '../../store/prisma-issue-listing-store.js';
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';
import { resolveProject } from '../resolve-project.js';
import { oneLine } from '../one-line.js';

type IssuesListCommand = Extract<Command, { name: 'issues list' }>;

const NUMBER_WIDTH = 10;

export async function runIssuesList({ io, runtime }: CommandContext, command: IssuesListCommand): Promise<number> {
  const { stores } = runtime;
  const project = await resolveProject(stores, command);
  let repositoryId: string | undefined;
  if (command.repo) {
    const matches = await stores.repositories.listByPath([project.id], command.repo);
    if (matches.length === 0) {
      throw new UsageError(
        `Project ${project.slug} has no repository ${command.repo}; "issue-sync repos list --project ${project.slug}" shows its repositories.`,
      );
    }
    if (matches.length > 1) {
      const hosts = matches.map((match) => match.provider).join(' and ');
      throw new UsageError(`${command.repo} is connected from ${hosts} in project ${project.slug}; list the project without --repo.`);
    }
    repositoryId = matches[0]!.id;
  }

  const pathWidth = command.json ? 0 : await repositoryColumnWidth(runtime, project.id);
  let issues = 0;
  let alerts = 0;
  if (command.json) io.stdout.write('[');
  else io.stdout.write(`${['REPOSITORY'.padEnd(pathWidth), 'NUMBER'.padEnd(NUMBER_WIDTH), 'KIND ', 'STATE ', 'TITLE'].join('  ')}\n`);
  for await (const page of stores.issueListing.byRepository({ projectId: project.id, ...(repositoryId ? { repositoryId } : {}) })) {
    let chunk = '';
    for (const item of page) {
      chunk += command.json ? `${issues + alerts === 0 ? '' : ','}\n${JSON.stringify(toJson(item))}` : `${toLine(item, pathWidth)}\n`;
      if (item.kind === 'security_alert') alerts += 1;
      else issues += 1;
    }
    io.stdout.write(chunk);
  }
  if (command.json) {
    io.stdout.write(issues + alerts === 0 ? ']\n' : '\n]\n');
    return 0;
  }
  const where = command.repo ? `${command.repo} in project ${project.slug}` : `project ${project.slug}`;
  io.stdout.write(
    issues + alerts === 0
      ? `No issues stored in ${where} yet; "issue-sync sync --provider github --repo OWNER/NAME" stores them.\n`
      : `${plural(issues, 'issue')} and ${plural(alerts, 'security alert')} in ${where}.\n`,
  );
  return 0;
}

async function repositoryColumnWidth(runtime: CommandContext['runtime'], projectId: string): Promise<number> {
  const repositories = await listRepositories(runtime.db, projectId);
  return Math.min(40, Math.max('REPOSITORY'.length, ...repositories.map((repository) => repository.fullPath.length)));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function toJson({ repositoryPath: _path, ...item }: ListedIssue) {
  return { ...item, externalUpdatedAt: item.externalUpdatedAt?.toISOString() ?? null, createdAt: item.createdAt.toISOString() };
}

function toLine(item: ListedIssue, pathWidth: number): string {
  const id = item.externalId ? item.externalId.slice(item.externalId.lastIndexOf(':') + 1) : 'local';
  const number = /^\d+$/.test(id) ? `#${id}` : id;
  const kind = item.kind === 'security_alert' ? 'alert' : 'issue';
  return [oneLine(item.repositoryPath ?? '-').padEnd(pathWidth), number.padEnd(NUMBER_WIDTH), kind, item.state.padEnd(6), oneLine(item.title)].join('  ');
}
