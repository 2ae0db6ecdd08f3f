import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import type { GitHubAppDeps } from '../../src/github-app/github-app-deps.js';
import { registerSlashCommands } from '../../src/github-app/slash-command.js';
import { syncReplyText } from '../../src/github-app/sync-reply-text.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createRepositoryProviderOpener } from '../../src/jobs/open-repository-provider.js';
import { processOwnerId } from '../../src/jobs/process-owner.js';
import type { SyncJobs } from '../../src/jobs/sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import type { OperationRecord } from '../../src/store/issue-store.js';
import { emptyResults } from '../../src/sync/progress-tracker.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createStores } from '../../src/store/create-stores.js';

interface CommentPayload {
  action: string;
  installation?: { id: number };
  issue: { number: number };
  repository: Record<string, unknown>;
  comment: { body: string; id: number; user: Record<string, unknown> };
  sender: Record<string, unknown>;
}

/** GitHub's own `issue_comment.created` example, the one sent to an installation. */
const EXAMPLE = (createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: CommentPayload[] }[])
  .find((definition) => definition.name === 'issue_comment')!
  .examples.find((example) => example.action === 'created' && example.installation)!;
const ISSUE_NUMBER = EXAMPLE.issue.number;

const API = 'https://api.github.com';
const INSTALLATION_ID = 4242;
const COMMENT_ID = 492700400;
const REPLY_ID = 9001;
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown> & { throttle?: object }) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...options.throttle, enabled: false },
}));

let github: GitHubSimulator;
let database: TestDatabase;
let projectId: string;
let installationRowId: string;
const cipher = createTokenCipher(Buffer.alloc(32, 9));
const unmatched: string[] = [];
/** Requests nock had no interceptor for, except those let through to the loopback simulator. */
const onNoMatch = (request: { method?: string; path?: string; href?: string }) => {
  const target = request.href ?? request.path ?? '';
  if (!target.startsWith('http://127.0.0.1:')) unmatched.push(`${request.method} ${target}`);
};

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: 'ghp_app_test' }), createTestDatabase()]);
  const project = await database.db.prisma.project.create({ data: { slug: 'octo', name: 'octo' } });
  projectId = project.id;
  const installation = await database.db.prisma.installation.create({
    data: { githubInstallationId: BigInt(INSTALLATION_ID), accountLogin: 'Codertocat', projectId },
  });
  installationRowId = installation.id;
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock.emitter.on('no match', onNoMatch);
});
afterAll(async () => {
  nock.emitter.off('no match', onNoMatch);
  nock.enableNetConnect();
  await github?.close();
  await database?.drop();
});

let jobs: SyncJobs;
let probot: Probot;
let deps: GitHubAppDeps;
beforeEach(async () => {
  unmatched.length = 0;
  const log = silentLogger();
  const stores = createStores(database.db);
  jobs = await startTestRunner(database.db, {
    cipher,
    log,
    openProvider: createRepositoryProviderOpener({ config: loadConfig({}), cipher, log }),
  });
  deps = { db: database.db, stores, jobs, log };
  probot = new Probot({ appId: 1, privateKey, secret: 'test', Octokit: TestOctokit, log });
  await probot.load((app) => registerSlashCommands(app, deps));
});
afterEach(async () => {
  await jobs.close();
  nock.cleanAll();
});

/** A repository of its own for each test, connected to the installation's project unless told otherwise. */
async function repository(name: string, options: { connected?: boolean; issues?: number } = {}) {
  const id = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const simulated = github.repo('Codertocat', name, { issues: options.issues ?? 0 });
  const row =
    options.connected === false
      ? null
      : await database.db.prisma.repositoryConnection.create({
          data: {
            projectId,
            provider: 'github',
            externalRepoId: String(id),
            fullPath: `Codertocat/${name}`,
            url: `https://github.com/Codertocat/${name}`,
            apiUrl: github.url,
            encryptedToken: cipher.encrypt('ghp_app_test'),
            installationId: installationRowId,
          },
        });
  const path = `/repos/Codertocat/${name}`;
  return { id, name, path, rowId: row?.id ?? '', openIssues: simulated.openIssueCount() };
}

