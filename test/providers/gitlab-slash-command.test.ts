import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { processOwnerId } from '../../src/jobs/process-owner.js';
import type { SyncJobs } from '../../src/jobs/sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import { createGitLabReplyListener } from '../../src/providers/gitlab/gitlab-reply-listener.js';
import { emptyResults } from '../../src/sync/progress-tracker.js';
import { createGitLabSimulator, type GitLabSimulator, type SimulatedProject } from '../support/gitlab-simulator.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TOKEN, TOKEN_USER, cipher, connect, noteHook, webhookApp, type HookUser, type WebhookApp } from './gitlab-webhook-app.js';

const DEV: HookUser = { id: 61, username: 'dev' };
const REPORTER: HookUser = { id: 62, username: 'rita' };
const STRANGER: HookUser = { id: 63, username: 'stranger' };
const MAINTAINER: HookUser = { id: 64, username: 'maya' };

let gitlab: GitLabSimulator;
let database: TestDatabase;
let jobs: SyncJobs;
let hooks: WebhookApp;
const log = silentLogger();

beforeAll(async () => {
  [gitlab, database] = await Promise.all([createGitLabSimulator({ tokens: { [TOKEN]: TOKEN_USER } }), createTestDatabase()]);
  jobs = await startTestRunner(database.db, { cipher, log });
  hooks = webhookApp(database, gitlab, { jobs });
  jobs.addListener(createGitLabReplyListener(hooks.deps));
});
afterAll(async () => {
  await jobs?.close();
  await gitlab?.close();
  await database?.drop();
});
beforeEach(() => {
  gitlab.clearRequests();
});

let noteIds = 7000;

/** A project of its own per test, connected, with these members. */
async function setup(name: string, options: { issues?: number } = {}) {
  const project = gitlab.project(`acme/${name}`, { issues: options.issues ?? 0 });
  project.setMember(DEV.id, { username: DEV.username, role: 'developer' });
  project.setMember(REPORTER.id, { username: REPORTER.username, role: 'reporter' });
  project.setMember(MAINTAINER.id, { username: MAINTAINER.username, role: 'maintainer' });
  const [issue] = project.addIssues(1, { title: 'Where /sync is asked' });
  const connection = await connect(database, gitlab, project);
  return { project, issue: issue!, connection };
}

/** Delivers a new note and waits for its answer (the /sync handling runs after the delivery). */
async function comment(
  project: SimulatedProject,
  issueIid: number,
  user: HookUser,
  note: string,
  options: { key?: string; event?: string; action?: string | null } = {},
) {
  const noteId = (noteIds += 1);
  const response = await hooks.deliver(
    options.event ?? 'Note Hook',
    noteHook(project, project.issue(issueIid), { note, user, noteId, ...(options.action !== undefined ? { action: options.action } : {}) }),
    options.key ? { 'idempotency-key': options.key } : {},
  );
  await hooks.deps.background!.drain();
  return { response, noteId };
}

const notesOn = (project: SimulatedProject) => gitlab.notes.filter((note) => note.projectId === project.id);
const emojiOn = (project: SimulatedProject) => gitlab.emoji.filter((emoji) => emoji.projectId === project.id).map((emoji) => [emoji.noteId, emoji.name]);
const operationsOf = (repositoryId: string) =>
  database.db.prisma.syncOperation.findMany({ where: { repositoryId }, orderBy: { createdAt: 'asc' } });

