/**
 * A loopback GitHub REST simulator for tests and the benchmark: a node:http server on 127.0.0.1
 * that serves the endpoints the GitHub provider uses with GitHub's shapes, paging (`Link` with
 * absolute URLs, `page`/`per_page`, Dependabot's `after` cursor), rate-limit headers, ETag/304 on
 * issue and alert listings, the issue search (`/search/issues` with `user:`/`org:`, `is:issue`,
 * `updated:>=`, its own 30-a-minute quota and an index lag), the organisation-level Dependabot alert
 * listing, and scripted faults for the next matching requests.
 *
 *   const github = await startGitHubSimulator();
 *   const repo = github.repo('octo', 'hello', { issues: 250, pullRequests: 10 });
 *   github.fault({ ...githubFaults.tooManyRequests(1), path: '/repos/octo/hello/issues' });
 *   createGitHubProvider({ repo: 'octo/hello', apiUrl: github.url });
 */
import { createDeliveryLog, type DeliveryLog } from './github-simulator-deliveries.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SimulatedRepository,
  type AlertSeed,
  type DependabotStatus,
  type IssueSeed,
  type Seeds,
  type SimulatorClock,
} from './github-simulator-repository.js';

export { SimulatedRepository, type AlertSeed, type DependabotStatus, type IssueSeed, type Seeds };

export interface GitHubSimulatorOptions {
  /** When set, every request must carry `Authorization: token <token>` (or `Bearer`), else 401. */
  token?: string;
  /** Web URL repositories and issues link to (`html_url`); default `https://github.com`. */
  htmlUrl?: string;
  /** `x-ratelimit-limit` per hour; default 5000. Only reported, never enforced (use a fault for that). */
  rateLimit?: number;
  /** Start of the simulator's clock (timestamps of generated items); default 2024-01-01T00:00:00Z. */
  start?: Date;
  /** Milliseconds every request waits before it is answered, as a remote host's round trip; default 0. */
  latencyMs?: number;
  /** Owners that are user accounts, not organisations: their `/orgs/...` endpoints answer 404. */
  userAccounts?: string[];
  /** Seconds an update takes to reach the search index (`/search/issues` does not see updates that recent, on the simulator's clock); default 0. */
  searchLagSeconds?: number;
}

export interface RepositorySetup {
  issues?: number | Seeds<IssueSeed>[];
  pullRequests?: number;
  alerts?: number | AlertSeed[];
  dependabot?: DependabotStatus;
}

/** A scripted answer for the next request(s) matching `method` and `path`. */
export interface Fault {
  /** Status to answer; ignored when `reset` is set. */
  status: number;
  /**
   * Cut the connection instead of answering: `before-headers` destroys the socket before a byte of
   * the answer is sent; `mid-body` sends the real answer's status, headers and half its body, then
   * destroys the socket (recorded with status 0).
   */
  reset?: 'before-headers' | 'mid-body';
  headers?: Record<string, string>;
  /** JSON body (default `{ message }` from the status); `rawBody` sends text as it is instead. */
  body?: unknown;
  rawBody?: string;
  method?: string;
  /** A string matches the path exactly (no query); a RegExp is tested against path + query. */
  path?: string | RegExp;
  /** How many matching requests get this answer (default 1). */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/repos/octo/hello/issues?page=2`. */
  path: string;
  status: number;
}

export type RequestHook = (request: { method: string; url: URL; index: number }) => void | Promise<void>;

export interface GitHubSimulator {
  /** Base URL to use as the provider's `apiUrl`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Creates the repository (or returns it when it exists) and adds what `setup` asks for. */
  repo(owner: string, name: string, setup?: RepositorySetup): SimulatedRepository;
  fault(fault: Fault): void;
  /** Called before each request is answered (faults and edits included), e.g. to edit issues mid-walk. */
  onRequest(hook: RequestHook | null): void;
  /** Every request answered, in order. */
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  /** The simulator's clock (every edit moves it forward by a second). */
  now(): Date;
  /** Sets the wait before every answer (see `latencyMs`) for the requests that follow. */
  setLatency(ms: number): void;
  /** The App's webhook delivery log (`/app/hook/deliveries`). */
  readonly deliveryLog: DeliveryLog;
  /** Sets how long edits take to reach the search index (see `searchLagSeconds`). */
  setSearchLag(seconds: number): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

/** Faults as GitHub sends them. */
export const githubFaults = {
  tooManyRequests: (retryAfterSeconds: number): Fault => ({
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { message: 'Too Many Requests' },
  }),
  secondaryRateLimit: (retryAfterSeconds: number, status: 403 | 429 = 403): Fault => ({
    status,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:000000:000000:00000000.',
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
    },
  }),
  primaryRateLimit: (resetAt: Date): Fault => ({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(resetAt.getTime() / 1000)) },
    body: {
      message: 'API rate limit exceeded for user ID 1.',
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-primary-rate-limits`,
    },
  }),
  serverError: (status = 500): Fault => ({ status, body: { message: 'Server Error' } }),
  /** The connection dies: before the answer, or halfway through its body (see `Fault.reset`). */
  connectionReset: (when: 'before-headers' | 'mid-body' = 'before-headers'): Fault => ({ status: 0, reset: when }),
  badCredentials: (): Fault => ({ status: 401, body: { message: 'Bad credentials', documentation_url: DOCS } }),
};

