/**
 * A loopback Bitbucket Cloud 2.0 simulator for tests: a node:http server on 127.0.0.1 that serves
 * what the Bitbucket provider reads, with Bitbucket's shapes and paging (`pagelen` default 10, at
 * most 100, `page`, `size`, an absolute `next`):
 *
 *   GET /2.0/repositories/{ws}/{slug}                                   the repository (404 when unknown)
 *   GET /2.0/repositories/{ws}/{slug}/issues                            410 (the tracker was removed)
 *   GET /2.0/repositories/{ws}/{slug}/refs/branches/{name}              the branch and its head commit
 *   GET /2.0/repositories/{ws}/{slug}/commit/{hash}/reports             Code Insights reports of a commit
 *   GET /2.0/repositories/{ws}/{slug}/commit/{hash}/reports/{id}/annotations   by report uuid or external_id
 *
 * Auth: with `apiToken` and/or `accessToken` set, every request must carry `Basic base64(email:token)`
 * or `Bearer <accessToken>`, else 401. A repository's main branch has a settable head commit with its
 * reports; `push()` moves the head, re-creating every report with new uuids (as scanners do per commit),
 * optionally without some findings. `fault()` scripts answers (429 with or without Retry-After, 5xx, …)
 * for the next matching requests; `latencyMs` delays every answer; `requests` logs them all.
 *
 *   const bitbucket = await startBitbucketSimulator({ accessToken: 'tok' });
 *   const repo = bitbucket.repo('acme', 'shop');
 *   repo.securityReport('snyk', 3);
 *   createBitbucketProvider({ repo: 'acme/shop', apiUrl: bitbucket.url, token: 'tok' });
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BitbucketSimulatorOptions {
  /** Accepted as `Authorization: Basic base64(email:token)`. */
  apiToken?: { email: string; token: string };
  /** Accepted as `Authorization: Bearer <token>` (repository, project or workspace access token). */
  accessToken?: string;
  /** Milliseconds every request waits before it is answered; settable later through `latencyMs`. */
  latencyMs?: number;
  /** Largest `pagelen` honoured (Bitbucket: 100); lower it to get many pages from few items. */
  maxPagelen?: number;
  /** When set, answers carry the scaled rate-limit headers (`X-RateLimit-Limit` …) with this limit. */
  scaledRateLimit?: number;
}

export interface FindingSeed {
  /** The tool's id of the finding (stable across commits); absent: the annotation has only a uuid. */
  externalId?: string | null;
  summary?: string;
  details?: string | null;
  severity?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  /** `VULNERABILITY` by default. */
  type?: 'VULNERABILITY' | 'CODE_SMELL' | 'BUG';
  result?: 'PASSED' | 'FAILED' | 'SKIPPED' | 'IGNORED';
  path?: string;
  line?: number;
}

export interface SimulatedAnnotation {
  uuid: string;
  external_id: string | null;
  annotation_type: string;
  summary: string;
  details: string | null;
  severity: string;
  result: string;
  path: string | null;
  line: number | null;
  link: string | null;
  created_on: string;
  updated_on: string;
}

export interface SimulatedReport {
  uuid: string;
  external_id: string | null;
  title: string;
  report_type: string;
  reporter: string;
  result: string;
  created_on: string;
  updated_on: string;
  annotations: SimulatedAnnotation[];
}

export interface SimulatedCommit {
  hash: string;
  date: Date;
  reports: SimulatedReport[];
}

/** A scripted answer for the next request(s) matching `method` and `path`. */
export interface BitbucketFault {
  /** Status to answer; ignored when `reset` is set. */
  status: number;
  /**
   * Cut the connection instead of answering: `before-headers` destroys the socket before a byte of
   * the answer is sent; `mid-body` sends the real answer's status, headers and half its body, then
   * destroys the socket (logged with status 0).
   */
  reset?: 'before-headers' | 'mid-body';
  headers?: Record<string, string>;
  /** JSON body (default Bitbucket's `{type: 'error', error: {message}}`). */
  body?: unknown;
  method?: string;
  /** A string matches the path after `/2.0` exactly (no query); a RegExp is tested against path + query. */
  path?: string | RegExp;
  /** How many matching requests get this answer (default 1). */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  /** After `/2.0`, with the query. */
  path: string;
  status: number;
  authorization: string | null;
}

