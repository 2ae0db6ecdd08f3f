/**
 * `issue-sync sync`: a one-off sync of one repository into the database, with a progress bar on a
 * TTY and, with --json, one JSON object at the end. An interrupted run (Ctrl-C, a failure after some
 * pages) is continued from its checkpoint by the next run with the same options.
 */
import { CancelledError, ProviderError, errorMessage } from '../../errors.js';
import type { Provider } from '../../providers/provider.js';
import type { RepositoryRecord, SyncResults } from '../../store/issue-store.js';
import { syncRepository } from '../../sync/sync-repository.js';
import { emptyResults } from '../../sync/progress-tracker.js';
import { DEFAULT_PROJECT, type Command } from '../parse-args.js';
import { projectHolding } from '../resolve-project.js';
import { createProgressBar } from '../progress-bar.js';
import type { CommandContext } from '../run-cli.js';
import { openProvider } from '../open-provider.js';
import { claimOperation } from '../../jobs/claim-operation.js';
import { processOwnerId } from '../../jobs/process-owner.js';

type SyncCommand = Extract<Command, { name: 'sync' }>;

export interface SyncSummary {
  status: 'completed' | 'failed' | 'cancelled';
  provider: string;
  repository: string;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  issues: number;
  securityAlerts: number;
  requests: number;
  durationMs: number;
  operationId?: string;
  skippedParts?: SyncResults['skippedParts'];
  resumed?: boolean;
  error?: string;
}

export async function runSyncCommand({ io, log, runtime }: CommandContext, command: SyncCommand): Promise<number> {
  const startedAt = Date.now();
  const { stores } = runtime;
  let provider: Provider | undefined;
  const summarize = (
    status: SyncSummary['status'],
    results: SyncResults,
    extra: Partial<SyncSummary> = {},
  ): SyncSummary => ({
    status,
    provider: command.provider,
    repository: extra.repository ?? command.repo,
    created: results.created,
    updated: results.updated,
    skipped: results.skipped,
    failed: results.failed,
    issues: results.issues,
    securityAlerts: results.securityAlerts,
    requests: provider?.requestCount() ?? 0,
    durationMs: Date.now() - startedAt,
    ...(results.skippedParts.length > 0 ? { skippedParts: results.skippedParts } : {}),
    ...extra,
  });

  const { project, known } = await findSyncTarget(stores, command);
  let repository: string;
  let outcome;
  let operationId: string;
  let resumed: boolean;
  try {
    provider = await openProvider(runtime, {
      kind: command.provider,
      repo: command.repo,
      token: command.token,
      apiUrl: command.apiUrl,
      known,
    });
    const info = await provider.repository(io.signal);
    repository = info.fullName;
    const connection = await stores.repositories.connect({
      projectId: project.id,
      provider: command.provider,
      fullPath: info.fullName,
      url: info.url,
      apiUrl: command.apiUrl ?? known?.apiUrl ?? null,
      externalRepoId: info.id,
    });
    const claim = await claimOperation(stores.operations, {
      projectId: project.id,
      repositoryId: connection.id,
      syncType: command.type,
      includeClosed: command.includeClosed,
      trigger: 'cli',
      jobId: processOwnerId('cli'),
    });
    if (claim.status === 'already_running') {
      const { id, progress } = claim.operation;
      const error = `A sync of ${repository} is already running (operation ${id}, ${progress.processed} items so far); wait for it to finish.`;
      return report(io, command, summarize('failed', emptyResults(), { repository, error }));
    }
    const { operation, resumeFrom } = claim;
    resumed = resumeFrom !== null;
    if (resumeFrom && !command.json) {
      io.stderr.write(
        `Continuing the interrupted sync of ${repository} from its checkpoint (${resumeFrom.processed} items already stored).\n`,
      );
    }
    operationId = operation.id;
    const bar = createProgressBar(io.stderr);
    outcome = await syncRepository(
      { issues: stores.issues, operations: stores.operations, repositories: stores.repositories, log },
      {
        operationId: operation.id,
        projectId: project.id,
        repositoryId: connection.id,
        provider,
        syncType: command.type,
        includeClosed: command.includeClosed,
        resumeFrom,
        ...(io.signal ? { signal: io.signal } : {}),
        onProgress: (progress, results) => bar.update(progress, results, progress.stage === 'done'),
      },
    );
    bar.end();
  } catch (error) {
    if (!(error instanceof ProviderError || error instanceof CancelledError)) throw error;
    const status = error instanceof CancelledError ? 'cancelled' : 'failed';
    return report(io, command, summarize(status, emptyResults(), { error: explainFailure(error, command, known, project.slug) }));
  }

  const extra = { repository, operationId, ...(resumed ? { resumed } : {}) };
  if (outcome.status === 'completed') return report(io, command, summarize('completed', outcome.results, extra));
  if (outcome.status === 'cancelled') {
    return report(io, command, summarize('cancelled', outcome.results, { ...extra, error: 'Interrupted.' }));
  }
  return report(io, command, summarize('failed', outcome.results, { ...extra, error: outcome.error }));
}

