import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPoliteHttp, MAX_ATTEMPTS, retryAfterMs, type PoliteHttpOptions } from '../../src/providers/http/polite-http.js';
import { gitLabRateLimitOf } from '../../src/providers/gitlab/gitlab-http.js';
import { failure } from '../support/provider-pages.js';

/** A scripted loopback server: each request takes the next answer; the last one repeats. */
type Answer = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let answers: Answer[];
let seen: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
let sleeps: number[];

const NOW = new Date('2026-06-01T12:00:00Z');
const clock = () => NOW;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
const text =
  (status: number, body: string): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html' });
    response.end(body);
  };
const quota = (remaining: number, resetInSeconds: number) => ({
  'ratelimit-limit': '2000',
  'ratelimit-remaining': String(remaining),
  'ratelimit-reset': String(Math.floor(NOW.getTime() / 1000) + resetInSeconds),
});

beforeEach(async () => {
  answers = [];
  seen = [];
  sleeps = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString() });
      const answer = answers.length > 1 ? answers.shift()! : answers[0];
      if (answer) answer(request, response);
      else json(200, {})(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

function http(options: Partial<PoliteHttpOptions> = {}) {
  return createPoliteHttp({
    provider: 'gitlab',
    label: 'GitLab',
    repo: 'acme/app',
    baseUrl,
    headers: { authorization: 'Bearer secret' },
    rateLimitOf: gitLabRateLimitOf,
    clock,
    random: () => 0.5,
    retryBaseMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

describe('requests', () => {
  it('sends relative paths under the base URL with the query, headers and a JSON body, and parses the answer', async () => {
    answers = [json(201, { id: 1 }, quota(1999, 60))];
    const client = http();

    const response = await client.request('/projects/acme%2Fapp/notes', {
      operation: 'writing a note',
      method: 'POST',
      query: { per_page: 100, skipped: undefined, confidential: false },
      json: { body: 'hi' },
    });

    expect(response).toMatchObject({ status: 201, body: { id: 1 } });
    expect(response.rateLimit).toEqual({ limit: 2000, remaining: 1999, resetAt: new Date(NOW.getTime() + 60_000) });
    expect(client.lastRateLimit()).toEqual(response.rateLimit);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/api/v4/projects/acme%2Fapp/notes?per_page=100&confidential=false',
      body: '{"body":"hi"}',
      headers: { authorization: 'Bearer secret', 'content-type': 'application/json', accept: 'application/json' },
    });
  });

  it('follows an absolute URL as it is (a next link, the GraphQL endpoint)', async () => {
    const client = http();
    await client.request(`${baseUrl.replace('/api/v4', '')}/api/graphql`, { operation: 'querying', method: 'POST', json: {} });
    expect(seen[0]!.path).toBe('/api/graphql');
  });

  it('gives null for an empty body', async () => {
    answers = [(_request, response) => response.writeHead(204).end()];
    expect((await http().request('/x', { operation: 'deleting' })).body).toBeNull();
  });
});

describe('rate limits', () => {
  it('waits for Retry-After in seconds, then sends again', async () => {
    answers = [json(429, { message: 'Retry later' }, { 'retry-after': '3' }), json(200, [1])];
    const client = http();

    const response = await client.request('/x', { operation: 'listing' });

    expect(response.body).toEqual([1]);
    expect(sleeps).toEqual([3000]);
    expect(client.requestCount()).toBe(2);
  });

  it('waits for Retry-After given as an HTTP date', async () => {
    answers = [json(429, {}, { 'retry-after': new Date(NOW.getTime() + 10_000).toUTCString() }), json(200, {})];
    await http().request('/x', { operation: 'listing' });
    expect(sleeps).toEqual([10_000]);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), clock)).toBeNull();
    expect(retryAfterMs(new Headers({ 'retry-after': '-4' }), clock)).toBeNull();
  });

  it('waits for the quota reset when a 429 has no Retry-After', async () => {
    answers = [json(429, {}, quota(0, 25)), json(200, {})];
    await http().request('/x', { operation: 'listing' });
    expect(sleeps).toEqual([25_000]);
  });

  it('treats a 403 with the quota spent as a rate limit, not a refusal', async () => {
    answers = [json(403, { message: 'Forbidden' }, quota(0, 5)), json(200, {})];
    await http().request('/x', { operation: 'listing' });
    expect(sleeps).toEqual([5000]);
  });

  it('does not ask again while the host has said the quota is spent: the next request waits for the reset', async () => {
    answers = [json(200, { n: 1 }, quota(0, 8)), json(200, { n: 2 }, quota(1999, 60))];
    const client = http();

    await client.request('/x', { operation: 'listing' });
    expect(sleeps).toEqual([]);
    await client.request('/y', { operation: 'listing' });

    expect(sleeps).toEqual([8000]);
    expect(seen.map((request) => request.path)).toEqual(['/api/v4/x', '/api/v4/y']);
  });

  it('fails with rate_limited and the reset time, without sending, when the spent quota resets too late', async () => {
    const resetAt = new Date(NOW.getTime() + 3_600_000);
    answers = [json(200, {}, quota(0, 3600))];
    const client = http();
    await client.request('/x', { operation: 'listing' });

    const error = await failure(client.request('/y', { operation: 'listing issues' }));

    expect(error).toMatchObject({ code: 'rate_limited', resetAt });
    expect(error.message).toMatch(/while listing issues; it resets at 2026-06-01T13:00:00.000Z/);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('fails with rate_limited after MAX_ATTEMPTS answers of 429', async () => {
    answers = [json(429, {}, { 'retry-after': '1' })];
    const client = http();
    const error = await failure(client.request('/x', { operation: 'listing' }));
    expect(error.code).toBe('rate_limited');
    expect(client.requestCount()).toBe(MAX_ATTEMPTS);
    expect(sleeps).toEqual(Array(MAX_ATTEMPTS - 1).fill(1000));
  });

  it('stops waiting at once when the caller aborts', async () => {
    answers = [json(429, {}, { 'retry-after': '30' }), json(200, {})];
    const controller = new AbortController();
    const client = http({ sleep: undefined });
    setTimeout(() => controller.abort(new Error('cancelled by a person')), 50);
    const started = Date.now();

    await expect(client.request('/x', { operation: 'listing', signal: controller.signal })).rejects.toThrow('cancelled by a person');

    expect(Date.now() - started).toBeLessThan(5000);
    expect(seen).toHaveLength(1);
  });
});

describe('server errors and network failures', () => {
  it('retries 5xx with full jitter on an exponential backoff, at most MAX_ATTEMPTS times, then fails as server_error', async () => {
    answers = [json(502, { message: 'Bad Gateway' })];
    const client = http({ random: () => 0.5, retryBaseMs: 100 });

    const error = await failure(client.request('/x', { operation: 'listing' }));

    expect(error).toMatchObject({ code: 'server_error', status: 502 });
    expect(client.requestCount()).toBe(MAX_ATTEMPTS);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('never backs off longer than the cap, and jitters down to zero', async () => {
    answers = [json(500, {})];
    await failure(http({ random: () => 1, retryBaseMs: 4000, retryCapMs: 5000 }).request('/x', { operation: 'listing' }));
    expect(sleeps).toEqual([4000, 5000, 5000]);
    sleeps.length = 0;
    await failure(http({ random: () => 0 }).request('/x', { operation: 'listing' }));
    expect(sleeps).toEqual([0, 0, 0]);
  });

  it('recovers after a 5xx and counts both attempts', async () => {
    answers = [json(500, {}), json(200, { ok: true })];
    const client = http();
    expect((await client.request('/x', { operation: 'listing' })).body).toEqual({ ok: true });
    expect(client.requestCount()).toBe(2);
  });

  it('fails a 5xx whose Retry-After is longer than a sync waits, instead of sleeping through it', async () => {
    answers = [json(503, { message: 'maintenance' }, { 'retry-after': '7200' })];
    const client = http();
    const error = await failure(client.request('/x', { operation: 'listing' }));
    expect(error.code).toBe('server_error');
    expect(error.message).toMatch(/2026-06-01T14:00:00.000Z/);
    expect(sleeps).toEqual([]);
    expect(client.requestCount()).toBe(1);
  });

  it('retries a reset connection and then answers', async () => {
    answers = [(request) => request.socket.destroy(), json(200, { ok: true })];
    const client = http();
    expect((await client.request('/x', { operation: 'listing' })).body).toEqual({ ok: true });
    expect(sleeps).toHaveLength(1);
  });

  it('retries a connection dropped in the middle of the body', async () => {
    answers = [
      (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('[{"id":');
        setTimeout(() => request.socket.destroy(), 10);
      },
      json(200, [{ id: 1 }]),
    ];
    const client = http();
    expect((await client.request('/x', { operation: 'listing' })).body).toEqual([{ id: 1 }]);
    expect(client.requestCount()).toBe(2);
  });

  it('says unreachable when every answer is cut off', async () => {
    answers = [
      (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('[');
        setTimeout(() => request.socket.destroy(), 10);
      },
    ];
    const client = http();
    const error = await failure(client.request('/x', { operation: 'listing' }));
    expect(error.code).toBe('unreachable');
    expect(client.requestCount()).toBe(MAX_ATTEMPTS);
  });

  it('says unreachable after MAX_ATTEMPTS when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = http({ baseUrl: `http://127.0.0.1:${port}/api/v4` });
    const error = await failure(client.request('/x', { operation: 'listing issues' }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/could not be reached while listing issues \(ECONNREFUSED\)/);
    expect(client.requestCount()).toBe(MAX_ATTEMPTS);
  });

  it('times out a slow attempt and retries it', async () => {
    answers = [(_request, response) => setTimeout(() => json(200, { late: true })(_request, response), 500), json(200, { ok: true })];
    const client = http({ timeoutMs: 100 });
    expect((await client.request('/x', { operation: 'listing' })).body).toEqual({ ok: true });
    expect(client.requestCount()).toBe(2);
  });
});

describe('refusals and bodies', () => {
  it('maps 401, 403, 404 and 410 to their codes, and other 4xx to bad_response', async () => {
    const cases: [number, string][] = [
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [410, 'gone'],
      [422, 'bad_response'],
    ];
    for (const [status, code] of cases) {
      answers = [json(status, { message: `${status}` })];
      const error = await failure(http().request('/x', { operation: 'listing' }));
      expect({ status: error.status, code: error.code }).toEqual({ status, code });
    }
    expect(sleeps).toEqual([]);
  });

  it("uses the host's own words for a refusal when it has them", async () => {
    answers = [json(401, { message: '401 Unauthorized' })];
    const error = await failure(
      http({ describe: ({ status, operation }) => (status === 401 ? `bad token while ${operation}` : undefined) }).request('/x', { operation: 'listing' }),
    );
    expect(error.message).toBe('bad token while listing');
  });

  it('returns allowed statuses to the caller instead of throwing', async () => {
    answers = [json(404, { message: '404 Not found' })];
    const response = await http().request('/x', { operation: 'reading', allow: [404] });
    expect(response).toMatchObject({ status: 404, body: { message: '404 Not found' } });
  });

  it('calls a successful answer that is not JSON a bad_response, and an HTML refusal by its status', async () => {
    answers = [text(200, '<html>maintenance</html>'), text(404, '<html>not here</html>')];
    const client = http();
    expect((await failure(client.request('/x', { operation: 'listing' }))).code).toBe('bad_response');
    expect((await failure(client.request('/x', { operation: 'listing' }))).code).toBe('not_found');
  });
});

describe('quota shared by the clients of one token', () => {
  it("holds back every client sharing the gates and the token once one is told to wait, and no other token's", async () => {
    const gates = new Map<string, number>();
    const first = http({ quotaGates: gates });
    const second = http({ quotaGates: gates });
    const otherToken = http({ quotaGates: gates, headers: { authorization: 'Bearer another' } });
    answers = [json(429, { message: 'Retry later' }, { 'retry-after': '3' }), json(200, { ok: 1 })];
    await first.request('/projects/1', { operation: 'reading the project' });
    expect(sleeps).toEqual([3000]);

    // The clock has not moved (the sleeps are recorded, not waited): the hold still stands.
    sleeps = [];
    seen = [];
    await second.request('/projects/1', { operation: 'reading the project' });
    expect(sleeps).toEqual([3000]);
    expect(seen).toHaveLength(1);

    sleeps = [];
    await otherToken.request('/projects/1', { operation: 'reading the project' });
    await first.request('/projects/1', { operation: 'reading the project' });
    // The first client waited that hold out already; the other token was never held.
    expect(sleeps).toEqual([]);
  });

  it('holds back a client sharing the gates once another saw the quota spent, until the reset', async () => {
    const gates = new Map<string, number>();
    answers = [json(200, { ok: 1 }, quota(0, 40)), json(200, { ok: 2 })];
    await http({ quotaGates: gates }).request('/projects/1', { operation: 'reading the project' });
    expect(sleeps).toEqual([]);
    await http({ quotaGates: gates }).request('/projects/1', { operation: 'reading the project' });
    expect(sleeps).toEqual([40_000]);
    // Without shared gates, a new client knows nothing of it.
    sleeps = [];
    await http().request('/projects/1', { operation: 'reading the project' });
    expect(sleeps).toEqual([]);
  });
});
