/**
 * `issue-sync repos list`: connected repositories with the ids the HTTP API wants, their project,
 * webhook health and last sync, and a line on what each health state shown means.
 */
import { listRepositories, type RepositoryListItem } from '../../store/list-repositories.js';
import type { Command } from '../parse-args.js';
import type { CommandContext } from '../run-cli.js';
import { formatTable } from '../format-table.js';
import { requireProject } from '../resolve-project.js';
import { WEBHOOK_STATES, WEBHOOK_STATE_MEANING } from '../webhook-states.js';

type ReposListCommand = Extract<Command, { name: 'repos list' }>;

export async function runReposList({ io, runtime }: CommandContext, command: ReposListCommand): Promise<number> {
  const { stores, db } = runtime;
  const projects = command.project ? [await requireProject(stores, command.project)] : await stores.projects.list(null);
  const rows: (RepositoryListItem & { project: string })[] = [];
  for (const project of projects) {
    for (const repository of await listRepositories(db, project.id)) rows.push({ ...repository, project: project.slug });
  }
  if (command.json) {
    io.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    const where = command.project ? `in project ${command.project}` : 'yet';
    io.stdout.write(
      `No repositories connected ${where}: "issue-sync sync --provider github --repo OWNER/NAME" or "issue-sync repos add" connects one.\n`,
    );
    return 0;
  }
  io.stdout.write(
    formatTable(
      ['ID', 'PROVIDER', 'PATH', 'PROJECT', 'WEBHOOK', 'LAST SYNC'],
      rows.map((row) => [row.id, row.provider, row.fullPath, row.project, row.webhookStatus, lastSync(row.lastSyncAt)]),
    ),
  );
  for (const state of WEBHOOK_STATES) {
    if (rows.some((row) => row.webhookStatus === state)) io.stdout.write(`${state}: ${WEBHOOK_STATE_MEANING[state]}.\n`);
  }
  return 0;
}

function lastSync(at: Date | null): string {
  return at ? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never';
}
