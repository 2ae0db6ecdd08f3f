/**
 * The GitLab and Bitbucket webhooks as `serve` wires them: the real service on a free port, signed
 * deliveries over HTTP, syncs through its pg-boss jobs, and (GitLab) the reply note edited with the
 * result by the listener the service registers.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { bitbucketPushPayload, startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { cipher, noteHook, SECRET as GITLAB_SECRET, TOKEN as GITLAB_TOKEN, TOKEN_USER } from '../providers/gitlab-webhook-app.js';

const BITBUCKET_SECRET = 'bb-hook-secret-2026';
const BITBUCKET_TOKEN = 'bitbucket-service-token';
const DEVELOPER = { id: 61, username: 'dev' };

let gitlab: GitLabSimulator;
let bitbucket: BitbucketSimulator;
let database: TestDatabase;
let service: RunningService;

beforeAll(async () => {
  [gitlab, bitbucket, database] = await Promise.all([
    createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: TOKEN_USER } }),
    startBitbucketSimulator({ accessToken: BITBUCKET_TOKEN }),
    createTestDatabase(),
  ]);
  service = await startService({
    config: loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      // A rotation under way: the old secret still signs some deliveries.
      GITLAB_WEBHOOK_SECRET: `old-secret-0123456789,${GITLAB_SECRET}`,
      BITBUCKET_WEBHOOK_SECRET: BITBUCKET_SECRET,
      GITLAB_URL: gitlab.url,
      BITBUCKET_API_URL: bitbucket.url,
    }),
    log: silentLogger(),
    db: database.db,
    cipher,
    stores: createStores(database.db),
  });
});

afterAll(async () => {
  await service?.close();
  await gitlab?.close();
  await bitbucket?.close();
  await database?.drop();
});

async function connection(provider: 'gitlab' | 'bitbucket', fullPath: string, url: string, token: string) {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: `svc-${provider}`, name: provider } });
  // Checked just now, so the service's poller leaves it alone: the syncs here are the webhooks' own.
  return prisma.repositoryConnection.create({
    data: { projectId: project.id, provider, fullPath, url, encryptedToken: cipher.encrypt(token), lastCheckedAt: new Date() },
  });
}

async function until<T>(what: string, read: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(100);
  }
}

describe('serve', () => {
  it('answers /sync in a GitLab note: a sync runs as a job and the reply note ends with the result', async () => {
    const project = gitlab.project('svc/app', { issues: 12 });
    project.setMember(DEVELOPER.id, { username: DEVELOPER.username, role: 'developer' });
    const repository = await connection('gitlab', 'svc/app', project.webUrl, GITLAB_TOKEN);
    const response = await fetch(`${service.url}/api/gitlab/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': GITLAB_SECRET, 'x-gitlab-event': 'Note Hook', 'idempotency-key': 'svc-1' },
      body: JSON.stringify(noteHook(project, project.issue(1), { note: '/sync', user: DEVELOPER, noteId: 9100 })),
    });
    expect(response.status).toBe(200);

    const operation = await until('the sync', () =>
      database.db.prisma.syncOperation.findFirst({ where: { repositoryId: repository.id, status: 'completed' } }),
    );
    expect(operation).toMatchObject({ trigger: 'slash_command', results: expect.objectContaining({ created: 12 }) });
    const reply = await until('the reply note', () => gitlab.notes.find((note) => note.projectId === project.id));
    const finalEdit = await until('the final edit', () =>
      gitlab.noteEdits.find((edit) => edit.noteId === reply.id && /^@dev Synced open issues/.test(edit.body)),
    );
    expect(finalEdit.body).toContain('Created 12 · updated 0 · skipped 0, failed 0');
    expect(gitlab.emoji.filter((emoji) => emoji.noteId === 9100).map((emoji) => emoji.name)).toEqual(['eyes']);
  });

  it('accepts the old GitLab secret during a rotation, and refuses a wrong one', async () => {
    const post = (token: string) =>
      fetch(`${service.url}/api/gitlab/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gitlab-token': token, 'x-gitlab-event': 'Push Hook' },
        body: JSON.stringify({ object_kind: 'push' }),
      });
    expect((await post('old-secret-0123456789')).status).toBe(200);
    const wrong = await post('not-the-secret');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('refreshes Bitbucket findings on a signed push to the main branch', async () => {
    const repo = bitbucket.repo('svc', 'shop');
    repo.securityReport('snyk', 4);
    const repository = await connection('bitbucket', 'svc/shop', repo.htmlUrl, BITBUCKET_TOKEN);
    const body = JSON.stringify(bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash }));
    const signature = `sha256=${createHmac('sha256', BITBUCKET_SECRET).update(body).digest('hex')}`;
    const response = await fetch(`${service.url}/api/bitbucket/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-event-key': 'repo:push', 'x-request-uuid': 'svc-push-1', 'x-hub-signature': signature },
      body,
    });
    expect(response.status).toBe(202);
    const operation = await until('the findings sync', () =>
      database.db.prisma.syncOperation.findFirst({ where: { repositoryId: repository.id, status: 'completed' } }),
    );
    expect(operation).toMatchObject({ trigger: 'webhook', syncType: 'security', results: expect.objectContaining({ created: 4 }) });
    expect(await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: repository.id } })).toMatchObject({
      webhookStatus: 'active',
    });
  });
});
