import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService } from '../../src/serve/start-service.js';
import { sign, useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { ACCOUNT, INSTALLATION_ID, installationEvent, issuesEvent, merge, pingEvent } from '../support/webhook-payloads.js';
import { createStores } from '../../src/store/create-stores.js';

const repo = { id: 186853002, fullName: `${ACCOUNT}/Hello-World` };

let server: GitHubAppServer;

useGitHubAppServer(async (started) => {
  server = started;
  server.github.repo(ACCOUNT, 'Hello-World', { issues: 1 });
  await server.install([repo]);
});

/** Row counts of every table a delivery could write to. */
async function counts() {
  const { prisma } = server.database.db;
  const [issues, deliveries, connections, installations, projects, operations] = await Promise.all([
    prisma.issue.count(),
    prisma.webhookDelivery.count(),
    prisma.repositoryConnection.count(),
    prisma.installation.count(),
    prisma.project.count(),
    prisma.syncOperation.count(),
  ]);
  return { issues, deliveries, connections, installations, projects, operations };
}

const opened = () => issuesEvent('opened', repo, { number: 50, title: 'Should never be stored', updated_at: '2025-06-01T00:00:00Z' });

describe('POST /api/github/webhooks', () => {
  it.each([
    ['missing', null],
    ['malformed', 'sha256=not-hex'],
    ['signed with another secret', sign(JSON.stringify(opened()), 'another-secret')],
    ['the signature of another body', sign('{}')],
  ])('a %s signature is answered 401 and nothing is stored', async (_case, signature) => {
    const before = await counts();
    const response = await server.deliver('issues', opened(), { signature });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_signature', message: expect.stringContaining('X-Hub-Signature-256') });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['X-GitHub-Event', { 'x-github-event': '' }],
    ['X-GitHub-Delivery', { 'x-github-delivery': '' }],
  ])('a delivery without %s is answered 400', async (_header, headers) => {
    const before = await counts();
    const response = await server.deliver('issues', opened(), { headers });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_delivery' });
    expect(await counts()).toEqual(before);
  });

  const issuesWithout = (field: string) => {
    const payload = opened();
    delete payload[field];
    return JSON.stringify(payload);
  };

  it.each([
    ['invalid JSON', 'issues', '{"action": "opened", '],
    ['an empty body', 'issues', ''],
    ['a JSON array', 'issues', JSON.stringify([opened()])],
    ['JSON null', 'issues', 'null'],
    ['a JSON string', 'ping', '"zen"'],
  ])('%s with a valid signature is answered 400 and nothing is stored', async (_case, event, body) => {
    const before = await counts();
    const response = await server.deliver(event, null, { body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an issues event without its issue', 'issues', issuesWithout('issue')],
    ['an issues event without its repository', 'issues', issuesWithout('repository')],
    ['an issue number that is a string', 'issues', JSON.stringify(merge(opened(), { issue: { number: 'fifty' } }))],
    ['an installation id that is a string', 'installation', JSON.stringify(merge(installationEvent('created', { repositories: [repo] }), { installation: { id: 'abc' } }))],
    ['repositories that are not a list', 'installation_repositories', JSON.stringify({ action: 'added', installation: { id: INSTALLATION_ID }, repositories_added: 'all', repositories_removed: [] })],
    ['a dependabot alert without dates', 'dependabot_alert', JSON.stringify({ action: 'created', alert: { number: 1, state: 'open', html_url: 'x' }, repository: { id: 1, full_name: 'a/b' } })],
    ['a repository without a full name', 'repository', JSON.stringify({ action: 'renamed', repository: { id: 1 }, installation: { id: INSTALLATION_ID } })],
  ])('%s with a valid signature is acknowledged 200 (a redelivery could not fix it) and changes nothing', async (_case, event, body) => {
    const before = await counts();
    const response = await server.deliver(event, null, { body });
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await counts()).toEqual({ ...before, deliveries: before.deliveries + 1 });
  });

  it('a form-encoded delivery is answered 415 with what to change', async () => {
    const response = await server.deliver('issues', null, {
      body: `payload=${encodeURIComponent(JSON.stringify(opened()))}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response).toMatchObject({ status: 415, body: { error: 'unsupported_content_type' } });
  });

  it('a body over GitHub\'s 25 MB limit is answered 413', async () => {
    const body = JSON.stringify({ action: 'opened', padding: 'x'.repeat(25 * 1024 * 1024) });
    const response = await server.deliver('issues', null, { body });
    expect(response).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });

  it('ping is answered 200', async () => {
    const response = await server.deliver('ping', pingEvent());
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
  });

  it('an event nobody handles is acknowledged', async () => {
    const response = await server.deliver('star', { action: 'created', starred_at: null, repository: { id: repo.id } });
    expect(response.status).toBe(200);
  });

  it('a handler failure is answered 500, and GitHub\'s redelivery of it (same delivery id) is applied', async () => {
    const failing = async () => {
      throw new Error('database on fire');
    };
    const { webhooks } = server.service.github!.probot;
    webhooks.on('issues', failing);
    const deliveryId = '0b5c3a20-cc79-11e3-8a2f-53b1b3ad2e11';
    const payload = issuesEvent('opened', repo, { number: 60, title: 'Applied on redelivery', updated_at: '2025-06-01T00:00:00Z' });
    try {
      const failed = await server.deliver('issues', payload, { deliveryId });
      expect(failed).toMatchObject({ status: 500, body: { error: 'webhook_failed' } });
      expect(await server.database.db.prisma.webhookDelivery.findFirst({ where: { deliveryId } })).toMatchObject({ status: 'failed' });
    } finally {
      webhooks.removeListener('issues', failing);
    }
    const redelivered = await server.deliver('issues', payload, { deliveryId });
    expect(redelivered).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await server.database.db.prisma.webhookDelivery.findFirst({ where: { deliveryId } })).toMatchObject({ status: 'processed' });
    expect(await server.database.db.prisma.issue.count({ where: { title: 'Applied on redelivery' } })).toBe(1);
  });

  it('without the GitHub App configured, deliveries are answered 503 with what to set', async () => {
    const { db } = server.database;
    const service = await startService({
      config: loadConfig({ DATABASE_URL: server.database.url, PORT: '0' }),
      log: silentLogger(),
      db,
      cipher: createTokenCipher(Buffer.alloc(32, 3)),
      stores: createStores(db),
    });
    try {
      expect(service.github).toBeNull();
      const body = JSON.stringify(opened());
      const response = await fetch(`http://127.0.0.1:${service.port}/api/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': 'x', 'x-hub-signature-256': sign(body) },
        body,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toEqual({
        error: 'github_app_not_configured',
        message: expect.stringContaining('APP_ID, PRIVATE_KEY'),
      });
    } finally {
      await service.close();
    }
  });
});
