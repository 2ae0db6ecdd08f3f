/**
 * A loopback GitLab simulator for tests: a node:http server on 127.0.0.1 (port 0) serving the REST v4
 * endpoints and the GraphQL queries issue-sync uses, with GitLab's shapes, paging, quota headers,
 * confidentiality rules and scripted faults. Everything lives in memory.
 *
 *   const gitlab = await createGitLabSimulator({ tokens: { 'glpat-dev': 'developer' } });
 *   const project = gitlab.project('acme/tools/app', { issues: 250, vulnerabilities: 3 });
 *   gitlab.fault({ ...gitlabFaults.tooManyRequests({ retryAfterSeconds: 2 }), path: /\/issues/ });
 *   createGitLabProvider({ repo: 'acme/tools/app', apiUrl: gitlab.url, token: 'glpat-dev' });
 *
 * Options (`GitLabSimulatorOptions`): `tokens` (token → role, or `{ role, userId, username }`; unset:
 * every request is accepted as an owner), `webUrl` (the instance's web origin in `web_url`s, default the
 * simulator's own URL), `keyset` (false: an old server that answers 400 to `pagination=keyset`),
 * `rateLimit` (reported `RateLimit-Limit` per minute, never enforced: use a fault), `latencyMs`, `start`.
 *
 * REST under `/api/v4` (`:id` = numeric id or URL-encoded path; the token goes in `PRIVATE-TOKEN` or
 * `Authorization: Bearer`; a wrong token → 401 `{"message":"401 Unauthorized"}`; a project the caller
 * cannot see → 404 `{"message":"404 Project Not Found"}`):
 * - `GET /projects/:id` with `permissions.project_access.access_level` of the caller.
 * - `GET /projects/:id/issues`: `state`, `updated_after|before`, `created_after|before` (inclusive),
 *   `order_by` created_at|updated_at|id, `sort`, `per_page` ≤ 100; offset paging (`page`, `x-total`,
 *   `x-total-pages`, `x-next-page`, `Link`; over 10,000 rows no total and no `last`, as GitLab) or keyset
 *   (`pagination=keyset`: an opaque `cursor` in `Link rel="next"`, no Link after the last page).
 *   Confidential issues are listed only for Planner or more, or for their author.
 * - `GET /projects/:id/issues/:iid`; `GET /projects/:id/members/all/:user_id` (404 for a non-member);
 *   `POST /projects/:id/issues/:iid/notes`, `PUT …/notes/:note_id`, `POST …/notes/:note_id/award_emoji`
 *   (`?name=` or JSON `{name}`), recorded in `notes`, `noteEdits`, `emoji`;
 *   `GET /projects/:id/hooks` and `GET /projects/:id/hooks/:hook_id` (Maintainer or more, else 403) with
 *   `url`, `alert_status`, `disabled_until`.
 *
 * GraphQL at `POST /api/graphql`: `project(fullPath) { vulnerabilities(first, after, sort) { pageInfo nodes } }`
 * (`state` filters too) and `vulnerability(id)`, read from the variables (or inline arguments).
 * Like GitLab (inferred from its type-level `authorize :read_vulnerability`), a caller below Developer gets empty nodes, not an error;
 * a project without Ultimate answers as `tier` says: `free-empty` (empty nodes) or `free-null`
 * (`vulnerabilities: null` with an error). An unknown or invisible project is `project: null`.
 *
 * Every answer carries `RateLimit-Limit/-Observed/-Remaining/-Reset` (unix seconds). Faults (`fault()`)
 * answer the next matching requests with a status and headers (`withoutQuotaHeaders` drops the
 * usual ones), or reset the connection; `onRequest` runs before a request is answered and
 * `onServed` after, e.g. to edit issues between two pages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export type GitLabRole = 'guest' | 'planner' | 'reporter' | 'developer' | 'maintainer' | 'owner';

export const ACCESS_LEVELS: Record<GitLabRole, number> = {
  guest: 10,
  planner: 15,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
};

export interface TokenIdentity {
  role: GitLabRole;
  userId?: number;
  username?: string;
}

export interface GitLabSimulatorOptions {
  tokens?: Record<string, GitLabRole | TokenIdentity>;
  webUrl?: string;
  /** False: an old server without keyset paging for issues (400 to `pagination=keyset`). Default true. */
  keyset?: boolean;
  rateLimit?: number;
  latencyMs?: number;
  /** Creation time of the first generated item; each next one a second later. Default 2024-01-01. */
  start?: Date;
}