/**
 * Where the sync writes. With --project, that project (created when missing). Without it, the
 * connection that already exists for this repository (the GitHub App's, a `repos add`), so a CLI sync
 * does not open a second copy of its issues in "default"; "default" only for a repository that is
 * connected nowhere.
 */
async function findSyncTarget(stores: CommandContext['runtime']['stores'], command: SyncCommand) {
  const holder = command.project ? null : await projectHolding(stores, command.repo, command.provider);
  const project = holder ?? (await stores.projects.ensure(command.project ?? DEFAULT_PROJECT));
  return { project, known: await stores.repositories.findByPath(project.id, command.provider, command.repo) };
}

/**
 * The error with what to do next where the CLI knows more than the provider: which token a refused
 * one was (the provider's message names no way of giving one), and a repository read through the
 * GitHub App, whose installation token is the service's alone.
 */
function explainFailure(error: Error, command: SyncCommand, known: RepositoryRecord | null, projectSlug: string): string {
  const message = errorMessage(error);
  const denied = error instanceof ProviderError && ['unauthorized', 'forbidden', 'not_found'].includes(error.code);
  if (denied && !command.token && !known?.encryptedToken && known?.installationId) {
    return (
      `${message} (${known.fullPath} in project ${projectSlug} is read through the GitHub App, whose token the CLI cannot use: ` +
      `pass --token, or sync it from the service: POST /api/projects/${projectSlug}/repositories/${known.id}/sync)`
    );
  }
  if (!(error instanceof ProviderError) || error.code !== 'unauthorized') return message;
  if (command.token) return `${message} (the token given with --token)`;
  if (known?.encryptedToken) return `${message} (the token stored on the repository connection; pass another with --token)`;
  return `${message} (pass one with --token)`;
}

function report(io: CommandContext['io'], command: SyncCommand, summary: SyncSummary): number {
  if (command.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
  if (summary.status === 'failed') {
    io.stderr.write(`issue-sync: ${summary.error}\n`);
    return 1;
  }
  if (summary.status === 'cancelled') {
    io.stderr.write('issue-sync: interrupted; run the same command again to continue where it stopped.\n');
    return 130;
  }
  if (!command.json) {
    const alerts = summary.securityAlerts > 0 || command.type !== 'issues' ? `, ${summary.securityAlerts} security alerts` : '';
    io.stdout.write(
      `Synced ${summary.repository}: ${summary.created} created, ${summary.updated} updated, ${summary.skipped} skipped (unchanged)` +
        `${summary.failed > 0 ? `, ${summary.failed} failed` : ''} (${summary.issues} issues${alerts}) ` +
        `in ${(summary.durationMs / 1000).toFixed(1)} s with ${summary.requests} requests.\n`,
    );
    for (const skipped of summary.skippedParts ?? []) {
      io.stdout.write(`Skipped ${skipped.part === 'security' ? 'security alerts' : 'issues'}: ${skipped.reason}\n`);
    }
  }
  return summary.failed > 0 ? 1 : 0;
}