let clockMs = Date.parse('2026-09-01T00:00:00Z');
/** A strictly increasing instant, so every new report is newer than everything before it. */
function tick(): Date {
  clockMs += 60_000;
  return new Date(clockMs);
}

export class SimulatedBitbucketRepository {
  readonly uuid = `{${randomUUID()}}`;
  private: boolean;
  mainBranch: string | null;
  readonly commits = new Map<string, SimulatedCommit>();
  head: SimulatedCommit | null = null;
  private sequence = 0;

  constructor(
    readonly workspace: string,
    readonly slug: string,
    options: { mainBranch?: string | null; private?: boolean },
  ) {
    this.mainBranch = options.mainBranch === undefined ? 'main' : options.mainBranch;
    this.private = options.private ?? true;
    if (this.mainBranch) this.commit();
  }

  get fullName(): string {
    return `${this.workspace}/${this.slug}`;
  }

  get htmlUrl(): string {
    return `https://bitbucket.org/${this.fullName}`;
  }

  /** A new head commit with no reports. */
  commit(date: Date = tick()): SimulatedCommit {
    this.sequence += 1;
    const hash = `${this.sequence.toString(16).padStart(8, '0')}${randomUUID().replaceAll('-', '')}`.slice(0, 40);
    const commit: SimulatedCommit = { hash, date, reports: [] };
    this.commits.set(hash, commit);
    this.head = commit;
    return commit;
  }

  /**
   * A SECURITY report (or another type) on the head commit with these findings (a number: that many
   * generated VULNERABILITY findings `<externalId>-f<n>`). Returns the report.
   */
  securityReport(
    externalId: string | null,
    findings: number | FindingSeed[],
    options: { type?: string; title?: string } = {},
  ): SimulatedReport {
    const head = this.head ?? this.commit();
    const at = tick().toISOString();
    const seeds: FindingSeed[] =
      typeof findings === 'number'
        ? Array.from({ length: findings }, (_, i) => ({ externalId: `${externalId ?? 'finding'}-f${i + 1}`, severity: 'HIGH' as const }))
        : findings;
    const report: SimulatedReport = {
      uuid: `{${randomUUID()}}`,
      external_id: externalId,
      title: options.title ?? `${externalId ?? 'Security'} scan`,
      report_type: options.type ?? 'SECURITY',
      reporter: 'scanner',
      result: 'FAILED',
      created_on: at,
      updated_on: at,
      annotations: seeds.map((seed, i) => annotationOf(seed, i, at)),
    };
    head.reports.push(report);
    return report;
  }

  /**
   * Moves the main branch to a new commit whose reports are re-created from the old head's (new
   * uuids, new dates, same external ids), without the findings whose external ids are in `drop`.
   */
  push(options: { drop?: readonly string[]; date?: Date } = {}): SimulatedCommit {
    const previous = this.head;
    const commit = this.commit(options.date ?? tick());
    const at = tick().toISOString();
    for (const report of previous?.reports ?? []) {
      commit.reports.push({
        ...report,
        uuid: `{${randomUUID()}}`,
        created_on: at,
        updated_on: at,
        annotations: report.annotations
          .filter((annotation) => !annotation.external_id || !options.drop?.includes(annotation.external_id))
          .map((annotation) => ({ ...annotation, uuid: `{${randomUUID()}}`, created_on: at, updated_on: at })),
      });
    }
    return commit;
  }

  /** Every VULNERABILITY annotation on SECURITY reports of the head. */
  findings(): { report: SimulatedReport; annotation: SimulatedAnnotation }[] {
    return (this.head?.reports ?? [])
      .filter((report) => report.report_type === 'SECURITY')
      .flatMap((report) =>
        report.annotations.filter((annotation) => annotation.annotation_type === 'VULNERABILITY').map((annotation) => ({ report, annotation })),
      );
  }
}

function annotationOf(seed: FindingSeed, index: number, at: string): SimulatedAnnotation {
  return {
    uuid: `{${randomUUID()}}`,
    external_id: seed.externalId === undefined ? `finding-${index + 1}` : seed.externalId,
    annotation_type: seed.type ?? 'VULNERABILITY',
    summary: seed.summary ?? `Vulnerable dependency ${index + 1}`,
    details: seed.details === undefined ? `Upgrade the dependency to fix finding ${index + 1}.` : seed.details,
    severity: seed.severity ?? 'HIGH',
    result: seed.result ?? 'FAILED',
    path: seed.path ?? 'package-lock.json',
    line: seed.line ?? index + 1,
    link: null,
    created_on: at,
    updated_on: at,
  };
}