describe('/sync in GitLab notes', () => {
  it('starts a sync for a Developer: eyes, one reply note, the sync runs, and the note ends with the counts', async () => {
    const { project, issue, connection } = await setup('dev-sync', { issues: 25 });
    const { response, noteId } = await comment(project, issue.iid, DEV, 'Looks stale.\n\n/sync');
    expect(response).toEqual({ status: 200, body: { status: 'processed' } });

    const [reply, ...others] = notesOn(project);
    expect(others).toEqual([]);
    expect(reply).toMatchObject({
      issueIid: issue.iid,
      author: TOKEN_USER.username,
      body: '@dev Sync of open issues started. This note shows its progress and then the result.',
    });
    expect(emojiOn(project)).toEqual([[noteId, 'eyes']]);
    const [operation, ...more] = await operationsOf(connection.id);
    expect(more).toEqual([]);
    expect(operation).toMatchObject({ trigger: 'slash_command', syncType: 'issues', includeClosed: false });
    expect(operation!.reply).toEqual({
      kind: 'gitlab_note', repositoryId: connection.id, projectId: project.id, issueIid: issue.iid, noteId: reply!.id, username: 'dev',
    });

    const done = await jobs.waitFor(operation!.id);
    expect(done).toMatchObject({ status: 'completed', results: { created: 26 } });
    const final = /^@dev Synced open issues in \d+ (ms|s)\.\nCreated 26 · updated 0 · skipped 0, failed 0 \(26 issues read\)\.$/;
    await vi.waitFor(() => expect(gitlab.noteEdits.filter((edit) => edit.noteId === reply!.id).at(-1)?.body).toMatch(final), { timeout: 5000 });
    expect(notesOn(project)).toHaveLength(1);
    expect(await database.db.prisma.issue.count({ where: { repositoryId: connection.id } })).toBe(26);
  });

  it('politely refuses a Reporter and a non-member in one note each, and runs nothing', async () => {
    const { project, issue, connection } = await setup('refused');
    await comment(project, issue.iid, REPORTER, '/sync all');
    await comment(project, issue.iid, STRANGER, '/sync');

    expect(notesOn(project).map((note) => note.body)).toEqual([
      '@rita Sorry, only members with the Developer role or higher in this project can run /sync (your role is Reporter). Ask a maintainer to run it for you.',
      '@stranger Sorry, only members with the Developer role or higher in this project can run /sync (you are not a member of this project). Ask a maintainer to run it for you.',
    ]);
    expect(emojiOn(project)).toEqual([]);
    expect(await operationsOf(connection.id)).toEqual([]);
  });

  it('answers /sync help with the usage and a thumbs up (from a GitLab that sends notes without an action)', async () => {
    const { project, issue } = await setup('help');
    const { noteId } = await comment(project, issue.iid, MAINTAINER, '/sync help', { action: null });
    const [note] = notesOn(project);
    expect(note!.body).toMatch(/^@maya The \/sync commands:\n\n\| command \| what it does \|/);
    for (const form of ['`/sync alerts`', 'vulnerabilities', '`--closed --confirm`', '`/sync status`', 'Developer role']) expect(note!.body).toContain(form);
    expect(emojiOn(project)).toEqual([[noteId, 'thumbsup']]);
  });

  it('answers a command it does not understand with the reason, the usage and a confused emoji', async () => {
    const { project, issue, connection } = await setup('invalid');
    const { noteId } = await comment(project, issue.iid, DEV, '/sync everything');
    expect(notesOn(project)[0]!.body).toMatch(/^@dev Unknown word `everything`\. The \/sync commands:/);
    expect(emojiOn(project)).toEqual([[noteId, 'confused']]);
    expect(await operationsOf(connection.id)).toEqual([]);
  });

  it('asks to repeat --closed with --confirm and runs nothing', async () => {
    const { project, issue, connection } = await setup('closed');
    const { noteId } = await comment(project, issue.iid, DEV, '/sync all --closed');
    const [note] = notesOn(project);
    expect(note!.body).toContain('`--closed` also imports every closed issue and every resolved or dismissed vulnerability');
    expect(note!.body).toContain('`/sync all --closed --confirm`');
    expect(emojiOn(project)).toEqual([[noteId, 'thumbsup']]);
    expect(await operationsOf(connection.id)).toEqual([]);
  });

  it('answers /sync status: never synced, then the last sync', async () => {
    const { project, issue, connection } = await setup('status');
    await comment(project, issue.iid, DEV, '/sync status');
    expect(notesOn(project).map((note) => note.body)).toEqual(['@dev This project has not been synced yet. Write `/sync` in a comment to start.']);

    const { operations } = hooks.deps.stores;
    const operation = await operations.create({
      projectId: connection.projectId, repositoryId: connection.id, syncType: 'all', includeClosed: false, trigger: 'schedule',
    });
    await operations.start(operation.id);
    await operations.finish(operation.id, {
      status: 'completed',
      results: { ...emptyResults(), created: 4, skipped: 1, issues: 5, skippedParts: [{ part: 'security', reason: 'The project has no Ultimate licence.' }] },
    });
    await comment(project, issue.iid, DEV, '/sync status');
    expect(notesOn(project)[1]!.body).toMatch(
      /^@dev Synced open issues and vulnerabilities in \d+ ms\.\nCreated 4 · updated 0 · skipped 1, failed 0 \(5 issues and 0 vulnerabilities read\)\.\nVulnerabilities were not synced: The project has no Ultimate licence\.\nThat was the last sync, started on schedule; it ended at \d\d:\d\d UTC\.$/,
    );
  });

  it('answers with the running sync\'s progress instead of starting another', async () => {
    const { project, issue, connection } = await setup('busy');
    const { operations } = hooks.deps.stores;
    const running = await operations.create({
      projectId: connection.projectId, repositoryId: connection.id, syncType: 'issues', includeClosed: false, trigger: 'manual', jobId: processOwnerId('serve'),
    });
    await operations.start(running.id);
    await operations.saveProgress(running.id, { stage: 'issues', processed: 400, total: 1000, percent: 40 }, { ...emptyResults(), created: 150, updated: 20, skipped: 230, issues: 400 });

    const { noteId } = await comment(project, issue.iid, DEV, '/sync');
    expect(notesOn(project).map((note) => note.body)).toEqual([
      [
        '@dev A sync of this project is already running, so no second one was started.',
        '',
        'Syncing open issues: reading issues, 400 of 1,000 (40%).',
        '`████████░░░░░░░░░░░░` 40%',
        'Created 150 · updated 20 · skipped 230 so far.',
      ].join('\n'),
    ]);
    expect(emojiOn(project)).toEqual([[noteId, 'eyes']]);
    expect((await operationsOf(connection.id)).map((operation) => operation.id)).toEqual([running.id]);
    await operations.finish(running.id, { status: 'cancelled', results: emptyResults() });
  });

  it('ignores notes of bots, notes without a command, system notes, edits and notes on merge requests: no GitLab call at all', async () => {
    const { project, issue, connection } = await setup('quiet');
    const deliver = (options: Parameters<typeof noteHook>[2]) => hooks.deliver('Note Hook', noteHook(project, project.issue(issue.iid), options));
    for (const username of [TOKEN_USER.username, 'group_12_bot_9c1d2e', 'service_account_4a7b']) {
      expect((await deliver({ note: '/sync all', user: { id: 900, username } })).body).toEqual({ status: 'processed' });
    }
    await deliver({ note: 'Looks good, merging.', user: DEV });
    await deliver({ note: 'Run this:\n```\n/sync all\n```', user: DEV });
    await deliver({ note: '/sync', user: DEV, system: true });
    await deliver({ note: '/sync', user: DEV, action: 'update' });
    await deliver({ note: '/sync', user: DEV, noteableType: 'MergeRequest' });
    await hooks.deps.background!.drain();

    expect(gitlab.requests).toEqual([]);
    expect(await operationsOf(connection.id)).toEqual([]);
    // Every one of them still shows the hook works.
    const row = await database.db.prisma.repositoryConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(row.webhookStatus).toBe('active');
  });

  it('answers the delivery before GitLab answers any of its calls', async () => {
    const { project, issue } = await setup('slow');
    gitlab.setLatency(1000);
    try {
      const started = Date.now();
      const response = await hooks.deliver('Note Hook', noteHook(project, issue, { note: '/sync help', user: DEV, noteId: 8300 }));
      expect(response.body).toEqual({ status: 'processed' });
      expect(Date.now() - started).toBeLessThan(800);
      expect(notesOn(project)).toEqual([]);
      await hooks.deps.background!.drain();
      expect(notesOn(project)).toHaveLength(1);
    } finally {
      gitlab.setLatency(0);
    }
  });

  it('stays silent where it has no token to answer with, and in projects nobody connected', async () => {
    const { project, issue, connection } = await setup('tokenless');
    await database.db.prisma.repositoryConnection.update({ where: { id: connection.id }, data: { encryptedToken: null } });
    expect((await comment(project, issue.iid, DEV, '/sync')).response.body).toEqual({ status: 'processed' });

    const stranger = gitlab.project('acme/not-connected');
    const [other] = stranger.addIssues(1);
    expect((await comment(stranger, other!.iid, DEV, '/sync')).response.body).toEqual({ status: 'ignored', reason: 'not_connected' });

    expect(gitlab.requests).toEqual([]);
    expect(await operationsOf(connection.id)).toEqual([]);
  });

  it('runs one sync for a note hook delivered twice with the same Idempotency-Key', async () => {
    const { project, issue, connection } = await setup('twice', { issues: 3 });
    const body = noteHook(project, issue, { note: '/sync', user: DEV, noteId: 8123 });
    const key = '1b6d7a2e-3f1c-4f7e-9a55-7c0e8d1f2a3b';
    expect((await hooks.deliver('Note Hook', body, { 'idempotency-key': key })).body).toEqual({ status: 'processed' });
    expect((await hooks.deliver('Note Hook', body, { 'idempotency-key': key })).body).toEqual({ status: 'duplicate' });
    await hooks.deps.background!.drain();

    const operations = await operationsOf(connection.id);
    expect(operations).toHaveLength(1);
    expect(notesOn(project)).toHaveLength(1);
    expect(emojiOn(project)).toEqual([[8123, 'eyes']]);
    expect(await jobs.waitFor(operations[0]!.id)).toMatchObject({ status: 'completed', results: { created: 4 } });
  });

  it('checks the author\'s access before anything else, also for a Confidential Note Hook', async () => {
    const { project, issue } = await setup('internal');
    const requests: string[] = [];
    const response = await hooks.deliver('Confidential Note Hook', noteHook(project, issue, { note: '/sync help', user: DEV, noteId: 8200, internal: true }));
    expect(response.body).toEqual({ status: 'processed' });
    await hooks.deps.background!.drain();
    requests.push(...gitlab.requests.map((request) => `${request.method} ${request.path.replace(/\?.*$/, '')}`));
    expect(requests).toEqual([
      `GET /api/v4/projects/${project.id}/members/all/${DEV.id}`,
      `POST /api/v4/projects/${project.id}/issues/${issue.iid}/notes/8200/award_emoji`,
      `POST /api/v4/projects/${project.id}/issues/${issue.iid}/notes`,
    ]);
    expect(notesOn(project)).toHaveLength(1);
  });

  it('says it could not check the access when GitLab does not tell, and starts nothing', async () => {
    const { project, issue, connection } = await setup('unknown-access');
    gitlab.fault({ status: 403, body: { message: '403 Forbidden' }, path: new RegExp(`/projects/${project.id}/members/all/`) });
    await comment(project, issue.iid, DEV, '/sync');
    expect(notesOn(project).map((note) => note.body)).toEqual([
      '@dev Sorry, I could not check your access to this project, so nothing was started. Please try again in a minute.',
    ]);
    expect(await operationsOf(connection.id)).toEqual([]);
  });
});

