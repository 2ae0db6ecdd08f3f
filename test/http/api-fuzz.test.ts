/**
 * Malformed requests against every API route: random JSON values, near-valid bodies with one field
 * wrong, text that is not JSON, oversized bodies, garbled ids and Authorization headers, wrong
 * content types and methods. Each request is broken in one way, so each must get a 4xx JSON answer;
 * afterwards the server still answers and nothing was written. The generator is seeded (FUZZ_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, GITHUB_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { seededRandom, type SeededRandom } from '../support/seeded-random.js';

const CASES = 400;
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

let github: GitHubSimulator;
let database: TestDatabase;
let api: ApiHarness;
let tokens: { admin: string; member: string; viewer: string };

beforeAll(async () => {
  [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  api = startApiHarness(database, github);
  const project = await api.project('fuzz');
  tokens = {
    admin: await api.user(project.id, 'admin'),
    member: await api.user(project.id, 'member'),
    viewer: await api.user(project.id, 'viewer'),
  };
  github.repo('octo', 'fuzz', { issues: 5 });
  const repositoryId = await api.connect(project.id, 'octo/fuzz', { webhookStatus: 'active' });
  await database.db.prisma.issue.create({ data: { projectId: project.id, repositoryId, title: 'Existing' } });
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  await database?.drop();
});

type Random = SeededRandom;

const uuid = (r: Random) =>
  [8, 4, 4, 4, 12].map((length) => Array.from({ length }, () => '0123456789abcdef'[r.int(16)]).join('')).join('-');

const BAD_IDS = [
  'not-a-uuid', '12345', '00000000-0000-0000-0000-000000000000', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '%00', '%E0%A4%A',
  '..%2F..', encodeURIComponent('\'; DROP TABLE "Issue"; --'), 'x'.repeat(5000), '%F0%9F%92%A9', '%20', '-1', 'null',
  'undefined', '[object Object]', '7D1F3A52-2C4E-4C62-9A57-4D1C8A6E0B11', '7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b1', '%25',
];

function badId(r: Random): string {
  return r.next() < 0.8 ? r.pick(BAD_IDS) : encodeLoosely(randomString(r, 1 + r.int(40)));
}

/** encodeURIComponent, but a lone surrogate becomes its (invalid) UTF-8 bytes instead of an exception. */
function encodeLoosely(value: string): string {
  return Array.from(value, (char) => (/[\ud800-\udfff]/.test(char) ? '%ED%A0%80' : encodeURIComponent(char))).join('');
}

function randomString(r: Random, length: number): string {
  const alphabets = ['abcXYZ019', ' \t\n"\\\'{}[]<>&%$#', 'äöü€中文🙂', '\u0000\u0001\u001f\u007f\u2028\ud800'];
  return Array.from({ length }, () => {
    const alphabet = r.pick(alphabets);
    return Array.from(alphabet)[r.int(Array.from(alphabet).length)];
  }).join('');
}

function randomJson(r: Random, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 5 : 8);
  switch (kind) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, 42]);
    case 3: return randomString(r, r.int(30));
    case 4: return r.pick(['', 'issues', 'all', 'true', 'x'.repeat(10_000)]);
    case 5: return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = 0, keys = 1 + r.int(4); i < keys; i += 1) object[randomString(r, 1 + r.int(12))] = randomJson(r, depth + 1);
      return object;
    }
  }
}

const WRONG_VALUES = [null, 'yes', 1, -1, 0, {}, [], ['x'], 'x'.repeat(3000), true, '\u0000', 'nope'];