function commentEvent(
  repo: { id: number; name: string },
  body: string,
  sender: { login?: string; type?: string } = {},
) {
  const payload = structuredClone(EXAMPLE);
  const login = sender.login ?? 'Codertocat';
  const type = sender.type ?? 'User';
  payload.repository.id = repo.id;
  payload.repository.name = repo.name;
  payload.repository.full_name = `Codertocat/${repo.name}`;
  payload.repository.html_url = `https://github.com/Codertocat/${repo.name}`;
  payload.comment.body = body;
  payload.comment.id = COMMENT_ID;
  payload.comment.user = { ...payload.comment.user, login, type };
  payload.sender = { ...payload.sender, login, type };
  payload.installation = { id: INSTALLATION_ID };
  return { id: `delivery-${Math.random()}`, name: 'issue_comment' as const, payload: payload as never };
}

function githubApi() {
  return nock(API)
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: 'ghs_installation', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
}

function permission(scope: nock.Scope, path: string, login: string, data: { permission: string; role_name?: string }) {
  return scope.get(`${path}/collaborators/${login}/permission`).reply(200, { ...data, user: { login } });
}

function reaction(scope: nock.Scope, path: string, content: string) {
  return scope.post(`${path}/issues/comments/${COMMENT_ID}/reactions`, { content }).reply(201, { id: 1, content });
}

function comment(scope: nock.Scope, path: string, bodies: string[]) {
  return scope
    .post(`${path}/issues/${ISSUE_NUMBER}/comments`, (body: { body: string }) => {
      bodies.push(body.body);
      return true;
    })
    .reply(201, { id: REPLY_ID });
}

async function operationsOf(repositoryId: string) {
  return database.db.prisma.syncOperation.findMany({ where: { repositoryId }, orderBy: { createdAt: 'asc' } });
}

