/**
 * One backfill per repository (trigger `install`, issues and alerts, closed ones too), each a
 * SyncOperation people can watch. Launched in the background: an installation with hundreds of
 * repositories still gets its webhook answered at once. `incremental` continues from each
 * repository's watermarks (after a suspension); a repository never synced gets a full backfill.
 */
import type { Logger } from '../logger.js';
import type { RepositoryRecord } from '../store/issue-store.js';
import type { GitHubEventDeps } from './github-event-deps.js';

export function startBackfills(
  deps: Pick<GitHubEventDeps, 'jobs' | 'background'>,
  repositories: readonly RepositoryRecord[],
  options: { log: Logger; incremental?: boolean },
): void {
  if (repositories.length === 0) return;
  const { log } = options;
  deps.background.run('install backfill', async () => {
    for (const repository of repositories) {
      const watermarks = { issues: repository.issuesWatermark, security: repository.alertsWatermark };
      const since = options.incremental && (watermarks.issues || watermarks.security) ? watermarks : null;
      try {
        const started = await deps.jobs.start({
          projectId: repository.projectId,
          repositoryId: repository.id,
          syncType: 'all',
          includeClosed: true,
          trigger: 'install',
          since,
        });
        log.info(
          { repositoryId: repository.id, repo: repository.fullPath, operationId: started.operation.id, status: started.status },
          'backfill started',
        );
      } catch (error) {
        log.warn({ err: error, repositoryId: repository.id, repo: repository.fullPath }, 'backfill could not start');
      }
    }
  });
}
