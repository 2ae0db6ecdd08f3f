import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createProvider } from '../../src/providers/index.js';
import { isGitLabBot } from '../../src/providers/gitlab/gitlab-slash-bot-user.js';
import { normalizeIssueHook, parseGitLabDate } from '../../src/providers/gitlab/gitlab-webhook-issue.js';
import { issueHookSchema } from '../../src/providers/gitlab/gitlab-webhook-schema.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { ALICE, SECRET, TOKEN, TOKEN_USER, cipher, connect, issueHook, webhookApp, type WebhookApp } from './gitlab-webhook-app.js';

let gitlab: GitLabSimulator;
let database: TestDatabase;
let hooks: WebhookApp;
const log = silentLogger();

beforeAll(async () => {
  [gitlab, database] = await Promise.all([createGitLabSimulator({ tokens: { [TOKEN]: TOKEN_USER } }), createTestDatabase()]);
  const jobs = await startTestRunner(database.db, { cipher, log });
  hooks = webhookApp(database, gitlab, { jobs });
});
afterAll(async () => {
  await hooks?.deps.jobs.close();
  await gitlab?.close();
  await database?.drop();
});

const prisma = () => database.db.prisma;
const stored = (externalId: string) => prisma().issue.findFirst({ where: { externalId } });

describe('GitLab Issue Hook', () => {
  it('creates the issue, updates it with a newer hook, and an older replay does not roll it back', async () => {
    const project = gitlab.project('acme/tools/live');
    const connection = await connect(database, gitlab, project);
    const [issue] = project.addIssues(1, { title: 'Login fails', labels: ['bug', 'p1'], author: 'alice', assignees: ['bob'] });
    const externalId = `gitlab:${project.webUrl}:${issue!.iid}`;

    const opened = await hooks.deliver('Issue Hook', issueHook(project, issue!), { 'idempotency-key': 'open-1' });
    expect(opened).toEqual({ status: 200, body: { status: 'processed' } });
    const created = await stored(externalId);
    expect(created).toMatchObject({
      repositoryId: connection.id,
      title: 'Login fails',
      state: 'open',
      labels: ['bug', 'p1'],
      author: 'alice',
      url: `${project.webUrl}/-/issues/${issue!.iid}`,
      externalUpdatedAt: new Date(issue!.updatedAt),
      externalClosedAt: null,
    });
    expect(created!.customFields).toMatchObject({ iid: issue!.iid, confidential: false, assignees: ['bob'], issue_type: 'issue' });

    // Closed by someone else, dated in GitLab's older `… UTC` form.
    const older = { ...issue! };
    project.editIssue(issue!.iid, { title: 'Login fails on Safari', state: 'closed' });
    const closed = await hooks.deliver('Issue Hook', issueHook(project, project.issue(issue!.iid), { action: 'close', user: { id: 77, username: 'carol' }, authorId: ALICE.id, dates: 'utc' }), {
      'idempotency-key': 'close-1',
    });
    expect(closed.body).toEqual({ status: 'processed' });
    const updatedAt = new Date(Math.floor(project.issue(issue!.iid).updatedAt / 1000) * 1000);
    expect(await stored(externalId)).toMatchObject({
      title: 'Login fails on Safari',
      state: 'closed',
      author: 'alice',
      externalUpdatedAt: updatedAt,
      externalClosedAt: expect.any(Date),
    });

    const replay = await hooks.deliver('Issue Hook', issueHook(project, older), { 'idempotency-key': 'open-old' });
    expect(replay.body).toEqual({ status: 'processed' });
    expect(await stored(externalId)).toMatchObject({ title: 'Login fails on Safari', state: 'closed' });
    expect(await prisma().issue.count({ where: { externalId } })).toBe(1);

    const after = await prisma().repositoryConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(after.webhookStatus).toBe('active');
    expect(after.lastWebhookAt).toBeInstanceOf(Date);
    const deliveries = await prisma().webhookDelivery.findMany({ where: { provider: 'gitlab', repositoryId: connection.id }, orderBy: { receivedAt: 'asc' } });
    expect(deliveries.map((delivery) => [delivery.deliveryId, delivery.event, delivery.action, delivery.status])).toEqual([
      ['open-1', 'Issue Hook', 'open', 'processed'],
      ['close-1', 'Issue Hook', 'close', 'processed'],
      ['open-old', 'Issue Hook', 'open', 'processed'],
    ]);
  });

  it('stores a confidential issue from a Confidential Issue Hook, marked confidential', async () => {
    const project = gitlab.project('acme/secret');
    await connect(database, gitlab, project);
    const [issue] = project.addIssues(1, { title: 'Token leak in logs', confidential: true });
    const response = await hooks.deliver('Confidential Issue Hook', issueHook(project, issue!));
    expect(response).toEqual({ status: 200, body: { status: 'processed' } });
    const row = await stored(`gitlab:${project.webUrl}:${issue!.iid}`);
    expect(row).toMatchObject({ title: 'Token leak in logs', state: 'open' });
    expect(row!.customFields).toMatchObject({ confidential: true });
  });

  it('applies a repeated delivery (same Idempotency-Key) once', async () => {
    const project = gitlab.project('acme/dedupe');
    await connect(database, gitlab, project);
    const [issue] = project.addIssues(1, { title: 'First title' });
    const key = 'f0f5bd3e-6c5b-4b8a-9f43-1d2b1c8e7a10';
    const first = issueHook(project, issue!);
    expect((await hooks.deliver('Issue Hook', first, { 'idempotency-key': key })).body).toEqual({ status: 'processed' });

    // The same key with other content: applying it again would change the title.
    project.editIssue(issue!.iid, { title: 'Changed by a replay' });
    const again = await hooks.deliver('Issue Hook', issueHook(project, project.issue(issue!.iid), { action: 'update' }), {
      'idempotency-key': key,
      'x-gitlab-event-uuid': 'another-event-uuid',
    });
    expect(again).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(await stored(`gitlab:${project.webUrl}:${issue!.iid}`)).toMatchObject({ title: 'First title' });
    expect(await prisma().webhookDelivery.count({ where: { provider: 'gitlab', deliveryId: key } })).toBe(1);
  });

  it('dedupes by X-Gitlab-Event-UUID when there is no (or a blank) Idempotency-Key, and applies a delivery without any id', async () => {
    const project = gitlab.project('acme/uuid');
    await connect(database, gitlab, project);
    const [issue] = project.addIssues(1, { title: 'Uuid' });
    const headers = { 'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e' };
    expect((await hooks.deliver('Issue Hook', issueHook(project, issue!), headers)).body).toEqual({ status: 'processed' });
    expect((await hooks.deliver('Issue Hook', issueHook(project, issue!), headers)).body).toEqual({ status: 'duplicate' });
    expect((await hooks.deliver('Issue Hook', issueHook(project, issue!), { ...headers, 'idempotency-key': ' ' })).body).toEqual({ status: 'duplicate' });
    expect((await hooks.deliver('Issue Hook', issueHook(project, issue!))).body).toEqual({ status: 'processed' });
    expect((await hooks.deliver('Issue Hook', issueHook(project, issue!))).body).toEqual({ status: 'processed' });
    expect(await prisma().issue.count({ where: { externalId: `gitlab:${project.webUrl}:${issue!.iid}` } })).toBe(1);
  });

  it('applies different events that share an X-Gitlab-Event-UUID (hooks set off by a bot passing the header on)', async () => {
    const project = gitlab.project('acme/recursive');
    await connect(database, gitlab, project);
    const issues = project.addIssues(2, { title: 'Edited by a bot' });
    const headers = { 'x-gitlab-event-uuid': 'f2a7c1d0-5b1e-4c59-8d4e-0a9b8c7d6e5f' };
    for (const issue of issues) {
      expect((await hooks.deliver('Issue Hook', issueHook(project, issue, { action: 'update' }), headers)).body).toEqual({ status: 'processed' });
    }
    for (const issue of issues) expect(await stored(`gitlab:${project.webUrl}:${issue.iid}`)).toMatchObject({ title: 'Edited by a bot' });
  });

  it('finds the connection by the numeric project id it was added with, or the id stored for it after a rename', async () => {
    const project = gitlab.project('acme/renamed-now');
    const byId = await connect(database, gitlab, project, { fullPath: String(project.id) });
    const byExternalId = await connect(database, gitlab, project, { fullPath: 'acme/old-name', externalRepoId: String(project.id) });
    const [issue] = project.addIssues(1, { title: 'Found either way' });
    expect((await hooks.deliver('Issue Hook', issueHook(project, issue!))).body).toEqual({ status: 'processed' });
    const rows = await prisma().issue.findMany({ where: { externalId: `gitlab:${project.webUrl}:${issue!.iid}` } });
    expect(rows.map((row) => row.repositoryId).sort()).toEqual([byId.id, byExternalId.id].sort());
  });

  it('ignores a project nobody connected, and one of the same path on another GitLab instance', async () => {
    const project = gitlab.project('acme/unconnected');
    const [issue] = project.addIssues(1);
    const count = await prisma().issue.count();
    expect(await hooks.deliver('Issue Hook', issueHook(project, issue!))).toEqual({ status: 200, body: { status: 'ignored', reason: 'not_connected' } });

    const elsewhere = gitlab.project('acme/other-instance');
    const connection = await connect(database, gitlab, elsewhere);
    await prisma().repositoryConnection.update({ where: { id: connection.id }, data: { url: 'https://gitlab.example.org/acme/other-instance' } });
    const [other] = elsewhere.addIssues(1);
    expect((await hooks.deliver('Issue Hook', issueHook(elsewhere, other!))).body).toMatchObject({ status: 'ignored' });
    expect(await prisma().issue.count()).toBe(count);
  });

  it('stores what the provider\'s sync stores for the same issue', async () => {
    const project = gitlab.project('acme/agree');
    const [issue] = project.addIssues(1, {
      title: 'Same either way', description: 'Both paths', labels: ['ux'], author: 'alice', assignees: ['bob', 'dave'], confidential: true,
    });
    project.editIssue(issue!.iid, { state: 'closed' });
    const provider = await createProvider('gitlab', { repo: project.path, apiUrl: gitlab.url, token: TOKEN, log });
    const synced = await provider.getIssue!(String(issue!.iid));

    for (const dates of ['iso', 'utc'] as const) {
      const hook = issueHookSchema.parse(issueHook(project, project.issue(issue!.iid), { action: 'close', dates }));
      const live = normalizeIssueHook(hook, 'alice');
      // The hook names no milestone title: that field keeps what the sync stored (the store merges extras).
      const { milestone: _milestone, ...extra } = synced!.extra;
      const second = (date: Date | null) => (date ? new Date(Math.floor(date.getTime() / 1000) * 1000) : null);
      expect(live).toEqual({
        ...synced!,
        createdAt: second(synced!.createdAt),
        updatedAt: second(synced!.updatedAt),
        closedAt: second(synced!.closedAt),
        extra,
      });
    }
  });
});

