/**
 * The App as `serve` builds it reads its delivery log with its own JWT (not an installation token)
 * and redelivers a failed delivery of a connected repository.
 */
import { describe, expect, it } from 'vitest';
import { useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { INSTALLATION_ID } from '../support/webhook-payloads.js';

let server: GitHubAppServer;
useGitHubAppServer((started) => {
  server = started;
});

describe('the App reading its delivery log', () => {
  it('authenticates as the App and redelivers a failed delivery', async () => {
    const failed = server.github.deliveryLog.add({
      event: 'issues', action: 'edited', status_code: 503, installation_id: INSTALLATION_ID, repository_id: null,
    });
    server.github.deliveryLog.add({ event: 'issues', action: 'opened', status_code: 200, installation_id: INSTALLATION_ID });
    const report = await server.service.github!.readDeliveryLog();
    expect(report).toEqual({ read: 2, failed: 1, redelivered: 1, backfilled: 0 });
    expect(server.github.deliveryLog.redelivered).toEqual([failed.id]);
  });
});