export interface BitbucketSimulator {
  /** The API base, `http://127.0.0.1:<port>/2.0`. */
  url: string;
  latencyMs: number;
  readonly requests: LoggedRequest[];
  repo(workspace: string, slug: string, options?: { mainBranch?: string | null; private?: boolean }): SimulatedBitbucketRepository;
  fault(fault: BitbucketFault): void;
  /** Called before each request is answered (faults included), e.g. to script faults request by request. */
  onRequest(hook: BitbucketRequestHook | null): void;
  close(): Promise<void>;
}

export type BitbucketRequestHook = (request: { method: string; url: URL }) => void | Promise<void>;

export const bitbucketFaults = {
  /** Bitbucket's 429 does not document Retry-After: without `seconds` none is sent. */
  tooManyRequests: (seconds?: number): BitbucketFault => ({
    status: 429,
    ...(seconds !== undefined ? { headers: { 'retry-after': String(seconds) } } : {}),
    body: { type: 'error', error: { message: 'Rate limit for this resource has been exceeded' } },
  }),
  serverError: (status = 503): BitbucketFault => ({ status, body: { type: 'error', error: { message: 'Service unavailable' } } }),
  /** The connection dies: before the answer, or halfway through its body (see `BitbucketFault.reset`). */
  connectionReset: (when: 'before-headers' | 'mid-body' = 'before-headers'): BitbucketFault => ({ status: 0, reset: when }),
};

const PREFIX = '/2.0';