export interface IssueSeed {
  title?: string;
  description?: string | null;
  state?: 'opened' | 'closed';
  confidential?: boolean;
  labels?: string[];
  author?: string;
  assignees?: string[];
  milestone?: string | null;
  issueType?: string;
  createdAt?: Date;
  updatedAt?: Date;
  closedAt?: Date | null;
}

export interface SimIssue {
  id: number;
  iid: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  confidential: boolean;
  labels: string[];
  author: string;
  assignees: string[];
  milestone: string | null;
  issueType: string;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export type VulnerabilityState = 'DETECTED' | 'CONFIRMED' | 'DISMISSED' | 'RESOLVED';

export interface VulnerabilitySeed {
  title?: string;
  description?: string | null;
  state?: VulnerabilityState;
  severity?: string;
  reportType?: string;
  detectedAt?: Date;
  updatedAt?: Date;
}

export interface SimVulnerability {
  id: number;
  uuid: string;
  title: string;
  description: string | null;
  state: VulnerabilityState;
  severity: string;
  reportType: string;
  detectedAt: number;
  updatedAt: number;
}

export type HookAlertStatus = 'executable' | 'temporarily_disabled' | 'disabled';

export interface SimHook {
  id: number;
  url: string;
  alertStatus: HookAlertStatus;
  disabledUntil: Date | null;
}

export interface ProjectSetup {
  issues?: number | IssueSeed[];
  vulnerabilities?: number | VulnerabilitySeed[];
  /** `ultimate` (default) lists vulnerabilities; the `free-*` tiers answer as described in the header. */
  tier?: 'ultimate' | 'free-empty' | 'free-null';
  visibility?: 'private' | 'internal' | 'public';
  /** False: the issues feature is turned off (`issues_enabled: false`, 403 on the issue routes). */
  issuesEnabled?: boolean;
}

export interface SimNote {
  id: number;
  projectId: number;
  issueIid: number;
  body: string;
  author: string;
}

export interface SimEmoji {
  projectId: number;
  issueIid: number;
  noteId: number;
  name: string;
  user: string;
}

export interface SimulatedProject {
  readonly id: number;
  readonly path: string;
  readonly webUrl: string;
  tier: 'ultimate' | 'free-empty' | 'free-null';
  visibility: 'private' | 'internal' | 'public';
  issuesEnabled: boolean;
  readonly issues: SimIssue[];
  readonly vulnerabilities: SimVulnerability[];
  addIssues(count: number, seed?: IssueSeed): SimIssue[];
  issue(iid: number): SimIssue;
  /** Changes an issue now (its `updated_at` moves to the present, after every earlier change). */
  editIssue(iid: number, patch?: Partial<Omit<IssueSeed, 'createdAt' | 'updatedAt'>>): SimIssue;
  deleteIssue(iid: number): void;
  addVulnerabilities(count: number, seed?: VulnerabilitySeed): SimVulnerability[];
  editVulnerability(id: number, patch: Partial<Pick<SimVulnerability, 'state' | 'severity' | 'title'>>): SimVulnerability;
  /** Membership for `GET /projects/:id/members/all/:user_id`. */
  setMember(userId: number, member: { username: string; role: GitLabRole }): void;
  addHook(hook: Partial<SimHook> & { id: number }): SimHook;
  hook(id: number): SimHook | undefined;
}

/** A scripted answer for the next request(s) matching `method` and `path`. */
export interface Fault {
  /** Status to answer; ignored when `reset` is set. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  /**
   * Destroy the connection instead of answering (`true` or `before-headers`), or send the real
   * answer's status, headers and half its body first (`mid-body`, recorded with status 0).
   */
  reset?: boolean | 'before-headers' | 'mid-body';
  /** Leave out the `RateLimit-*` headers every other answer carries. */
  withoutQuotaHeaders?: boolean;
  method?: string;
  /** A string matches the path (no query) exactly; a RegExp is tested against path + query. */
  path?: string | RegExp;
  times?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/api/v4/projects/acme%2Fapp/issues?per_page=100`. */
  path: string;
  status: number;
}

export type RequestHook = (request: { method: string; url: URL; index: number }) => void | Promise<void>;
export type ServedHook = (request: { method: string; url: URL; status: number; index: number }) => void;

export interface GitLabSimulator {
  /** The instance URL (give it as `apiUrl`), e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Creates the project (or returns it) and adds what `setup` asks for. */
  project(path: string, setup?: ProjectSetup): SimulatedProject;
  fault(fault: Fault): void;
  onRequest(hook: RequestHook | null): void;
  onServed(hook: ServedHook | null): void;
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  /** Switches keyset paging of issues on or off (an old server refuses it with 400). */
  setKeyset(enabled: boolean): void;
  setLatency(ms: number): void;
  readonly notes: readonly SimNote[];
  readonly noteEdits: readonly { noteId: number; body: string }[];
  readonly emoji: readonly SimEmoji[];
  close(): Promise<void>;
}

/** Faults as GitLab sends them. */
export const gitlabFaults = {
  /** 429 with `Retry-After` when given, and `RateLimit-Remaining: 0` with `RateLimit-Reset` when `resetAt` is. */
  tooManyRequests: (options: { retryAfterSeconds?: number; resetAt?: Date } = {}): Fault => ({
    status: 429,
    headers: {
      ...(options.retryAfterSeconds !== undefined ? { 'retry-after': String(options.retryAfterSeconds) } : {}),
      ...(options.resetAt
        ? {
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(Math.floor(options.resetAt.getTime() / 1000)),
            'ratelimit-resettime': options.resetAt.toUTCString(),
          }
        : {}),
    },
    body: { message: 'Retry later' },
  }),
  serverError: (status = 500): Fault => ({ status, body: { message: `${status} Internal Server Error` } }),
  connectionReset: (when: 'before-headers' | 'mid-body' = 'before-headers'): Fault => ({ reset: when }),
};

const GID = 'gid://gitlab/Vulnerability/';

export async function createGitLabSimulator(options: GitLabSimulatorOptions = {}): Promise<GitLabSimulator> {
  const limit = options.rateLimit ?? 2000;
  let keyset = options.keyset ?? true;
  let latencyMs = options.latencyMs ?? 0;
  let generated = (options.start ?? new Date('2024-01-01T00:00:00Z')).getTime();
  let lastEdit = 0;
  const nextGenerated = () => (generated += 1000);
  // Edits happen now, as on GitLab (a sync's catch-up compares them with the real clock), strictly in order.
  const editTime = () => (lastEdit = Math.max(lastEdit + 1, Date.now(), generated + 1));

  const projects = new Map<number, ProjectState>();
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const notes: SimNote[] = [];
  const noteEdits: { noteId: number; body: string }[] = [];
  const emoji: SimEmoji[] = [];
  let beforeHook: RequestHook | null = null;
  let afterHook: ServedHook | null = null;
  let nextProjectId = 100;
  let nextIssueId = 5000;
  let nextVulnerabilityId = 700;
  let nextNoteId = 9000;
  let used = 0;
  let windowEnds = Math.floor(Date.now() / 1000) + 60;
  let url = '';

  interface ProjectState extends SimulatedProject {
    members: Map<number, { username: string; role: GitLabRole }>;
    hooks: Map<number, SimHook>;
  }

  const createProject = (path: string): ProjectState => {
    const id = (nextProjectId += 1);
    const issues: SimIssue[] = [];
    const vulnerabilities: SimVulnerability[] = [];
    const members = new Map<number, { username: string; role: GitLabRole }>();
    const hooks = new Map<number, SimHook>();
    const findIssue = (iid: number) => {
      const issue = issues.find((candidate) => candidate.iid === iid);
      if (!issue) throw new Error(`The simulated project ${path} has no issue ${iid}.`);
      return issue;
    };
    const state: ProjectState = {
      id,
      path,
      get webUrl() {
        return `${(options.webUrl ?? url).replace(/\/+$/, '')}/${path}`;
      },
      tier: 'ultimate',
      visibility: 'private',
      issuesEnabled: true,
      issues,
      vulnerabilities,
      members,
      hooks,
      addIssues(count, seed = {}) {
        const added: SimIssue[] = [];
        for (let k = 0; k < count; k += 1) {
          const iid = (issues.at(-1)?.iid ?? 0) + 1;
          const createdAt = seed.createdAt?.getTime() ?? nextGenerated();
          const issue: SimIssue = {
            id: (nextIssueId += 1),
            iid,
            title: seed.title ?? `Issue ${iid}`,
            description: seed.description === undefined ? `Body of issue ${iid}` : seed.description,
            state: seed.state ?? 'opened',
            confidential: seed.confidential ?? false,
            labels: seed.labels ?? [],
            author: seed.author ?? 'alice',
            assignees: seed.assignees ?? [],
            milestone: seed.milestone ?? null,
            issueType: seed.issueType ?? 'issue',
            createdAt,
            updatedAt: seed.updatedAt?.getTime() ?? createdAt,
            closedAt: seed.closedAt?.getTime() ?? ((seed.state ?? 'opened') === 'closed' ? (seed.updatedAt?.getTime() ?? createdAt) : null),
          };
          issues.push(issue);
          added.push(issue);
        }
        return added;
      },
      issue: findIssue,
      editIssue(iid, patch = {}) {
        const issue = findIssue(iid);
        const { closedAt, ...rest } = patch;
        Object.assign(issue, Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)));
        issue.updatedAt = editTime();
        if (patch.state === 'closed' && issue.closedAt === null) issue.closedAt = issue.updatedAt;
        if (patch.state === 'opened') issue.closedAt = null;
        if (closedAt !== undefined) issue.closedAt = closedAt?.getTime() ?? null;
        return issue;
      },
      deleteIssue(iid) {
        issues.splice(issues.indexOf(findIssue(iid)), 1);
      },
      addVulnerabilities(count, seed = {}) {
        const added: SimVulnerability[] = [];
        for (let k = 0; k < count; k += 1) {
          const detectedAt = seed.detectedAt?.getTime() ?? nextGenerated();
          const vulnerability: SimVulnerability = {
            id: (nextVulnerabilityId += 1),
            uuid: randomUUID(),
            title: seed.title ?? `Vulnerability ${nextVulnerabilityId}`,
            description: seed.description === undefined ? 'A finding of a security scanner.' : seed.description,
            state: seed.state ?? 'DETECTED',
            severity: seed.severity ?? 'HIGH',
            reportType: seed.reportType ?? 'SAST',
            detectedAt,
            updatedAt: seed.updatedAt?.getTime() ?? detectedAt,
          };
          vulnerabilities.push(vulnerability);
          added.push(vulnerability);
        }
        return added;
      },
      editVulnerability(vulnerabilityId, patch) {
        const vulnerability = vulnerabilities.find((candidate) => candidate.id === vulnerabilityId);
        if (!vulnerability) throw new Error(`The simulated project ${path} has no vulnerability ${vulnerabilityId}.`);
        Object.assign(vulnerability, patch, { updatedAt: editTime() });
        return vulnerability;
      },
      setMember(userId, member) {
        members.set(userId, member);
      },
      addHook(hook) {
        const full: SimHook = { url: 'https://sync.example.com/api/gitlab/webhooks', alertStatus: 'executable', disabledUntil: null, ...hook };
        hooks.set(full.id, full);
        return full;
      },
      hook: (hookId) => hooks.get(hookId),
    };
    return state;
  };

  // ---- identity --------------------------------------------------------------------------------

  interface Caller {
    level: number | null;
    userId: number;
    username: string;
  }
  const identities = new Map<string, Caller>();
  let nextUserId = 1;
  for (const [token, value] of Object.entries(options.tokens ?? {})) {
    const identity: TokenIdentity = typeof value === 'string' ? { role: value } : value;
    const userId = identity.userId ?? (nextUserId += 1);
    identities.set(token, { level: ACCESS_LEVELS[identity.role], userId, username: identity.username ?? `user${userId}` });
  }
  const anonymous: Caller = { level: null, userId: 0, username: 'anonymous' };
  const openCaller: Caller = { level: ACCESS_LEVELS.owner, userId: 1, username: 'root' };

  /** The caller, `anonymous` without a token, or null for a token the simulator does not know. */
  const callerOf = (request: IncomingMessage): Caller | null => {
    if (!options.tokens) return openCaller;
    const privateToken = request.headers['private-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = (typeof privateToken === 'string' ? privateToken : undefined) ?? bearer;
    if (token === undefined) return anonymous;
    return identities.get(token) ?? null;
  };
  const canSee = (caller: Caller, project: ProjectState) => caller.level !== null || project.visibility === 'public';
  const findProject = (raw: string): ProjectState | undefined => {
    const key = decodeURIComponent(raw);
    if (/^\d+$/.test(key)) return projects.get(Number(key));
    return [...projects.values()].find((project) => project.path.toLowerCase() === key.toLowerCase());
  };

  // ---- answers ---------------------------------------------------------------------------------

  const rateLimitHeaders = (): Record<string, string> => {
    const now = Math.floor(Date.now() / 1000);
    if (now >= windowEnds) {
      windowEnds = now + 60;
      used = 0;
    }
    used += 1;
    return {
      'ratelimit-limit': String(limit),
      'ratelimit-observed': String(used),
      'ratelimit-remaining': String(Math.max(0, limit - used)),
      'ratelimit-reset': String(windowEnds),
    };
  };

  /** Answers whose connection a `mid-body` fault cuts halfway through the body. */
  const cutMidBody = new WeakSet<ServerResponse>();

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    raw?: string,
    quota = true,
  ): number => {
    const text = raw ?? JSON.stringify(body);
    const cut = cutMidBody.has(response);
    response.writeHead(status, {
      'content-type': 'application/json',
      ...(quota ? rateLimitHeaders() : {}),
      ...headers,
      ...(cut ? { 'content-length': String(Buffer.byteLength(text)) } : {}),
    });
    if (cut) {
      const bytes = Buffer.from(text);
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy());
      return 0;
    }
    response.end(text);
    return status;
  };
  const message = (response: ServerResponse, status: number, text: string) => send(response, status, { message: text });

  const takeFault = (method: string, requestUrl: URL): Fault | undefined => {
    const index = faults.findIndex(
      (fault) =>
        (!fault.method || fault.method.toUpperCase() === method) &&
        (fault.path === undefined ||
          (typeof fault.path === 'string' ? fault.path === requestUrl.pathname : fault.path.test(requestUrl.pathname + requestUrl.search))),
    );
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault;
  };

  const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  };

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  const issueJson = (project: ProjectState, issue: SimIssue) => ({
    id: issue.id,
    iid: issue.iid,
    project_id: project.id,
    title: issue.title,
    description: issue.description,
    state: issue.state,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: iso(issue.closedAt),
    labels: issue.labels,
    milestone: issue.milestone === null ? null : { id: 1, iid: 1, title: issue.milestone, state: 'active' },
    assignees: issue.assignees.map((username, index) => ({ id: 300 + index, username, name: username })),
    author: { id: 200, username: issue.author, name: issue.author },
    type: issue.issueType.toUpperCase(),
    issue_type: issue.issueType,
    confidential: issue.confidential,
    user_notes_count: 0,
    web_url: `${project.webUrl}/-/issues/${issue.iid}`,
  });

  const projectJson = (project: ProjectState, caller: Caller) => ({
    id: project.id,
    name: project.path.split('/').at(-1),
    path: project.path.split('/').at(-1),
    path_with_namespace: project.path,
    web_url: project.webUrl,
    default_branch: 'main',
    visibility: project.visibility,
    issues_enabled: project.issuesEnabled,
    open_issues_count: project.issues.filter((issue) => issue.state === 'opened' && seesIssue(caller, issue)).length,
    permissions: {
      project_access: caller.level === null ? null : { access_level: caller.level, notification_level: 3 },
      group_access: null,
    },
  });

  const seesIssue = (caller: Caller, issue: SimIssue) =>
    !issue.confidential || (caller.level !== null && caller.level >= ACCESS_LEVELS.planner) || issue.author === caller.username;

  const ORDER_FIELDS = { created_at: 'createdAt', updated_at: 'updatedAt', id: 'id' } as const;

  const listIssues = (response: ServerResponse, project: ProjectState, caller: Caller, requestUrl: URL): number => {
    const query = requestUrl.searchParams;
    const state = query.get('state') ?? 'all';
    if (!['opened', 'closed', 'all'].includes(state)) return send(response, 400, { error: 'state does not have a valid value' });
    const orderBy = query.get('order_by') ?? 'created_at';
    if (!(orderBy in ORDER_FIELDS)) return send(response, 400, { error: 'order_by does not have a valid value' });
    const field = ORDER_FIELDS[orderBy as keyof typeof ORDER_FIELDS];
    const sort = query.get('sort') ?? 'desc';
    if (sort !== 'asc' && sort !== 'desc') return send(response, 400, { error: 'sort does not have a valid value' });
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 20) || 20));
    const bounds: [string, 'createdAt' | 'updatedAt', 1 | -1][] = [
      ['created_after', 'createdAt', 1],
      ['created_before', 'createdAt', -1],
      ['updated_after', 'updatedAt', 1],
      ['updated_before', 'updatedAt', -1],
    ];
    const filters: ((issue: SimIssue) => boolean)[] = [];
    for (const [name, key, direction] of bounds) {
      const value = query.get(name);
      if (value === null) continue;
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) return send(response, 400, { error: `${name} is invalid` });
      filters.push((issue) => (direction === 1 ? issue[key] >= ms : issue[key] <= ms));
    }
    const sign = sort === 'asc' ? 1 : -1;
    const rows = project.issues
      .filter((issue) => seesIssue(caller, issue) && (state === 'all' || issue.state === state) && filters.every((test) => test(issue)))
      .sort((a, b) => sign * (a[field] - b[field] || a.id - b.id));

    const pageUrl = (change: Record<string, string>) => {
      const next = new URL(requestUrl.pathname + requestUrl.search, url);
      for (const [key, value] of Object.entries(change)) next.searchParams.set(key, value);
      return next.href;
    };

    if (query.get('pagination') === 'keyset') {
      if (!keyset) return send(response, 400, { error: 'pagination does not have a valid value' });
      let start = 0;
      const cursor = query.get('cursor');
      if (cursor) {
        const position = decodeCursor(cursor);
        if (!position) return send(response, 400, { message: '400 Bad request - Invalid cursor' });
        const after = (issue: SimIssue) => sign * (issue[field] - position.key || issue.id - position.id) > 0;
        start = rows.findIndex(after);
        if (start < 0) start = rows.length;
      }
      const page = rows.slice(start, start + perPage);
      const last = page.at(-1);
      const headers: Record<string, string> = { 'x-per-page': String(perPage) };
      if (last && start + perPage < rows.length) {
        headers.link = `<${pageUrl({ cursor: encodeCursor(last[field], last.id) })}>; rel="next"`;
      }
      return send(response, 200, page.map((issue) => issueJson(project, issue)), headers);
    }

    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
    const counted = rows.length <= 10_000;
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      ...(counted ? { 'x-total': String(rows.length), 'x-total-pages': String(totalPages) } : {}),
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${pageUrl({ page: String(page - 1) })}>; rel="prev"`);
    if (page < totalPages) links.push(`<${pageUrl({ page: String(page + 1) })}>; rel="next"`);
    links.push(`<${pageUrl({ page: '1' })}>; rel="first"`);
    if (counted) links.push(`<${pageUrl({ page: String(totalPages) })}>; rel="last"`);
    headers.link = links.join(', ');
    const items = rows.slice((page - 1) * perPage, page * perPage).map((issue) => issueJson(project, issue));
    return send(response, 200, items, headers);
  };

  // ---- GraphQL ---------------------------------------------------------------------------------

  const vulnerabilityNode = (project: ProjectState, vulnerability: SimVulnerability) => ({
    id: `${GID}${vulnerability.id}`,
    uuid: vulnerability.uuid,
    title: vulnerability.title,
    description: vulnerability.description,
    state: vulnerability.state,
    severity: vulnerability.severity,
    reportType: vulnerability.reportType,
    detectedAt: iso(vulnerability.detectedAt),
    updatedAt: iso(vulnerability.updatedAt),
    webUrl: `${project.webUrl}/-/security/vulnerabilities/${vulnerability.id}`,
    project: { id: `gid://gitlab/Project/${project.id}`, fullPath: project.path },
  });

  const graphql = async (request: IncomingMessage, response: ServerResponse, caller: Caller | null): Promise<number> => {
    if (caller === null) return send(response, 401, { errors: [{ message: 'Invalid token' }] });
    const body = await readJson(request);
    const text = typeof body.query === 'string' ? body.query : '';
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    const argument = (name: string): string | undefined => {
      const inline = new RegExp(`\\b${name}\\s*:\\s*(?:"([^"]*)"|(\\w+))`).exec(text.replace(/\$\w+/g, ''));
      const variable = new RegExp(`\\b${name}\\s*:\\s*\\$(\\w+)`).exec(text)?.[1];
      const value = variable !== undefined ? variables[variable] : (inline?.[1] ?? inline?.[2]);
      return value === undefined || value === null ? undefined : String(value);
    };
    const readable = (project: ProjectState) => caller.level !== null && caller.level >= ACCESS_LEVELS.developer && project.tier === 'ultimate';

    if (/\bvulnerabilities\s*\(/.test(text)) {
      const project = findProject(argument('fullPath') ?? '');
      if (!project || !canSee(caller, project)) return send(response, 200, { data: { project: null } });
      if (project.tier === 'free-null') {
        return send(response, 200, {
          data: { project: { vulnerabilities: null } },
          errors: [
            {
              message: "The resource that you are attempting to access does not exist or you don't have permission to perform this action",
              path: ['project', 'vulnerabilities'],
            },
          ],
        });
      }
      const first = Number(argument('first') ?? 100);
      if (!Number.isInteger(first) || first < 1 || first > 100) {
        return send(response, 200, { data: null, errors: [{ message: 'first must be between 1 and 100' }] });
      }
      const sort = argument('sort') ?? 'severity_desc';
      const descending = sort.endsWith('_desc');
      const states = argument('state')?.split(',').filter(Boolean) ?? [];
      const rows = readable(project)
        ? project.vulnerabilities
            .filter((vulnerability) => states.length === 0 || states.includes(vulnerability.state))
            .sort((a, b) => (descending ? -1 : 1) * (a.detectedAt - b.detectedAt || a.id - b.id))
        : [];
      const after = argument('after');
      let start = 0;
      if (after) {
        const id = Number(Buffer.from(after, 'base64url').toString('utf8'));
        start = rows.findIndex((row) => row.id === id) + 1;
        if (start === 0) return send(response, 200, { data: null, errors: [{ message: 'Invalid cursor' }] });
      }
      const nodes = rows.slice(start, start + first);
      const last = nodes.at(-1);
      return send(response, 200, {
        data: {
          project: {
            vulnerabilities: {
              pageInfo: {
                hasNextPage: start + first < rows.length,
                endCursor: last ? Buffer.from(String(last.id)).toString('base64url') : null,
              },
              nodes: nodes.map((node) => vulnerabilityNode(project, node)),
            },
          },
        },
      });
    }
    if (/\bvulnerability\s*\(/.test(text)) {
      const gid = argument('id') ?? '';
      const id = gid.startsWith(GID) ? Number(gid.slice(GID.length)) : Number.NaN;
      for (const project of projects.values()) {
        const found = project.vulnerabilities.find((vulnerability) => vulnerability.id === id);
        if (found && canSee(caller, project) && readable(project)) {
          return send(response, 200, { data: { vulnerability: vulnerabilityNode(project, found) } });
        }
      }
      return send(response, 200, { data: { vulnerability: null } });
    }
    return send(response, 200, { data: null, errors: [{ message: 'The simulator does not know this query.' }] });
  };

  // ---- routing ---------------------------------------------------------------------------------

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const method = request.method ?? 'GET';
    const requestUrl = new URL(request.url ?? '/', url);
    if (latencyMs > 0) await sleep(latencyMs);
    await beforeHook?.({ method, url: requestUrl, index: requests.length });
    const fault = takeFault(method, requestUrl);
    if (fault?.reset === 'mid-body') cutMidBody.add(response);
    else if (fault?.reset) {
      request.socket.destroy();
      return 0;
    } else if (fault) {
      const body = fault.body ?? { message: `${fault.status} Simulated` };
      return send(response, fault.status ?? 500, body, fault.headers, fault.rawBody, !fault.withoutQuotaHeaders);
    }

    const caller = callerOf(request);
    if (requestUrl.pathname === '/api/graphql' && method === 'POST') return graphql(request, response, caller);
    if (caller === null) return message(response, 401, '401 Unauthorized');

    const match = /^\/api\/v4\/projects\/([^/]+)(\/.*)?$/.exec(requestUrl.pathname);
    if (!match) return message(response, 404, '404 Not Found');
    const project = findProject(match[1]!);
    if (!project || !canSee(caller, project)) return message(response, 404, '404 Project Not Found');
    const rest = match[2] ?? '';
    let route: RegExpExecArray | null;

    if (method === 'GET' && rest === '') return send(response, 200, projectJson(project, caller));
    if (!project.issuesEnabled && rest.startsWith('/issues')) return message(response, 403, '403 Forbidden');
    if (method === 'GET' && rest === '/issues') return listIssues(response, project, caller, requestUrl);
    if (method === 'GET' && (route = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = project.issues.find((candidate) => candidate.iid === Number(route![1]));
      return issue && seesIssue(caller, issue) ? send(response, 200, issueJson(project, issue)) : message(response, 404, '404 Not found');
    }
    if (method === 'GET' && (route = /^\/members\/all\/(\d+)$/.exec(rest))) {
      const userId = Number(route[1]);
      const member = project.members.get(userId);
      if (!member) return message(response, 404, '404 Not found');
      return send(response, 200, { id: userId, username: member.username, name: member.username, state: 'active', access_level: ACCESS_LEVELS[member.role] });
    }
    const hookJson = (hook: SimHook) => ({
      id: hook.id,
      url: hook.url,
      project_id: project.id,
      issues_events: true,
      note_events: true,
      confidential_issues_events: true,
      confidential_note_events: true,
      alert_status: hook.alertStatus,
      disabled_until: hook.disabledUntil?.toISOString() ?? null,
    });
    if (method === 'GET' && rest === '/hooks') {
      if ((caller.level ?? 0) < ACCESS_LEVELS.maintainer) return message(response, 403, '403 Forbidden');
      return send(response, 200, [...project.hooks.values()].map(hookJson));
    }
    if (method === 'GET' && (route = /^\/hooks\/(\d+)$/.exec(rest))) {
      if ((caller.level ?? 0) < ACCESS_LEVELS.maintainer) return message(response, 403, '403 Forbidden');
      const hook = project.hooks.get(Number(route[1]));
      if (!hook) return message(response, 404, '404 Not found');
      return send(response, 200, hookJson(hook));
    }
    const issueOf = (iid: string) => project.issues.find((candidate) => candidate.iid === Number(iid));
    if (method === 'POST' && (route = /^\/issues\/(\d+)\/notes$/.exec(rest))) {
      const issue = issueOf(route[1]!);
      if (!issue || !seesIssue(caller, issue)) return message(response, 404, '404 Not found');
      const body = await readJson(request);
      if (typeof body.body !== 'string' || body.body === '') return send(response, 400, { error: 'body is missing' });
      const note: SimNote = { id: (nextNoteId += 1), projectId: project.id, issueIid: issue.iid, body: body.body, author: caller.username };
      notes.push(note);
      return send(response, 201, noteJson(note));
    }
    if (method === 'PUT' && (route = /^\/issues\/(\d+)\/notes\/(\d+)$/.exec(rest))) {
      const note = notes.find((candidate) => candidate.id === Number(route![2]) && candidate.projectId === project.id && candidate.issueIid === Number(route![1]));
      if (!note) return message(response, 404, '404 Not found');
      const body = await readJson(request);
      if (typeof body.body !== 'string') return send(response, 400, { error: 'body is missing' });
      note.body = body.body;
      noteEdits.push({ noteId: note.id, body: body.body });
      return send(response, 200, noteJson(note));
    }
    if (method === 'POST' && (route = /^\/issues\/(\d+)\/notes\/(\d+)\/award_emoji$/.exec(rest))) {
      const noteId = Number(route[2]);
      const issueIid = Number(route[1]);
      if (!issueOf(route[1]!)) return message(response, 404, '404 Not found');
      const body = await readJson(request);
      const name = requestUrl.searchParams.get('name') ?? (typeof body.name === 'string' ? body.name : null);
      if (!name) return send(response, 400, { error: 'name is missing' });
      emoji.push({ projectId: project.id, issueIid, noteId, name, user: caller.username });
      return send(response, 201, { id: emoji.length, name, user: { username: caller.username }, awardable_id: noteId, awardable_type: 'Note' });
    }
    return message(response, 404, '404 Not Found');
  };

  const noteJson = (note: SimNote) => ({
    id: note.id,
    body: note.body,
    author: { username: note.author },
    noteable_type: 'Issue',
    noteable_iid: note.issueIid,
    system: false,
  });

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    handle(request, response).then(
      (status) => {
        const index = requests.length;
        requests.push({ method, path, status });
        afterHook?.({ method, url: new URL(path, url), status, index });
      },
      (error: unknown) => {
        // A body that is not JSON is the client's mistake (400, as GitLab); anything else is the simulator's.
        const status = error instanceof SyntaxError ? 400 : 500;
        requests.push({ method, path, status });
        if (response.headersSent) response.destroy();
        else if (status === 400) send(response, 400, { error: 'The request body is not valid JSON' });
        else send(response, 500, { message: `Simulator error: ${String(error)}` });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    project(path, setup = {}) {
      let project = [...projects.values()].find((candidate) => candidate.path.toLowerCase() === path.toLowerCase());
      if (!project) {
        project = createProject(path);
        projects.set(project.id, project);
      }
      if (typeof setup.issues === 'number') project.addIssues(setup.issues);
      else for (const seed of setup.issues ?? []) project.addIssues(1, seed);
      if (typeof setup.vulnerabilities === 'number') project.addVulnerabilities(setup.vulnerabilities);
      else for (const seed of setup.vulnerabilities ?? []) project.addVulnerabilities(1, seed);
      if (setup.tier) project.tier = setup.tier;
      if (setup.visibility) project.visibility = setup.visibility;
      if (setup.issuesEnabled !== undefined) project.issuesEnabled = setup.issuesEnabled;
      return project;
    },
    fault: (fault) => {
      faults.push({ ...fault });
    },
    onRequest: (hook) => {
      beforeHook = hook;
    },
    onServed: (hook) => {
      afterHook = hook;
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    setKeyset: (enabled) => {
      keyset = enabled;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    notes,
    noteEdits,
    emoji,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function encodeCursor(key: number, id: number): string {
  return Buffer.from(JSON.stringify({ k: key, id })).toString('base64url');
}

function decodeCursor(cursor: string): { key: number; id: number } | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; id?: unknown };
    return typeof value.k === 'number' && typeof value.id === 'number' ? { key: value.k, id: value.id } : null;
  } catch {
    return null;
  }
}