interface Route {
  method: string;
  path(ids: { project: string; other: string }, r: Random): string;
  /** A body this route accepts, before one field is broken; absent: the route reads no body. */
  valid?(r: Random): Record<string, unknown>;
  /** The route reads the query (only the issue listing). */
  query?: boolean;
}

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/api/projects' },
  {
    method: 'POST',
    path: ({ project, other }) => `/api/projects/${project}/repositories/${other}/sync`,
    valid: () => ({ syncType: 'issues', includeClosed: false, confirm: true, mode: 'async' }),
  },
  { method: 'GET', path: ({ other }) => `/api/sync-operations/${other}` },
  { method: 'POST', path: ({ other }) => `/api/sync-operations/${other}/cancel` },
  { method: 'GET', path: ({ project }) => `/api/projects/${project}/repositories` },
  {
    method: 'POST',
    path: ({ project }) => `/api/projects/${project}/repositories`,
    valid: () => ({ provider: 'gitlab', repo: 'group/project', token: 'glpat-x', apiUrl: 'http://127.0.0.1:9' }),
  },
  { method: 'GET', path: ({ project }) => `/api/projects/${project}/issues`, query: true },
  {
    method: 'POST',
    path: ({ project, other }) => `/api/projects/${project}/issues/${other}/link`,
    valid: (r) => (r.next() < 0.5 ? { repositoryId: uuid(r), externalIssueId: '1' } : { url: 'https://github.com/octo/fuzz/issues/1' }),
  },
  { method: 'DELETE', path: ({ project, other }) => `/api/projects/${project}/issues/${other}/link` },
  {
    method: 'POST',
    path: () => '/api/admin/backfill',
    valid: (r) => ({ repositoryIds: [uuid(r)], staleOnly: true, syncType: 'all' }),
  },
];

const GARBLED_AUTH = [
  null, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer', 'Bearer  ', 'Token isk_x', 'Bearer isk_', 'Bearer null',
  'Bearer undefined', `Bearer ${'a'.repeat(20_000)}`, 'Bearer a b c', `Bearer ${ADMIN_TOKEN.slice(1)}`, 'Digest x', '*',
];
const WRONG_TYPES = [
  null, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml',
  'json', 'application/jsonp', 'text/json', 'application/octet-stream', 'application/json-patch', 'image/png',
];
const NOT_JSON = ['{', '[1,', 'undefined', "{'syncType':'all'}", '{"a":1}}', 'NaN', '\u0000', '{"syncType":"all",}', '["unclosed'];
const BAD_QUERIES = [
  '?kind=bug', '?state=all', '?limit=0', '?limit=1000', '?limit=-5', '?limit=1.5', '?repository=12', '?cursor=garbage',
  `?q=${'x'.repeat(5000)}`, '?q=%00', '?status=open', '?cursor=', '?q=', `?cursor=${Buffer.from('x|y').toString('base64url')}`,
  `?cursor=${Buffer.from('-200000-01-01T00:00:00Z|7d1f3a52-2c4e-4c62-9a57-4d1c8a6e0b11').toString('base64url')}`,
];

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function printableHeader(value: string): string {
  return Array.from(value).filter((char) => char >= ' ' && char <= '~').join('');
}