describe('/sync slash commands', () => {
  it('starts a sync for a user with write access, reacts, and edits one reply with the result', async () => {
    const repo = await repository('write-sync', { issues: 30 });
    const posted: string[] = [];
    const edits: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'write', role_name: 'write' });
    comment(scope, repo.path, posted);
    reaction(scope, repo.path, 'eyes');
    scope
      .patch(`${repo.path}/issues/comments/${REPLY_ID}`, (body: { body: string }) => {
        edits.push(body.body);
        return true;
      })
      .reply(200, { id: REPLY_ID })
      .persist();

    await probot.receive(commentEvent(repo, 'Thanks!\n\n/sync'));

    const [operation, ...others] = await operationsOf(repo.rowId);
    expect(others).toEqual([]);
    expect(operation).toMatchObject({ trigger: 'slash_command', syncType: 'issues', includeClosed: false, requestedById: null });
    expect(operation!.reply).toEqual({
      kind: 'github_comment', installationId: INSTALLATION_ID, owner: 'Codertocat', repo: 'write-sync',
      issueNumber: ISSUE_NUMBER, commentId: REPLY_ID, login: 'Codertocat',
    });
    expect(posted).toEqual(['@Codertocat Sync of open issues started. This comment shows its progress and then the result.']);

    const done = await jobs.waitFor(operation!.id);
    const created = repo.openIssues;
    expect(created).toBeGreaterThan(10);
    expect(done).toMatchObject({ status: 'completed', results: { created } });
    expect(edits.at(-1)).toMatch(
      new RegExp(`^@Codertocat Synced open issues in \\d+ (ms|s)\\.\nCreated ${created} · updated 0 · skipped 0, failed 0 \\(${created} issues read\\)\\.$`),
    );
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
  });

  it('politely refuses a user with read access and runs nothing', async () => {
    const repo = await repository('read-only');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'reader', { permission: 'read', role_name: 'read' });
    comment(scope, repo.path, posted);

    await probot.receive(commentEvent(repo, '/sync all', { login: 'reader' }));

    expect(posted).toEqual([
      '@reader Sorry, only people with write, maintain or admin access to this repository can run /sync (your access is read). Ask a maintainer to run it for you.',
    ]);
    expect(await operationsOf(repo.rowId)).toEqual([]);
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
  });

  it('refuses triage, and lets a custom role with write permission through', async () => {
    const repo = await repository('roles');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'triager', { permission: 'read', role_name: 'triage' });
    permission(scope, repo.path, 'deployer', { permission: 'write', role_name: 'deployer' });
    comment(scope, repo.path, posted);
    comment(scope, repo.path, posted);
    reaction(scope, repo.path, '+1');

    await probot.receive(commentEvent(repo, '/sync help', { login: 'triager' }));
    await probot.receive(commentEvent(repo, '/sync help', { login: 'deployer' }));

    expect(posted[0]).toContain('(your access is triage)');
    expect(posted[1]).toMatch(/^@deployer The \/sync commands:/);
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
  });

  it('asks to repeat --closed with --confirm and runs nothing', async () => {
    const repo = await repository('closed');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'admin', role_name: 'admin' });
    reaction(scope, repo.path, '+1');
    comment(scope, repo.path, posted);

    await probot.receive(commentEvent(repo, '/sync all --closed'));

    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain('`--closed` also imports every closed issue and every fixed or dismissed Dependabot alert');
    expect(posted[0]).toContain('comment `/sync all --closed --confirm`');
    expect(await operationsOf(repo.rowId)).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('answers /sync help with the usage', async () => {
    const repo = await repository('help');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'write', role_name: 'maintain' });
    reaction(scope, repo.path, '+1');
    comment(scope, repo.path, posted);

    await probot.receive(commentEvent(repo, '/sync help'));

    expect(posted[0]).toMatch(/^@Codertocat The \/sync commands:\n\n\| command \| what it does \|/);
    for (const form of ['`/sync alerts`', '`/sync all`', '`--closed --confirm`', '`/sync status`']) expect(posted[0]).toContain(form);
    expect(scope.isDone()).toBe(true);
  });

  it('answers a command it does not understand with the reason and the usage', async () => {
    const repo = await repository('invalid');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'write', role_name: 'write' });
    reaction(scope, repo.path, 'confused');
    comment(scope, repo.path, posted);

    await probot.receive(commentEvent(repo, '/sync everything'));

    expect(posted[0]).toMatch(/^@Codertocat Unknown word `everything`\. The \/sync commands:/);
    expect(await operationsOf(repo.rowId)).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('answers /sync status: never synced, then the last sync', async () => {
    const repo = await repository('status');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'write', role_name: 'write' }).persist();
    reaction(scope, repo.path, '+1').persist();
    comment(scope, repo.path, posted).persist();

    await probot.receive(commentEvent(repo, '/sync status'));
    expect(posted).toEqual(['@Codertocat This repository has not been synced yet. Comment `/sync` to start.']);

    const operation = await deps.stores.operations.create({
      projectId, repositoryId: repo.rowId, syncType: 'all', includeClosed: false, trigger: 'install',
    });
    await deps.stores.operations.start(operation.id);
    await deps.stores.operations.finish(operation.id, {
      status: 'completed',
      results: { ...emptyResults(), created: 7, skipped: 2, issues: 9, skippedParts: [{ part: 'security', reason: 'Dependabot alerts are disabled for this repository.' }] },
    });
    await probot.receive(commentEvent(repo, '/sync status'));

    expect(posted[1]).toMatch(
      /^@Codertocat Synced open issues and Dependabot alerts in \d+ ms\.\nCreated 7 · updated 0 · skipped 2, failed 0 \(9 issues and 0 Dependabot alerts read\)\.\nDependabot alerts were not synced: Dependabot alerts are disabled for this repository\.\nThat was the last sync, started when the app was installed; it ended at \d\d:\d\d UTC\.$/,
    );
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
  });

  it('answers with the running sync\'s progress instead of starting another', async () => {
    const repo = await repository('busy');
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'write', role_name: 'write' });
    reaction(scope, repo.path, 'eyes');
    comment(scope, repo.path, posted);
    const running = await deps.stores.operations.create({
      projectId, repositoryId: repo.rowId, syncType: 'issues', includeClosed: false, trigger: 'manual', jobId: processOwnerId('serve'),
    });
    await deps.stores.operations.start(running.id);
    await deps.stores.operations.saveProgress(
      running.id,
      { stage: 'issues', processed: 400, total: 1000, percent: 40 },
      { ...emptyResults(), created: 150, updated: 20, skipped: 230, issues: 400 },
    );

    await probot.receive(commentEvent(repo, '/sync'));

    expect(posted).toEqual([
      [
        '@Codertocat A sync of this repository is already running, so no second one was started.',
        '',
        'Syncing open issues: reading issues, 400 of 1,000 (40%).',
        '`████████░░░░░░░░░░░░` 40%',
        'Created 150 · updated 20 · skipped 230 so far.',
      ].join('\n'),
    ]);
    expect((await operationsOf(repo.rowId)).map((operation) => operation.id)).toEqual([running.id]);
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
  });

  it('answers that a repository of the installation is not connected', async () => {
    const repo = await repository('unconnected', { connected: false });
    const posted: string[] = [];
    const scope = githubApi();
    permission(scope, repo.path, 'Codertocat', { permission: 'write', role_name: 'write' });
    comment(scope, repo.path, posted);

    await probot.receive(commentEvent(repo, '/sync'));

    expect(posted[0]).toMatch(/^@Codertocat Codertocat\/unconnected is not connected to issue-sync/);
    expect(scope.isDone()).toBe(true);
  });

  it('ignores comments of bots, comments without a command and unknown installations: no HTTP call at all', async () => {
    const repo = await repository('quiet');
    await probot.receive(commentEvent(repo, '/sync all', { login: 'issue-sync[bot]', type: 'Bot' }));
    await probot.receive(commentEvent(repo, '/sync', { login: 'renovate[bot]', type: 'User' }));
    await probot.receive(commentEvent(repo, 'Looks good, merging.'));
    await probot.receive(commentEvent(repo, 'Run this:\n```\n/sync all\n```'));
    const foreign = commentEvent(repo, '/sync');
    (foreign.payload as CommentPayload).installation = { id: 999 };
    await probot.receive(foreign);

    expect(unmatched).toEqual([]);
    expect(await operationsOf(repo.rowId)).toEqual([]);
  });
});

