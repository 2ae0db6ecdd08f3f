/**
 * The few GitLab REST calls a /sync note needs, through the polite HTTP layer with the connection's
 * own token: the author's access level, an award emoji on the command note, and the reply note
 * (created, then edited with progress and the result).
 */
import type { ProviderLog, RequestObserver } from '../http/polite-http.js';
import { createGitLabHttp } from './gitlab-http.js';

export type AwardEmoji = 'eyes' | 'thumbsup' | 'confused';

export interface GitLabNotesApi {
  /** The user's access level in the project, inherited ones included; null when not a member. */
  accessLevel(userId: number): Promise<number | null>;
  award(issueIid: number, noteId: number, name: AwardEmoji): Promise<void>;
  /** The new note's id. `internal`: visible only to members who may see internal notes. */
  createNote(issueIid: number, body: string, options?: { internal?: boolean }): Promise<number>;
  editNote(issueIid: number, noteId: number, body: string): Promise<void>;
}

export interface GitLabNotesApiOptions {
  /** The instance URL (`https://gitlab.com`); an `/api/v4` suffix is tolerated. */
  instanceUrl: string;
  token: string;
  projectId: number;
  /** The project's path, for messages. */
  projectPath: string;
  log?: ProviderLog;
  fetch?: typeof fetch;
  /** Replies are not worth a long wait: a longer rate-limit wait fails the call (it is logged). */
  maxRateLimitWaitMs?: number;
  retryBaseMs?: number;
  /** Hears of each request (the service's metrics). */
  observeRequest?: RequestObserver;
}

export function createGitLabNotesApi(options: GitLabNotesApiOptions): GitLabNotesApi {
  // The provider's client: the same instance URL handling, token header, quota headers and refusal texts.
  const http = createGitLabHttp(
    {
      repo: options.projectPath,
      apiUrl: options.instanceUrl,
      token: options.token,
      timeoutMs: 10_000,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 10_000,
      ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.observeRequest ? { observeRequest: options.observeRequest } : {}),
    },
    options.projectPath,
  );
  const project = `/projects/${options.projectId}`;
  return {
    async accessLevel(userId) {
      const response = await http.request(`${project}/members/all/${userId}`, { operation: 'checking a member\'s access', allow: [404] });
      if (response.status === 404) return null;
      const level = (response.body as { access_level?: unknown } | null)?.access_level;
      return typeof level === 'number' ? level : null;
    },
    async award(issueIid, noteId, name) {
      await http.request(`${project}/issues/${issueIid}/notes/${noteId}/award_emoji`, {
        operation: 'reacting to a note',
        method: 'POST',
        query: { name },
      });
    },
    async createNote(issueIid, body, noteOptions = {}) {
      const response = await http.request(`${project}/issues/${issueIid}/notes`, {
        operation: 'posting a note',
        method: 'POST',
        json: { body, ...(noteOptions.internal ? { internal: true } : {}) },
      });
      const id = (response.body as { id?: unknown } | null)?.id;
      if (typeof id !== 'number') throw new Error('GitLab answered the new note without its id.');
      return id;
    },
    async editNote(issueIid, noteId, body) {
      await http.request(`${project}/issues/${issueIid}/notes/${noteId}`, { operation: 'editing a note', method: 'PUT', json: { body } });
    },
  };
}