function makeCase(r: Random): Case {
  const route = r.pick(ROUTES);
  const writes = route.method !== 'GET';
  const flaws = ['auth', 'ids'];
  if (route.valid) flaws.push('body', 'body', 'body', 'content-type');
  if (route.query) flaws.push('query', 'query');
  if (!route.path({ project: '§', other: '§' }, r).includes('§')) flaws.splice(flaws.indexOf('ids'), 1);
  flaws.push('method');
  const flaw = r.pick(flaws);

  let authorization: string | null = `Bearer ${r.pick([ADMIN_TOKEN, tokens.admin, tokens.member])}`;
  let project = 'fuzz';
  let other = uuid(r);
  let method = route.method;
  let query = '';
  let contentType: string | null = 'application/json';
  let body = route.valid ? JSON.stringify(route.valid(r)) : undefined;

  switch (flaw) {
    case 'auth': {
      const value = r.next() < 0.15 && writes ? `Bearer ${tokens.viewer}` : r.pick(GARBLED_AUTH);
      authorization = value === null ? null : printableHeader(value);
      break;
    }
    case 'ids':
    {
      // Routes with only a project in the path always get a bad one; the others one or both.
      const hasOther = route.path({ project: 'p', other: '§' }, r).includes('§');
      if (!hasOther || r.next() < 0.5) project = badId(r);
      if (hasOther) other = badId(r);
      break;
    }
    case 'query':
      query = r.pick(BAD_QUERIES);
      break;
    case 'content-type':
      contentType = r.next() < 0.8 ? r.pick(WRONG_TYPES) : printableHeader(randomString(r, 12));
      if (contentType !== null && /json/i.test(contentType) && !/jsonp|json-patch/.test(contentType) && contentType !== 'json') contentType = 'text/plain';
      break;
    case 'method':
      method = r.pick(['PUT', 'PATCH']);
      break;
    default: {
      const shape = r.int(5);
      if (shape === 0) {
        body = JSON.stringify(randomJson(r));
        if (body === '{}' || body === undefined) body = '[]';
      } else if (shape === 1) {
        const broken = { ...route.valid!(r) };
        broken[r.pick(Object.keys(broken))] = r.pick(WRONG_VALUES);
        body = JSON.stringify(broken);
      } else if (shape === 2) {
        body = r.pick(NOT_JSON);
      } else if (shape === 3) {
        body = JSON.stringify({ ...route.valid!(r), [randomString(r, 6)]: 'extra' });
      } else {
        body = JSON.stringify({ ...route.valid!(r), padding: 'x'.repeat(1_100_000) });
      }
    }
  }
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  if (body !== undefined && contentType !== null) headers['content-type'] = contentType;
  return { method, path: route.path({ project, other }, r) + query, headers, ...(body === undefined ? {} : { body }) };
}

async function counts() {
  const { prisma } = database.db;
  return {
    issues: await prisma.issue.count(),
    operations: await prisma.syncOperation.count(),
    repositories: await prisma.repositoryConnection.count(),
    projects: await prisma.project.count(),
    users: await prisma.user.count(),
    linked: await prisma.issue.count({ where: { externalId: { not: null } } }),
  };
}

describe('API fuzz', () => {
  it(`answers ${CASES} malformed requests with 4xx JSON, stays up and writes nothing`, async () => {
    const before = await counts();
    const r = seededRandom(SEED);
    const statuses = new Map<number, number>();
    for (let index = 0; index < CASES; index += 1) {
      const request = makeCase(r);
      const response = await api.app.request(request.path, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const text = await response.text();
      const where = `case ${index} (seed ${SEED}): ${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers).slice(0, 200)} ${String(request.body).slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
      expect(response.status, where).toBeGreaterThanOrEqual(400);
      expect(response.status, where).toBeLessThan(500);
      expect(response.headers.get('content-type'), where).toContain('application/json');
      const answer = JSON.parse(text);
      expect(answer, where).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
    console.log(`inputs tried: ${CASES}, 5xx: ${serverErrors} (API routes; seed ${SEED})`);
    // The generator reaches every kind of refusal.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 403, 404, 413, 415]));

    expect((await api.app.request('/healthz')).status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('refuses a token with a space, a line break or a control character before it reaches the host, without repeating it', async () => {
    const before = await counts();
    for (const token of ['glpat-secret\nx', 'glpat secret', 'glpat-\u0007secret', 'Bearer glpat-secret']) {
      const answer = await api.request('POST', '/api/projects/fuzz/repositories', {
        token: ADMIN_TOKEN,
        json: { provider: 'gitlab', repo: 'group/project', token, apiUrl: 'http://127.0.0.1:9' },
      });
      expect(answer.status, JSON.stringify(token)).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_body', message: expect.stringContaining('token must be the token alone') });
      expect(JSON.stringify(answer.body)).not.toContain('secret');
    }
    expect(await counts()).toEqual(before);
  });
});
