/**
 * GET /metrics on the real service with the GitHub App: the install's backfills counted under
 * their trigger, the installation's quota named by the installation (its token rotates every hour
 * and never shows), and GitHub deliveries counted by result with the lag of an applied one.
 */
import { describe, expect, it } from 'vitest';
import { INSTALLATION_TOKEN, useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { ACCOUNT, issuesEvent } from '../support/webhook-payloads.js';
import { parseExposition, type Exposition } from './exposition.js';

const repo = { id: 186853002, fullName: `${ACCOUNT}/Hello-World` };

let server: GitHubAppServer;
let installed: Exposition;

useGitHubAppServer(async (started) => {
  server = started;
  server.github.repo(ACCOUNT, 'Hello-World', { issues: 3 });
  await server.install([repo]);
  installed = await scrape();
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).not.toContain(INSTALLATION_TOKEN);
  return parseExposition(text);
}

describe('GET /metrics with the GitHub App', () => {
  it('counts the install\'s backfill and names the quota it read by the installation', async () => {
    const { prisma } = server.database.db;
    const installation = await prisma.installation.findFirstOrThrow();
    const host = new URL(server.github.url).host;
    expect(installed.value('issue_sync_syncs_total', { trigger: 'install', sync_type: 'all', result: 'completed' })).toBe(1);
    expect(installed.sum('issue_sync_items_written_total', { provider: 'github', result: 'created' })).toBe(3);
    expect(installed.sum('issue_sync_provider_requests_total', { provider: 'github', host, status: '200' })).toBeGreaterThanOrEqual(2);
    const quotas = installed.find('issue_sync_provider_quota_remaining', { provider: 'github', host });
    expect(quotas.map((sample) => sample.labels.quota)).toEqual([`installation:${installation.id}`]);
  });

  it('counts deliveries by result and observes how late an applied one came', async () => {
    const before = await scrape();
    const edited = issuesEvent('edited', repo, { number: 1, title: 'Edited two seconds ago', updated_at: new Date(Date.now() - 2000).toISOString() });
    const deliveryId = '5e7b1c2a-0f3d-4d7e-9a51-metrics00001';
    expect(await server.deliver('issues', edited, { deliveryId })).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await server.deliver('issues', edited, { deliveryId })).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect((await server.deliver('issues', edited, { signature: 'sha256=0000' })).status).toBe(401);
    expect((await server.deliver('issues', edited, { body: '[1]' })).status).toBe(400);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);
    for (const [result, count] of [['processed', 1], ['duplicate', 1], ['unauthorized', 1], ['rejected', 1]] as const) {
      expect(delta('issue_sync_webhook_deliveries_total', { host: 'github', result }), result).toBe(count);
    }
    expect(delta('issue_sync_webhook_lag_seconds_count', { host: 'github' })).toBe(1);
    const lag = delta('issue_sync_webhook_lag_seconds_sum', { host: 'github' });
    expect(lag).toBeGreaterThanOrEqual(1.9);
    expect(lag).toBeLessThan(30);
    expect(delta('issue_sync_items_written_total', { provider: 'github', result: 'updated' })).toBe(1);
  });
});