describe('GitLab reply listener', () => {
  it('edits the reply note in order, and nothing after the final result', async () => {
    const { project, issue, connection } = await setup('listener');
    // Any note of ours will do as the reply to edit.
    await comment(project, issue.iid, DEV, '/sync help');
    const reply = { kind: 'gitlab_note' as const, repositoryId: connection.id, projectId: project.id, issueIid: issue.iid, noteId: notesOn(project)[0]!.id, username: 'dev' };
    const listener = createGitLabReplyListener(hooks.deps);
    const base = await hooks.deps.stores.operations.create({
      projectId: connection.projectId, repositoryId: connection.id, syncType: 'issues', includeClosed: false, trigger: 'slash_command', reply,
    });
    const at = (processed: number) => ({
      ...base, status: 'running' as const, progress: { stage: 'issues' as const, processed, total: 100, percent: processed }, results: { ...emptyResults(), created: processed },
    });
    const finished = { ...base, status: 'completed' as const, startedAt: base.createdAt, completedAt: base.createdAt, results: { ...emptyResults(), created: 100, issues: 100 } };
    const pending = [listener(at(10), 'progress'), listener(at(50), 'progress'), listener(finished, 'finished'), listener(at(60), 'progress')];
    await Promise.all(pending);
    await hooks.deps.stores.operations.finish(base.id, { status: 'cancelled', results: emptyResults() });

    const edits = gitlab.noteEdits.filter((edit) => edit.noteId === reply.noteId).map((edit) => edit.body.split('\n')[0]);
    expect(edits).toEqual([
      '@dev Syncing open issues: reading issues, 10 of 100 (10%).',
      '@dev Syncing open issues: reading issues, 50 of 100 (50%).',
      '@dev Synced open issues in 0 ms.',
    ]);
  });
});