describe('GitLab webhook requests', () => {
  it('refuses a missing or wrong X-Gitlab-Token with 401 before reading the body', async () => {
    const missing = await hooks.app.request('/api/gitlab/webhooks', {
      method: 'POST',
      headers: { 'x-gitlab-event': 'Issue Hook' },
      body: 'not even json',
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'invalid_token', message: expect.stringContaining('GITLAB_WEBHOOK_SECRET') });
    const wrong = await hooks.deliver('Issue Hook', 'not even json', { 'x-gitlab-token': `${SECRET}x` });
    expect(wrong.status).toBe(401);
    const prefix = await hooks.deliver('Issue Hook', '{}', { 'x-gitlab-token': SECRET.slice(0, 5) });
    expect(prefix.status).toBe(401);
  });

  it('accepts either secret during a rotation', async () => {
    const rotating = webhookApp(database, gitlab, { jobs: hooks.deps.jobs, secrets: ['old-secret', 'new-secret'] });
    const project = gitlab.project('acme/rotation');
    await connect(database, gitlab, project);
    const [issue] = project.addIssues(1, { title: 'Rotated' });
    for (const token of ['old-secret', 'new-secret']) {
      expect(await rotating.deliver('Issue Hook', issueHook(project, issue!), { 'x-gitlab-token': token })).toEqual({ status: 200, body: { status: 'processed' } });
    }
    expect((await rotating.deliver('Issue Hook', issueHook(project, issue!), { 'x-gitlab-token': SECRET })).status).toBe(401);
  });

  it('answers 503 naming GITLAB_WEBHOOK_SECRET when no secret is configured', async () => {
    const unconfigured = webhookApp(database, gitlab, { jobs: hooks.deps.jobs, secrets: [] });
    const response = await unconfigured.deliver('Issue Hook', '{}');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ error: 'webhook_secret_not_configured', message: expect.stringContaining('GITLAB_WEBHOOK_SECRET') });
  });

  it('answers 400 to a body that is not JSON, once the token is right', async () => {
    const response = await hooks.deliver('Issue Hook', '{"object_kind": "issue",');
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
  });

  it('acknowledges events it does not handle, and payloads of an unexpected shape, with 200 ignored', async () => {
    expect(await hooks.deliver('Push Hook', { object_kind: 'push', ref: 'refs/heads/main' })).toEqual({
      status: 200, body: { status: 'ignored', reason: 'unhandled_event' },
    });
    expect(await hooks.deliver('Issue Hook', { object_kind: 'issue', project: { id: 1 } })).toEqual({
      status: 200, body: { status: 'ignored', reason: 'unexpected_payload' },
    });
    const project = gitlab.project('acme/bad-date');
    await connect(database, gitlab, project);
    const [issue] = project.addIssues(1);
    const badDate = issueHook(project, issue!, { patch: { updated_at: 'yesterday' } });
    expect((await hooks.deliver('Issue Hook', badDate)).body).toEqual({ status: 'ignored', reason: 'unexpected_payload' });
    expect(await stored(`gitlab:${project.webUrl}:${issue!.iid}`)).toBeNull();
  });
});

