/**
 * `issue-sync serve` / `npm start`: one process serving HTTP on PORT (API, GitHub App, GitLab and
 * Bitbucket webhooks, sync jobs and the poller) until SIGINT or SIGTERM. The wiring is in src/serve/start-service.ts.
 */
import { GITHUB_APP_VARIABLES } from '../../github-app/github-app-settings.js';
import { PROVIDER_DEFINITIONS } from '../../providers/index.js';
import { startService } from '../../serve/start-service.js';
import { ensureFirstSignIn } from '../../store/first-sign-in.js';
import type { CommandContext } from '../run-cli.js';

export async function runServe({ io, log, runtime }: CommandContext): Promise<number> {
  const service = await startService(runtime);
  io.stdout.write(`issue-sync is running at ${service.url}/ (${runtime.databaseLabel})\n`);
  // Shown on the terminal only, never logged.
  const first = runtime.config.adminToken ? null : await ensureFirstSignIn(runtime.db, runtime.stores.projects);
  if (first) {
    io.stdout.write(
      `Nobody could sign in yet, so a first admin was made. Sign in to the dashboard at ${service.url}/ with this token ` +
        `(shown this once, not logged):\n  ${first.token}\nIt is an admin of project "${first.projectSlug}"; ` +
        '`issue-sync users add` makes more users.\n',
    );
  }
  for (const notice of runtime.notices) io.stdout.write(`${notice}\n`);
  io.stdout.write(
    service.github
      ? `GitHub App ${service.github.appId} receiving webhooks at ${service.webhookUrl}\n`
      : `GitHub App not configured: set ${GITHUB_APP_VARIABLES} to receive webhooks.\n`,
  );
  // GitLab and Bitbucket webhooks: where they go, once their secret is set (the routes refuse them before).
  for (const host of PROVIDER_DEFINITIONS) {
    if (host.webhookHandler && host.webhookPath && runtime.config.hosts[host.kind].webhookSecrets.length > 0) {
      io.stdout.write(`${host.label} webhooks received at ${service.url}${host.webhookPath}\n`);
    }
  }
  if (service.webhookProxyUrl) {
    io.stdout.write(`Forwarding webhooks from ${service.webhookProxyUrl} to ${service.webhookUrl}\n`);
  }

  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) {
      if (io.signal?.aborted) resolve();
      return;
    }
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info({}, 'shutting down');
  await service.close();
  return 0;
}