describe('sync reply text', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const operation = (extra: Partial<OperationRecord>): OperationRecord => ({
    id: 'op', projectId: 'p', repositoryId: 'r', status: 'running', syncType: 'issues', includeClosed: false,
    trigger: 'slash_command', progress: { stage: 'issues', processed: 0, total: null, percent: 0 }, results: emptyResults(),
    checkpoint: null, error: null, jobId: null, reply: null, heartbeatAt: null,
    startedAt: new Date('2026-03-01T11:58:55Z'), completedAt: null, createdAt: new Date('2026-03-01T11:58:50Z'),
    ...extra,
  });

  it('says until when a sync waits for the rate limit', () => {
    const text = syncReplyText(
      operation({
        progress: { stage: 'issues', processed: 500, total: 900, percent: 55, rateLimitRemaining: 0, rateLimitResetAt: '2026-03-01T12:41:07Z' },
        results: { ...emptyResults(), created: 500 },
      }),
      { login: 'octocat', now },
    );
    expect(text).toBe(
      "@octocat The sync of open issues is waiting for GitHub's rate limit, which resets at 12:41 UTC; it goes on by itself then.\n" +
        '500 read so far: created 500 · updated 0 · skipped 0.',
    );
  });

  it('gives the reason a sync failed and how long it ran', () => {
    const text = syncReplyText(
      operation({
        status: 'failed', syncType: 'all', includeClosed: true, completedAt: new Date('2026-03-01T12:02:00Z'),
        error: 'GitHub refused the token (401): Bad credentials.\nstack…', results: { ...emptyResults(), created: 3 },
      }),
      { login: 'octocat', now },
    );
    expect(text).toBe(
      '@octocat The sync of issues and Dependabot alerts (closed ones too) failed after 3 min 5 s: GitHub refused the token (401): Bad credentials.\n' +
        'Before it stopped: created 3 · updated 0 · skipped 0, failed 0.',
    );
  });

  it('shows a running sync whose total is not known yet, and a queued one', () => {
    expect(syncReplyText(operation({ syncType: 'all', progress: { stage: 'security', processed: 120, total: null, percent: 0 } }), { now })).toBe(
      'Syncing open issues and Dependabot alerts: reading Dependabot alerts, 120 read so far.\n`░░░░░░░░░░░░░░░░░░░░` 0%\nCreated 0 · updated 0 · skipped 0 so far.',
    );
    expect(syncReplyText(operation({ status: 'pending', progress: { stage: 'queued', processed: 0, total: null, percent: 0 } }), { now })).toBe(
      'The sync of open issues is queued and starts shortly.',
    );
  });

  it('reports a long completed sync in hours and minutes', () => {
    const text = syncReplyText(
      operation({
        status: 'completed', syncType: 'security', startedAt: new Date('2026-03-01T09:00:00Z'), completedAt: new Date('2026-03-01T10:15:30Z'),
        results: { ...emptyResults(), created: 1, updated: 2, skipped: 1234, securityAlerts: 1237 },
      }),
      { now },
    );
    expect(text).toBe('Synced open Dependabot alerts in 1 h 15 min.\nCreated 1 · updated 2 · skipped 1,234, failed 0 (1,237 Dependabot alerts read).');
  });
});