describe('GitLab hook details', () => {
  it('reads both of GitLab\'s date formats, with offsets, and refuses anything else', () => {
    expect(parseGitLabDate('2013-12-03T17:15:43Z')).toEqual(new Date('2013-12-03T17:15:43Z'));
    expect(parseGitLabDate('2013-12-03 18:08:09 UTC')).toEqual(new Date('2013-12-03T18:08:09Z'));
    expect(parseGitLabDate('2013-12-03 18:08:09 +0100')).toEqual(new Date('2013-12-03T17:08:09Z'));
    expect(parseGitLabDate('2016-01-04T15:31:46.176+01:00')).toEqual(new Date('2016-01-04T14:31:46.176Z'));
    for (const bad of ['', 'yesterday', '03.12.2013 17:15', '1701623743']) expect(() => parseGitLabDate(bad)).toThrow(/cannot be read/);
  });

  it('tells bot users by flag and by the names GitLab gives them, and no one else', () => {
    for (const username of ['project_42_bot_7d1e0c9a', 'group_7_bot_ab12', 'project_42_bot', 'project_42_bot1', 'service_account_8f2e', 'service_account_group_3_9ab1', 'ghost', 'support-bot', 'alert-bot']) {
      expect(isGitLabBot({ username }), username).toBe(true);
    }
    expect(isGitLabBot({ username: 'renovate', bot: true })).toBe(true);
    for (const username of ['alice', 'project_manager', 'bot', 'robot-fan', 'project_42_botanist', 'my-support-bot-fan']) {
      expect(isGitLabBot({ username }), username).toBe(false);
    }
  });
});