export async function startBitbucketSimulator(options: BitbucketSimulatorOptions = {}): Promise<BitbucketSimulator> {
  const repositories = new Map<string, SimulatedBitbucketRepository>();
  const faults: (BitbucketFault & { left: number })[] = [];
  const requests: LoggedRequest[] = [];
  const maxPagelen = options.maxPagelen ?? 100;
  const accepted = new Set<string>();
  if (options.apiToken) {
    accepted.add(`Basic ${Buffer.from(`${options.apiToken.email}:${options.apiToken.token}`).toString('base64')}`);
  }
  if (options.accessToken) accepted.add(`Bearer ${options.accessToken}`);
  let base = '';
  let hook: BitbucketRequestHook | null = null;

  const simulator: BitbucketSimulator = {
    url: '',
    latencyMs: options.latencyMs ?? 0,
    requests,
    repo(workspace, slug, repoOptions = {}) {
      const repository = new SimulatedBitbucketRepository(workspace, slug, repoOptions);
      repositories.set(repository.fullName.toLowerCase(), repository);
      return repository;
    },
    fault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    onRequest(next) {
      hook = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      send(response, 500, { type: 'error', error: { message: String(error) } });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const authorization = request.headers.authorization ?? null;
    let cutMidBody = false;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: request.method ?? 'GET', path: `${path}${url.search}`, status: cutMidBody ? 0 : status, authorization });
      if (cutMidBody) sendHalf(response, status, body, { ...rateLimitHeaders(), ...headers });
      else send(response, status, body, { ...rateLimitHeaders(), ...headers });
    };
    if (simulator.latencyMs > 0) await sleep(simulator.latencyMs);
    await hook?.({ method: request.method ?? 'GET', url });

    const fault = faults.find(
      (candidate) =>
        candidate.left > 0 &&
        (!candidate.method || candidate.method === request.method) &&
        (candidate.path === undefined ||
          (typeof candidate.path === 'string' ? candidate.path === path : candidate.path.test(`${path}${url.search}`))),
    );
    if (fault?.reset === 'before-headers') {
      fault.left -= 1;
      requests.push({ method: request.method ?? 'GET', path: `${path}${url.search}`, status: 0, authorization });
      request.socket.destroy();
      return;
    }
    if (fault?.reset === 'mid-body') {
      fault.left -= 1;
      cutMidBody = true;
    } else if (fault) {
      fault.left -= 1;
      return answer(fault.status, fault.body ?? { type: 'error', error: { message: `HTTP ${fault.status}` } }, fault.headers);
    }
    if (accepted.size > 0 && (!authorization || !accepted.has(authorization))) {
      return answer(401, { type: 'error', error: { message: 'Access token expired or invalid.' } });
    }
    if (request.method !== 'GET') return answer(405, { type: 'error', error: { message: 'Method not allowed' } });

    const match = /^\/repositories\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return answer(404, { type: 'error', error: { message: 'Resource not found' } });
    const [, workspace, slug, rest = ''] = match;
    const repository = repositories.get(`${decodeURIComponent(workspace!)}/${decodeURIComponent(slug!)}`.toLowerCase());
    if (!repository) {
      return answer(404, { type: 'error', error: { message: `Repository ${decodeURIComponent(workspace!)}/${decodeURIComponent(slug!)} not found` } });
    }
    if (rest === '' || rest === '/') return answer(200, repositoryJson(repository));
    // Removed for every repository on 2026-08-20; the provider does not ask, a test may check it did not.
    if (rest === '/issues') return answer(410, { type: 'error', error: { message: 'The issue tracker has been removed from Bitbucket Cloud.' } });
    const branch = /^\/refs\/branches\/(.+)$/.exec(rest);
    if (branch) {
      const name = decodeURIComponent(branch[1]!);
      if (name !== repository.mainBranch || !repository.head) return answer(404, { type: 'error', error: { message: `Branch "${name}" not found` } });
      return answer(200, {
        type: 'branch',
        name,
        target: { type: 'commit', hash: repository.head.hash, date: repository.head.date.toISOString() },
      });
    }
    const reports = /^\/commit\/([^/]+)\/reports(?:\/([^/]+)\/annotations)?$/.exec(rest);
    if (reports) {
      const commit = repository.commits.get(decodeURIComponent(reports[1]!));
      if (!commit) return answer(404, { type: 'error', error: { message: 'Commit not found' } });
      if (reports[2] === undefined) {
        return answer(200, pageOf(url, commit.reports.map(({ annotations: _annotations, ...report }) => report)));
      }
      const id = decodeURIComponent(reports[2]);
      const report = commit.reports.find((candidate) => candidate.uuid === id || candidate.external_id === id);
      if (!report) return answer(404, { type: 'error', error: { message: 'Report not found' } });
      return answer(200, pageOf(url, report.annotations));
    }
    return answer(404, { type: 'error', error: { message: 'Resource not found' } });
  }

  function pageOf(url: URL, values: readonly unknown[]) {
    const asked = Number(url.searchParams.get('pagelen') ?? 10);
    const pagelen = Math.max(1, Math.min(maxPagelen, Number.isFinite(asked) ? asked : 10));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const start = (page - 1) * pagelen;
    const body: Record<string, unknown> = { pagelen, page, size: values.length, values: values.slice(start, start + pagelen) };
    if (start + pagelen < values.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('pagelen', String(pagelen));
      body.next = next.toString();
    }
    return body;
  }

  function rateLimitHeaders(): Record<string, string> {
    if (options.scaledRateLimit === undefined) return {};
    return {
      'x-ratelimit-limit': String(options.scaledRateLimit),
      'x-ratelimit-resource': 'api-repo',
      'x-ratelimit-nearlimit': 'false',
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  simulator.url = `${base}${PREFIX}`;
  return simulator;
}

function repositoryJson(repository: SimulatedBitbucketRepository) {
  return {
    type: 'repository',
    uuid: repository.uuid,
    full_name: repository.fullName,
    name: repository.slug,
    is_private: repository.private,
    links: { html: { href: repository.htmlUrl } },
    mainbranch: repository.mainBranch ? { type: 'branch', name: repository.mainBranch } : null,
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** The status, headers and first half of the body, then the connection is destroyed. */
function sendHalf(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy());
}

/** A `repo:push` payload as Bitbucket sends it, for the branch moved to `hash` (fields the handler reads and a few around them). */
export function bitbucketPushPayload(
  repository: SimulatedBitbucketRepository,
  change: { branch: string; hash: string; type?: 'branch' | 'tag' },
): Record<string, unknown> {
  return {
    actor: { type: 'user', display_name: 'Ada', uuid: '{4a1b2c3d-0000-4000-8000-000000000001}' },
    repository: {
      type: 'repository',
      full_name: repository.fullName,
      name: repository.slug,
      uuid: repository.uuid,
      links: { html: { href: repository.htmlUrl } },
    },
    push: {
      changes: [
        {
          new: { type: change.type ?? 'branch', name: change.branch, target: { type: 'commit', hash: change.hash } },
          old: { type: change.type ?? 'branch', name: change.branch, target: { type: 'commit', hash: '0'.repeat(40) } },
          created: false,
          closed: false,
          forced: false,
        },
      ],
    },
  };
}