export async function startGitHubSimulator(options: GitHubSimulatorOptions = {}): Promise<GitHubSimulator> {
  const htmlUrl = (options.htmlUrl ?? 'https://github.com').replace(/\/+$/, '');
  const limit = options.rateLimit ?? 5000;
  let clockSeconds = Math.floor((options.start ?? new Date('2024-01-01T00:00:00Z')).getTime() / 1000);
  const clock: SimulatorClock = {
    now: () => clockSeconds,
    advance: (seconds) => (clockSeconds += seconds),
    // Edits happen now, as on GitHub (a sync's catch-up compares them with the real clock).
    edit: () => (clockSeconds = Math.max(clockSeconds + 1, Math.floor(Date.now() / 1000))),
    catchUp: (seconds) => {
      clockSeconds = Math.max(clockSeconds, seconds);
    },
  };
  const repositories = new Map<string, SimulatedRepository>();
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  let hook: RequestHook | null = null;
  let latencyMs = options.latencyMs ?? 0;
  let used = 0;
  let windowEnds = Math.floor(Date.now() / 1000) + 3600;
  let searchUsed = 0;
  let searchWindowEnds = Math.floor(Date.now() / 1000) + 60;
  let searchLagSeconds = options.searchLagSeconds ?? 0;
  const userAccounts = new Set((options.userAccounts ?? []).map((login) => login.toLowerCase()));
  let url = '';

  /** The search API's own quota: 30 requests a minute. */
  const searchRateLimitHeaders = (): Record<string, string> => {
    const now = Math.floor(Date.now() / 1000);
    if (now >= searchWindowEnds) {
      searchWindowEnds = now + 60;
      searchUsed = 0;
    }
    searchUsed += 1;
    return {
      'x-ratelimit-limit': '30',
      'x-ratelimit-remaining': String(Math.max(0, 30 - searchUsed)),
      'x-ratelimit-reset': String(searchWindowEnds),
      'x-ratelimit-used': String(searchUsed),
      'x-ratelimit-resource': 'search',
    };
  };

  const rateLimitHeaders = (counted: boolean): Record<string, string> => {
    const now = Math.floor(Date.now() / 1000);
    if (now >= windowEnds) {
      windowEnds = now + 3600;
      used = 0;
    }
    if (counted) used += 1;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - used)),
      'x-ratelimit-reset': String(windowEnds),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
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
  ): number => {
    const text = raw ?? (status === 304 ? '' : JSON.stringify(body));
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      // A search answer carries the search quota's headers and spends nothing of the core quota.
      ...(headers['x-ratelimit-resource'] === 'search' ? {} : rateLimitHeaders(status !== 304)),
      ...headers,
      ...(cutMidBody.has(response) ? { 'content-length': String(Buffer.byteLength(text)) } : {}),
    });
    if (cutMidBody.has(response)) {
      const bytes = Buffer.from(text);
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy());
      return 0;
    }
    response.end(text);
    return status;
  };

  const notFound = (response: ServerResponse) =>
    send(response, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });

  const takeFault = (method: string, requestUrl: URL): Fault | undefined => {
    const index = faults.findIndex(
      (fault) =>
        (!fault.method || fault.method.toUpperCase() === method) &&
        (fault.path === undefined ||
          (typeof fault.path === 'string'
            ? fault.path === requestUrl.pathname
            : fault.path.test(requestUrl.pathname + requestUrl.search))),
    );
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault;
  };

  const deliveryLog = createDeliveryLog(() => new Date());

  const authorized = (request: IncomingMessage): boolean => {
    if (!options.token) return true;
    const value = request.headers.authorization ?? '';
    const [scheme, credential] = value.split(' ');
    return /^(token|bearer)$/i.test(scheme ?? '') && credential === options.token;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const method = request.method ?? 'GET';
    const requestUrl = new URL(request.url ?? '/', url);
    if (latencyMs > 0) await sleep(latencyMs);
    await hook?.({ method, url: requestUrl, index: requests.length });
    const fault = takeFault(method, requestUrl);
    if (fault?.reset === 'before-headers') {
      request.socket.destroy();
      return 0;
    }
    if (fault?.reset === 'mid-body') cutMidBody.add(response);
    else if (fault) {
      const body = fault.body ?? { message: `Simulated ${fault.status}` };
      return send(response, fault.status, body, fault.headers, fault.rawBody);
    }
    // The App's own endpoints take its JWT, not an installation token (the simulator checks its shape only).
    if (requestUrl.pathname.startsWith('/app/hook/')) {
      if (options.token && !/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(request.headers.authorization ?? '')) {
        return send(response, 401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS, status: '401' });
      }
      const logged = deliveryLog.handle(method, requestUrl, (status, body, headers) => send(response, status, body, headers));
      if (logged !== null) return logged;
    }
    if (!authorized(request)) {
      return send(response, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    if (method === 'GET' && requestUrl.pathname === '/search/issues') return searchIssues(response, requestUrl);
    const orgAlerts = /^\/orgs\/([^/]+)\/dependabot\/alerts\/?$/.exec(requestUrl.pathname);
    if (method === 'GET' && orgAlerts) return listOrganizationAlerts(request, response, decodeURIComponent(orgAlerts[1]!), requestUrl);
    const single = /^\/repos\/([^/]+)\/([^/]+)\/(issues|dependabot\/alerts)\/(\d+)$/.exec(requestUrl.pathname);
    if (method === 'GET' && single) {
      const repository = repositories.get(`${decodeURIComponent(single[1]!)}/${decodeURIComponent(single[2]!)}`.toLowerCase());
      const item = single[3] === 'issues' ? repository?.findIssue(Number(single[4])) : repository?.findAlert(Number(single[4]));
      return item ? send(response, 200, item) : notFound(response);
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/issues|\/dependabot\/alerts)?\/?$/.exec(requestUrl.pathname);
    if (method !== 'GET' || !match) return notFound(response);
    const repository = repositories.get(
      `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`.toLowerCase(),
    );
    if (!repository) return notFound(response);
    if (match[3] === '/issues') return listIssues(request, response, repository, requestUrl);
    if (match[3] === '/dependabot/alerts') return listAlerts(request, response, repository, requestUrl);
    return send(response, 200, repositoryJson(repository));
  };

  const repositoryJson = (repository: SimulatedRepository) => ({
    id: repository.id,
    node_id: `R_sim${repository.id}`,
    name: repository.name,
    full_name: repository.fullName,
    owner: { login: repository.owner, type: 'User' },
    private: false,
    html_url: `${htmlUrl}/${repository.fullName}`,
    url: `${url}/repos/${repository.fullName}`,
    default_branch: 'main',
    open_issues_count: repository.openIssueCount(),
    has_issues: true,
  });

  const listIssues = (
    request: IncomingMessage,
    response: ServerResponse,
    repository: SimulatedRepository,
    requestUrl: URL,
  ): number => {
    const query = requestUrl.searchParams;
    const state = query.get('state') ?? 'open';
    const sort = query.get('sort') === 'updated' ? 'updated' : 'created';
    const descending = (query.get('direction') ?? 'desc') === 'desc';
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    if (!['open', 'closed', 'all'].includes(state)) {
      return send(response, 422, { message: 'Validation Failed', errors: [{ field: 'state', code: 'invalid' }] });
    }
    const etag = `W/"${createHash('sha1').update(`${repository.version}|${requestUrl.search}`).digest('hex')}"`;
    if (request.headers['if-none-match'] === etag) return send(response, 304, null, { etag });

    let view = repository.view(sort, state);
    let first = 0;
    const since = query.get('since');
    if (since) {
      const sinceSeconds = Math.floor(Date.parse(since) / 1000);
      if (Number.isNaN(sinceSeconds)) return send(response, 422, { message: 'Validation Failed' });
      if (sort === 'updated') first = lowerBound(view, (index) => repository.updatedAt(index) >= sinceSeconds);
      else view = view.filter((index) => repository.updatedAt(index) >= sinceSeconds);
    }
    const total = view.length - first;
    const lastPage = Math.max(1, Math.ceil(total / perPage));
    const items: Record<string, unknown>[] = [];
    for (let k = (page - 1) * perPage; k < Math.min(page * perPage, total); k += 1) {
      const index = descending ? view[view.length - 1 - k]! : view[first + k]!;
      items.push(repository.issueJson(index));
    }
    const link = (target: number) => {
      const next = new URL(requestUrl.pathname, url);
      next.search = requestUrl.search;
      next.searchParams.set('page', String(target));
      return next.href;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < lastPage) links.push(`<${link(page + 1)}>; rel="next"`, `<${link(lastPage)}>; rel="last"`);
    if (page > 1) links.push(`<${link(1)}>; rel="first"`);
    return send(response, 200, items, { etag, ...(links.length ? { link: links.join(', ') } : {}) });
  };

  const listAlerts = (request: IncomingMessage, response: ServerResponse, repository: SimulatedRepository, requestUrl: URL): number => {
    if (repository.dependabot === 'disabled') {
      return send(response, 403, {
        message: 'Dependabot alerts are disabled for this repository.',
        documentation_url: `${DOCS}/dependabot/alerts#list-dependabot-alerts-for-a-repository`,
        status: '403',
      });
    }
    if (repository.dependabot === 'forbidden') {
      return send(response, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: `${DOCS}/dependabot/alerts#list-dependabot-alerts-for-a-repository`,
        status: '403',
      });
    }
    const query = requestUrl.searchParams;
    if (query.has('page')) {
      return send(response, 400, { message: 'Pagination using the `page` parameter is not supported; use `after`.' });
    }
    const etag = `W/"${createHash('sha1').update(`alerts|${repository.version}|${requestUrl.search}`).digest('hex')}"`;
    if (request.headers['if-none-match'] === etag) return send(response, 304, null, { etag });
    const sort = query.get('sort') === 'updated' ? 'updated' : 'created';
    const descending = (query.get('direction') ?? 'desc') === 'desc';
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const states = (query.get('state') ?? '').split(',').filter(Boolean);
    const ordered = repository.alertList(sort, states);
    if (descending) ordered.reverse();
    let start = 0;
    const after = query.get('after');
    if (after) {
      const position = decodeAlertCursor(after);
      if (!position) return send(response, 400, { message: 'Invalid cursor.' });
      const isAfter = (key: number, number: number) =>
        descending
          ? key < position.key || (key === position.key && number < position.number)
          : key > position.key || (key === position.key && number > position.number);
      start = ordered.findIndex((alert) => isAfter(repository.sortKeyOf(alert, sort), alert.number));
      if (start < 0) start = ordered.length;
    }
    const pageAlerts = ordered.slice(start, start + perPage);
    const headers: Record<string, string> = {};
    const last = pageAlerts.at(-1);
    if (last && start + perPage < ordered.length) {
      const next = new URL(requestUrl.pathname, url);
      next.search = requestUrl.search;
      next.searchParams.set('after', encodeAlertCursor(repository.sortKeyOf(last, sort), last.number));
      headers.link = `<${next.href}>; rel="next"`;
    }
    return send(response, 200, pageAlerts.map((alert) => repository.alertJson(alert)), { etag, ...headers });
  };

  const ownedBy = (owner: string) => [...repositories.values()].filter((repository) => repository.owner.toLowerCase() === owner);

  /**
   * `GET /search/issues`: the qualifiers the service sends (`user:`/`org:`, `is:issue` or
   * `type:issue`, `updated:>=` / `updated:>`), newest update first with `sort=updated`. Edits newer
   * than the index lag are not found yet, as on GitHub.
   */
  const searchIssues = (response: ServerResponse, requestUrl: URL): number => {
    const query = requestUrl.searchParams;
    let owner: string | null = null;
    let issuesOnly = false;
    let after = -Infinity;
    for (const term of (query.get('q') ?? '').split(/\s+/).filter(Boolean)) {
      const [qualifier, value = ''] = term.split(/:(.*)/s);
      if (qualifier === 'user' || qualifier === 'org') owner = value.toLowerCase();
      else if ((qualifier === 'is' || qualifier === 'type') && value === 'issue') issuesOnly = true;
      else if (qualifier === 'updated' && /^>=?/.test(value)) {
        const seconds = Math.floor(Date.parse(value.replace(/^>=?/, '')) / 1000);
        if (Number.isNaN(seconds)) return send(response, 422, { message: 'Validation Failed' }, searchRateLimitHeaders());
        after = value.startsWith('>=') ? seconds - 1 : seconds;
      } else return send(response, 422, { message: `The simulator does not know the search term ${term}.` }, searchRateLimitHeaders());
    }
    if (owner === null || !ownedBy(owner).length) {
      return send(response, 422, {
        message: 'Validation Failed',
        errors: [{ message: 'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.', resource: 'Search', field: 'q', code: 'invalid' }],
      }, searchRateLimitHeaders());
    }
    // The index holds what is older than the lag, on the simulator's clock (its items may be dated ahead of real time).
    const indexedUntil = searchLagSeconds > 0 ? clock.now() - searchLagSeconds : Infinity;
    const found: Array<{ repository: SimulatedRepository; index: number; updated: number }> = [];
    for (const repository of ownedBy(owner)) {
      const view = repository.view('updated', 'all');
      for (let k = lowerBound(view, (index) => repository.updatedAt(index) > after); k < view.length; k += 1) {
        const index = view[k]!;
        const updated = repository.updatedAt(index);
        if (updated > indexedUntil) continue;
        if (issuesOnly && 'pull_request' in repository.issueJson(index)) continue;
        found.push({ repository, index, updated });
      }
    }
    found.sort((a, b) => (query.get('order') === 'asc' ? a.updated - b.updated : b.updated - a.updated));
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const items = found.slice((page - 1) * perPage, page * perPage).map(({ repository, index }) => ({
      ...repository.issueJson(index),
      repository_url: `${url}/repos/${repository.fullName}`,
      score: 1,
    }));
    return send(response, 200, { total_count: found.length, incomplete_results: false, items }, searchRateLimitHeaders());
  };

  /**
   * `GET /orgs/{org}/dependabot/alerts`: every alert of the organisation's repositories with the
   * repository it belongs to, sorted as asked, with an ETag (304 when nothing changed). 404 for a
   * user account. Paged with an opaque `after` cursor.
   */
  const listOrganizationAlerts = (request: IncomingMessage, response: ServerResponse, org: string, requestUrl: URL): number => {
    const owner = org.toLowerCase();
    const owned = ownedBy(owner);
    if (userAccounts.has(owner) || owned.length === 0) return notFound(response);
    const query = requestUrl.searchParams;
    const version = owned.map((repository) => `${repository.id}:${repository.version}`).join(',');
    const etag = `W/"${createHash('sha1').update(`org-alerts|${version}|${requestUrl.search}`).digest('hex')}"`;
    if (request.headers['if-none-match'] === etag) return send(response, 304, null, { etag });
    const sort = query.get('sort') === 'updated' ? 'updated' : 'created';
    const descending = (query.get('direction') ?? 'desc') === 'desc';
    const states = (query.get('state') ?? '').split(',').filter(Boolean);
    const all = owned
      .filter((repository) => repository.dependabot === 'enabled')
      .flatMap((repository) => repository.alertList(sort, states).map((alert) => ({ repository, alert })));
    all.sort((a, b) => {
      const order = a.repository.sortKeyOf(a.alert, sort) - b.repository.sortKeyOf(b.alert, sort) || a.repository.id - b.repository.id || a.alert.number - b.alert.number;
      return descending ? -order : order;
    });
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const start = query.has('after') ? Number(Buffer.from(query.get('after')!, 'base64url').toString('utf8')) || 0 : 0;
    const pageAlerts = all.slice(start, start + perPage);
    const headers: Record<string, string> = { etag };
    if (start + perPage < all.length) {
      const next = new URL(requestUrl.pathname, url);
      next.search = requestUrl.search;
      next.searchParams.set('after', Buffer.from(String(start + perPage)).toString('base64url'));
      headers.link = `<${next.href}>; rel="next"`;
    }
    const items = pageAlerts.map(({ repository, alert }) => ({
      ...repository.alertJson(alert),
      repository: { id: repository.id, name: repository.name, full_name: repository.fullName, owner: { login: repository.owner } },
    }));
    return send(response, 200, items, headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).then(
      (status) => requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', status }),
      (error: unknown) => {
        requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', status: 500 });
        if (!response.headersSent) send(response, 500, { message: `Simulator error: ${String(error)}` });
        else response.destroy();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let nextRepositoryId = 1000;

  return {
    url,
    deliveryLog,
    repo(owner, name, setup = {}) {
      const key = `${owner}/${name}`.toLowerCase();
      let repository = repositories.get(key);
      if (!repository) {
        repository = new SimulatedRepository(owner, name, (nextRepositoryId += 1), clock, { api: url, html: htmlUrl });
        repositories.set(key, repository);
      }
      if (typeof setup.issues === 'number') repository.addIssues(setup.issues);
      else for (const seed of setup.issues ?? []) repository.addIssues(1, seed);
      if (setup.pullRequests) repository.addPullRequests(setup.pullRequests);
      if (typeof setup.alerts === 'number') repository.addAlerts(setup.alerts);
      else for (const seed of setup.alerts ?? []) repository.addAlerts(1, seed);
      if (setup.dependabot) repository.dependabot = setup.dependabot;
      return repository;
    },
    fault: (fault) => {
      faults.push({ ...fault });
    },
    onRequest: (next) => {
      hook = next;
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    now: () => new Date(clock.now() * 1000),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setSearchLag: (seconds) => {
      searchLagSeconds = seconds;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** First position in `view` where `test` holds (it holds for a suffix of the view). */
function lowerBound(view: Int32Array, test: (index: number) => boolean): number {
  let low = 0;
  let high = view.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(view[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function encodeAlertCursor(key: number, number: number): string {
  return Buffer.from(`${key}:${number}`).toString('base64url');
}

function decodeAlertCursor(cursor: string): { key: number; number: number } | null {
  const [key, number] = Buffer.from(cursor, 'base64url').toString('utf8').split(':').map(Number);
  return Number.isFinite(key) && Number.isFinite(number) ? { key: key!, number: number! } : null;
}
