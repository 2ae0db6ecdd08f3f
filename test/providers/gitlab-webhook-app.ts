/**
 * What the GitLab webhook tests share: the app as the service builds it (`createApp` with
 * `hostWebhooks`), real PostgreSQL, the loopback GitLab simulator, and hook payloads shaped like
 * GitLab's (both of its date formats, labels as objects, the event's user apart from the author).
 */
import type { Hono } from 'hono';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createApp } from '../../src/http/app.js';
import type { SyncJobs } from '../../src/jobs/sync-jobs.js';
import { silentLogger } from '../../src/logger.js';
import type { GitLabWebhookDeps } from '../../src/providers/gitlab/gitlab-webhooks.js';
import { createStores } from '../../src/store/create-stores.js';
import { createWebhookDeliveryStore } from '../../src/store/prisma-webhook-delivery-store.js';
import { createWebhookHealthStore } from '../../src/store/webhook-health-store.js';
import { createBackgroundTasks } from '../../src/webhooks/background-tasks.js';
import type { GitLabSimulator, SimIssue, SimulatedProject } from '../support/gitlab-simulator.js';
import { fastProviderOpener } from '../support/sync-runner.js';
import type { TestDatabase } from '../support/test-database.js';

export const SECRET = 'gl-hook-secret-2026';
/** The connections' token: a project access token, so its user is a bot (as GitLab names them). */
export const TOKEN = 'glpat-issue-sync';
export const TOKEN_USER = { role: 'maintainer' as const, userId: 900, username: 'project_101_bot_3f9a2c' };
export const cipher = createTokenCipher(Buffer.alloc(32, 7));

export interface WebhookApp {
  app: Hono;
  deps: GitLabWebhookDeps;
  deliver(event: string, payload: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function webhookApp(
  database: TestDatabase,
  gitlab: GitLabSimulator,
  options: { jobs: SyncJobs; secrets?: string[] },
): WebhookApp {
  const log = silentLogger();
  const { db } = database;
  const deps: GitLabWebhookDeps = {
    db,
    stores: createStores(db),
    deliveries: createWebhookDeliveryStore(db),
    health: createWebhookHealthStore(db),
    jobs: options.jobs,
    cipher,
    secrets: options.secrets ?? [SECRET],
    apiUrl: gitlab.url,
    openProvider: fastProviderOpener(cipher, log),
    log,
    clock: () => new Date(),
    background: createBackgroundTasks(log),
  };
  const app = createApp({ log, checkDatabase: async () => undefined, hostWebhooks: () => deps });
  return {
    app,
    deps,
    async deliver(event, payload, headers = {}) {
      const response = await app.request('/api/gitlab/webhooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'x-gitlab-event': event, ...headers },
        body: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}

/** A connection of the simulated project in a new issue-sync project. */
export async function connect(database: TestDatabase, gitlab: GitLabSimulator, project: SimulatedProject, options: { fullPath?: string; externalRepoId?: string } = {}) {
  const { prisma } = database.db;
  const slug = `p-${Math.random().toString(36).slice(2, 10)}`;
  const owner = await prisma.project.create({ data: { slug, name: slug } });
  return prisma.repositoryConnection.create({
    data: {
      projectId: owner.id,
      provider: 'gitlab',
      fullPath: options.fullPath ?? project.path,
      url: project.webUrl,
      apiUrl: gitlab.url,
      encryptedToken: cipher.encrypt(TOKEN),
      ...(options.externalRepoId ? { externalRepoId: options.externalRepoId } : {}),
    },
  });
}

/** `2026-11-03 17:15:43 UTC`, the older of GitLab's two hook date formats. */
export function utcForm(at: Date | number): string {
  return new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function projectJson(project: SimulatedProject) {
  return {
    id: project.id,
    name: project.path.split('/').at(-1),
    description: null,
    web_url: project.webUrl,
    avatar_url: null,
    namespace: project.path.split('/').slice(0, -1).join('/'),
    visibility_level: 0,
    path_with_namespace: project.path,
    default_branch: 'main',
  };
}

export interface HookUser {
  id: number;
  username: string;
}

export const ALICE: HookUser = { id: 51, username: 'alice' };

/** An Issue Hook for a simulated issue as it is now; `patch` changes what the hook says. */
export function issueHook(
  project: SimulatedProject,
  issue: SimIssue,
  options: { action?: string; user?: HookUser; authorId?: number; dates?: 'iso' | 'utc'; patch?: Record<string, unknown> } = {},
) {
  const user = options.user ?? ALICE;
  const date = (ms: number | null) => (ms === null ? null : options.dates === 'utc' ? utcForm(ms) : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));
  const labels = issue.labels.map((title, index) => ({ id: 200 + index, title, color: '#428bca', project_id: project.id, type: 'ProjectLabel' }));
  return {
    object_kind: 'issue',
    event_type: issue.confidential ? 'confidential_issue' : 'issue',
    user: { id: user.id, name: user.username, username: user.username, avatar_url: null, email: '[REDACTED]' },
    project: projectJson(project),
    object_attributes: {
      id: issue.id,
      iid: issue.iid,
      title: issue.title,
      description: issue.description,
      author_id: options.authorId ?? user.id,
      project_id: project.id,
      created_at: date(issue.createdAt),
      updated_at: date(issue.updatedAt),
      closed_at: date(issue.closedAt),
      confidential: issue.confidential,
      state: issue.state,
      action: options.action ?? 'open',
      type: 'Issue',
      url: `${project.webUrl}/-/issues/${issue.iid}`,
      milestone_id: null,
      labels,
      ...options.patch,
    },
    labels,
    assignees: issue.assignees.map((username, index) => ({ id: 300 + index, name: username, username, avatar_url: null })),
    changes: {},
    repository: { name: project.path.split('/').at(-1), url: `${project.webUrl}.git`, homepage: project.webUrl },
  };
}

/** A Note Hook for a new note on an issue. */
export function noteHook(
  project: SimulatedProject,
  issue: SimIssue,
  options: { note: string; user: HookUser; noteId?: number; action?: string | null; system?: boolean; noteableType?: string; internal?: boolean },
) {
  const now = utcForm(Date.now());
  return {
    object_kind: 'note',
    event_type: options.internal ? 'confidential_note' : 'note',
    user: { id: options.user.id, name: options.user.username, username: options.user.username, avatar_url: null, email: '[REDACTED]' },
    project_id: project.id,
    project: projectJson(project),
    object_attributes: {
      id: options.noteId ?? 7001,
      note: options.note,
      noteable_type: options.noteableType ?? 'Issue',
      author_id: options.user.id,
      created_at: now,
      updated_at: now,
      project_id: project.id,
      noteable_id: issue.id,
      system: options.system ?? false,
      internal: options.internal ?? false,
      url: `${project.webUrl}/-/issues/${issue.iid}#note_${options.noteId ?? 7001}`,
      ...(options.action === null ? {} : { action: options.action ?? 'create' }),
    },
    repository: { name: project.path.split('/').at(-1), url: `${project.webUrl}.git`, homepage: project.webUrl },
    issue: {
      id: issue.id,
      iid: issue.iid,
      title: issue.title,
      project_id: project.id,
      state: issue.state,
      created_at: new Date(issue.createdAt).toISOString(),
      updated_at: new Date(issue.updatedAt).toISOString(),
    },
  };
}
