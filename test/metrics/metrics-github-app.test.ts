/**
 * GET /metrics on the real service with the GitHub App: the install's backfills counted under
 * their trigger, the installation's quota named by the installation (its token rotates every hour
 * and never shows), the requests Probot's clients make on their own (installation tokens, the
 * delivery log, items read for events) counted once each, GitHub deliveries counted by result with
 * the lag of an applied one, and issues closed because GitHub deleted or moved them.
 */
import { describe, expect, it } from 'vitest';
import { APP_ID, INSTALLATION_TOKEN, useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { asAppDelivery, webhookExamples } from '../support/webhook-examples.js';
import { ACCOUNT, INSTALLATION_ID, issuesEvent } from '../support/webhook-payloads.js';
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
  it('counts the install\'s backfill and its installation token request, and names the quota it read by the installation', async () => {
    const host = new URL(server.github.url).host;
    expect(installed.value('issue_sync_syncs_total', { trigger: 'install', sync_type: 'all', result: 'completed' })).toBe(1);
    expect(installed.sum('issue_sync_items_written_total', { provider: 'github', result: 'created' })).toBe(3);
    // The backfill's reads, each once (they go out through the installation client's counting fetch).
    const answered = server.github.requests.filter((request) => request.status === 200).length;
    expect(answered).toBeGreaterThanOrEqual(2);
    expect(installed.sum('issue_sync_provider_requests_total', { provider: 'github', host, status: '200' })).toBe(answered);
    // The installation token Probot asked for with the App's JWT (answered by nock, not the simulator).
    expect(installed.sum('issue_sync_provider_requests_total', { provider: 'github', host, status: '201' })).toBe(1);
    const quotas = installed.find('issue_sync_provider_quota_remaining', { provider: 'github', host });
    expect(quotas.map((sample) => sample.labels.quota)).toEqual([`installation:${INSTALLATION_ID}`]);
  });

  it('counts what Probot\'s clients ask on their own: the delivery log under the App\'s quota, an item read for an event under the installation\'s', async () => {
    const host = new URL(server.github.url).host;
    const before = await scrape();
    server.github.clearRequests();

    await server.service.github!.readDeliveryLog();
    const pinned = webhookExamples().find((example) => example.label === 'issues.pinned #19')!;
    expect(await server.deliver('issues', asAppDelivery(pinned, INSTALLATION_ID))).toMatchObject({ status: 200, body: { status: 'processed' } });

    const after = await scrape();
    const sent = server.github.requests;
    expect(sent.filter((request) => request.path.startsWith('/app/hook/deliveries')).length).toBeGreaterThanOrEqual(1);
    expect(sent).toContainEqual(expect.objectContaining({ method: 'GET', path: `/repos/${repo.fullName}/issues/1`, status: 200 }));
    const delta = after.sum('issue_sync_provider_requests_total', { provider: 'github', host }) - before.sum('issue_sync_provider_requests_total', { provider: 'github', host });
    expect(delta).toBe(sent.length);
    expect(after.value('issue_sync_provider_quota_remaining', { provider: 'github', host, quota: `app:${APP_ID}`, resource: 'core' })).toBeGreaterThan(0);
    const installation = { provider: 'github', host, quota: `installation:${INSTALLATION_ID}`, resource: 'core' };
    expect(after.value('issue_sync_provider_quota_remaining', installation)).toBeLessThan(before.value('issue_sync_provider_quota_remaining', installation)!);
  });

  it('counts issues closed because GitHub deleted them or moved them to another repository', async () => {
    const before = await scrape();
    const at = new Date().toISOString();
    expect((await server.deliver('issues', issuesEvent('deleted', repo, { number: 2, updated_at: at }))).status).toBe(200);
    const moved = issuesEvent('transferred', repo, { number: 3, updated_at: at }, { changes: { new_issue: { html_url: 'https://github.com/octo/elsewhere/issues/9' } } });
    expect((await server.deliver('issues', moved)).status).toBe(200);
    // An issue never stored closes nothing and counts nothing.
    expect((await server.deliver('issues', issuesEvent('deleted', repo, { number: 404, updated_at: at }))).status).toBe(200);

    const after = await scrape();
    const delta = (result: string) =>
      after.sum('issue_sync_items_written_total', { provider: 'github', result }) - before.sum('issue_sync_items_written_total', { provider: 'github', result });
    expect(delta('closed_deleted')).toBe(1);
    expect(delta('closed_transferred')).toBe(1);
    expect(delta('updated')).toBe(0);
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
