/**
 * `issue-sync serve` / `npm start`: one process serving HTTP on PORT (API, GitHub App webhooks, sync
 * jobs) until SIGINT or SIGTERM. The wiring is in src/serve/start-service.ts.
 */
import { GITHUB_APP_VARIABLES } from '../../github-app/github-app-settings.js';
import { startService } from '../../serve/start-service.js';
import type { CommandContext } from '../run-cli.js';

export async function runServe({ io, log, runtime }: CommandContext): Promise<number> {
  const service = await startService(runtime);
  io.stdout.write(`issue-sync is running at ${service.url}/ (${runtime.databaseLabel})\n`);
  for (const notice of runtime.notices) io.stdout.write(`${notice}\n`);
  io.stdout.write(
    service.github
      ? `GitHub App ${service.github.appId} receiving webhooks at ${service.webhookUrl}\n`
      : `GitHub App not configured: set ${GITHUB_APP_VARIABLES} to receive webhooks.\n`,
  );
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
