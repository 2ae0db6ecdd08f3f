/**
 * Malformed inputs where test/http/api-fuzz.test.ts (the API routes) does not reach: the three
 * webhook routes and the dashboard's forms and pages of the real service listening on a port, and
 * every CLI command's arguments. Generated from a seed (RELIABILITY_SEED), each input broken in one
 * way: wrong types, huge strings, bad JSON, unknown fields, bad ids, unicode and control
 * characters, missing or garbled headers and signatures.
 *
 * - Refused webhook deliveries and API requests: 4xx JSON `{error, message}`; nothing stored, not
 *   even the delivery.
 * - Validly signed deliveries that make no sense: never refused for their shape (the hosts would
 *   count a failure no redelivery fixes), so 2xx or 4xx JSON, and no issue, operation or connection
 *   written. None of them names a connected repository.
 * - Dashboard forms: a 4xx page with a message (the no-script landing page is 200 by design);
 *   dashboard pages: never 5xx. Never a stack trace.
 * - CLI: exit 2 and one line on stderr, nothing on stdout, before any database work.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from '../../src/store/create-stores.js';
import { sign, startGitHubAppServer, WEBHOOK_SECRET, type GitHubAppServer } from '../support/github-app-server.js';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { issuesEvent } from '../support/webhook-payloads.js';
import { reliabilitySeed, seededRandom, type SeededRandom } from '../support/seeded-random.js';

const SEED = reliabilitySeed(20261202);
/** What a stack trace leaves in a text: `    at fn (file.ts:12:3)`, a node_modules path, a file position. */
const STACK_TRACE = /\n\s+at |node_modules\/|\.[cm]?[jt]s:\d+:\d+/;
const GITLAB_SECRET = 'gl-malformed-secret-0123';
const BITBUCKET_SECRET = 'bb-malformed-secret-0123';
const ADMIN_TOKEN = 'admin-token-malformed-0123456789';

let server: GitHubAppServer;
let userToken: string;
const tried = { webhooks: 0, dashboard: 0, cli: 0 };
let serverErrors = 0;

beforeAll(async () => {
  server = await startGitHubAppServer({
    env: { GITLAB_WEBHOOK_SECRET: GITLAB_SECRET, BITBUCKET_WEBHOOK_SECRET: BITBUCKET_SECRET, ADMIN_TOKEN },
  });
  const stores = createStores(server.database.db);
  const project = await stores.projects.ensure('malformed');
  userToken = (await stores.projects.addUser(project.id, 'ada', 'admin')).token;
}, 60_000);

afterAll(async () => {
  const total = tried.webhooks + tried.dashboard + tried.cli;
  console.log(
    `inputs tried: ${total}, 5xx: ${serverErrors} (webhooks ${tried.webhooks}, dashboard ${tried.dashboard}, CLI arguments ${tried.cli}; seed ${SEED})`,
  );
  await server?.close();
});

/** Rows that no malformed input may add. */
async function counts() {
  const { prisma } = server.database.db;
  return {
    issues: await prisma.issue.count(),
    operations: await prisma.syncOperation.count(),
    repositories: await prisma.repositoryConnection.count(),
    projects: await prisma.project.count(),
    users: await prisma.user.count(),
    tokens: await prisma.apiToken.count(),
    installations: await prisma.installation.count(),
  };
}

const deliveries = () => server.database.db.prisma.webhookDelivery.count();

// ---- generators ----------------------------------------------------------------------------------

const UNICODE = ['äöü€', '中文', '🙂💥', '\u202e\u2066', 'Ω≈ç√', '\u0000', '\u2028', 'ｆｕｌｌ'];
const HUGE = () => 'x'.repeat(100_000);

function randomText(r: SeededRandom, length: number): string {
  const alphabet = Array.from('abcXYZ019 \t\n"\\\'{}[]<>&%$#äöü€中文🙂\u0000\u0001\u001f\u007f\u2028');
  return Array.from({ length }, () => r.pick(alphabet)).join('');
}

function randomJson(r: SeededRandom, depth = 0): unknown {
  switch (r.int(depth > 2 ? 5 : 7)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, -99999]);
    case 3: return randomText(r, r.int(40));
    case 4: return r.pick(['', 'opened', 'issues', HUGE().slice(0, 5000), ...UNICODE]);
    case 5: return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let k = r.between(1, 4); k > 0; k -= 1) object[randomText(r, r.between(1, 10))] = randomJson(r, depth + 1);
      return object;
    }
  }
}

/** A printable header value (fetch refuses control and non-Latin-1 characters). */
function printable(value: string): string {
  return Array.from(value).filter((char) => char >= ' ' && char <= '~').join('');
}

const NOT_JSON = ['{', '[1,', 'undefined', "{'a':1}", '{"a":1}}', 'NaN', '\u0000', '{"a":1,}', '<xml/>', 'action=opened'];
const NOT_OBJECTS = ['[]', '[1,2]', '42', '"text"', 'null', 'true'];

/** A GitHub issues event for a repository nobody installed the App on. */
function strangerIssuesEvent(r: SeededRandom): Record<string, unknown> {
  return issuesEvent('opened', { id: 990_000 + r.int(1000), fullName: `stranger/repo-${r.int(1000)}` }, { number: r.between(1, 500), title: 'Hello' });
}

/** Breaks a payload in one place: a field of the wrong type, a huge or unicode value, or a field too many. */
function mutate(r: SeededRandom, payload: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(payload);
  const keys = Object.keys(copy);
  const target = r.next() < 0.5 && typeof copy.issue === 'object' && copy.issue !== null ? (copy.issue as Record<string, unknown>) : copy;
  const key = r.next() < 0.8 ? r.pick(Object.keys(target).length ? Object.keys(target) : keys) : randomText(r, 6);
  target[key] = r.pick<unknown>([null, 'x', -1, 1.5, {}, [], ['x'], HUGE(), true, r.pick(UNICODE), randomJson(r)]);
  return copy;
}

interface WebhookCase {
  route: 'github' | 'gitlab' | 'bitbucket';
  /** refused: must be 4xx and store nothing; signed: a valid signature over nonsense, 2xx or 4xx. */
  expect: 'refused' | 'signed';
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  what: string;
}

function githubCase(r: SeededRandom): WebhookCase {
  const payload = strangerIssuesEvent(r);
  let body: string | Buffer = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'issues',
    'x-github-delivery': randomUUID(),
  };
  let signature: string | null = null;
  let expectation: WebhookCase['expect'] = 'refused';
  const flaw = r.pick([
    'no signature', 'garbled signature', 'wrong secret', 'other body', 'sha1', 'upper-case hex', 'no delivery id', 'bad delivery id',
    'no event', 'bad event', 'form content type', 'empty body', 'not json', 'not an object', 'bad utf-8', 'method',
    'signed mutation', 'signed mutation', 'signed random object', 'signed other event', 'signed unusable installation',
  ]);
  switch (flaw) {
    case 'no signature': break;
    case 'garbled signature': signature = printable(r.pick(['', 'sha256=', 'sha256=zz', `sha256=${'0'.repeat(64)}`, randomText(r, 30), 'sha256 = x'])); break;
    case 'wrong secret': signature = sign(body, 'not-the-secret'); break;
    case 'other body': signature = sign(`${body} `); break;
    case 'sha1': signature = `sha1=${createHmac('sha1', WEBHOOK_SECRET).update(body).digest('hex')}`; break;
    case 'upper-case hex': signature = sign(body).toUpperCase(); break;
    case 'no delivery id': delete headers['x-github-delivery']; signature = sign(body); break;
    case 'bad delivery id': headers['x-github-delivery'] = printable(r.pick(['has space', 'x'.repeat(101), '../..', 'a;b', '%00', '{}'])); signature = sign(body); break;
    case 'no event': delete headers['x-github-event']; signature = sign(body); break;
    case 'bad event': headers['x-github-event'] = r.pick(['Issues', 'issues!', 'x'.repeat(101), 'is sues', '1', '']); signature = sign(body); break;
    case 'form content type': headers['content-type'] = 'application/x-www-form-urlencoded'; body = `payload=${encodeURIComponent(body)}`; signature = sign(body); break;
    case 'empty body': body = ''; signature = sign(''); break;
    case 'not json': body = r.pick(NOT_JSON); signature = sign(body); break;
    case 'not an object': body = r.pick(NOT_OBJECTS); signature = sign(body); break;
    case 'bad utf-8': body = Buffer.from([0x7b, 0x22, 0xe0, 0xa4, 0x22, 0x3a, 0xff, 0x7d]); signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`; break;
    case 'method': return { route: 'github', expect: 'refused', method: r.pick(['GET', 'PUT', 'DELETE', 'PATCH']), headers: {}, what: flaw };
    case 'signed mutation': body = JSON.stringify(mutate(r, payload)); signature = sign(body); expectation = 'signed'; break;
    case 'signed random object': body = JSON.stringify({ ...(randomJson(r, 1) as object), action: randomJson(r, 2) }); signature = sign(body); expectation = 'signed'; break;
    case 'signed other event':
      headers['x-github-event'] = r.pick(['issue_comment', 'dependabot_alert', 'ping', 'push', 'star', 'repository', 'label']);
      body = JSON.stringify(mutate(r, payload));
      signature = sign(body);
      expectation = 'signed';
      break;
    case 'signed unusable installation':
      body = JSON.stringify({ ...payload, installation: { id: r.pick(['abc', -1, 1.5, 'x'.repeat(300), {}]) } });
      signature = sign(body);
      expectation = 'signed';
      break;
  }
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return { route: 'github', expect: expectation, method: 'POST', headers, body, what: flaw };
}

/** A GitLab Issue Hook for a project nobody connected. */
function strangerIssueHook(r: SeededRandom): Record<string, unknown> {
  const id = 7000 + r.int(1000);
  return {
    object_kind: 'issue',
    event_type: 'issue',
    user: { id: 1, username: 'alice', name: 'Alice' },
    project: { id, path_with_namespace: `stranger/app-${id}`, web_url: `https://gitlab.example.com/stranger/app-${id}` },
    object_attributes: { id: id * 10, iid: r.between(1, 99), title: 'Hello', state: 'opened', action: 'open', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z' },
  };
}

function gitlabCase(r: SeededRandom): WebhookCase {
  const payload = strangerIssueHook(r);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': GITLAB_SECRET };
  if (r.next() < 0.5) headers['idempotency-key'] = randomUUID();
  let body = JSON.stringify(payload);
  let expectation: WebhookCase['expect'] = 'refused';
  const flaw = r.pick(['no token', 'wrong token', 'padded token', 'both secrets', 'not json', 'signed mutation', 'signed mutation', 'signed random', 'signed other event', 'signed not an object']);
  switch (flaw) {
    case 'no token': delete headers['x-gitlab-token']; break;
    case 'wrong token': headers['x-gitlab-token'] = printable(r.pick(['', 'gl-malformed-secret-012', GITLAB_SECRET.toUpperCase(), randomText(r, 40), 'x'.repeat(5000)])); break;
    case 'padded token': headers['x-gitlab-token'] = `${GITLAB_SECRET}x`; break;
    case 'both secrets': headers['x-gitlab-token'] = `${GITLAB_SECRET},other`; break;
    case 'not json': body = r.pick(NOT_JSON); break;
    case 'signed mutation': body = JSON.stringify(mutate(r, payload)); expectation = 'signed'; break;
    case 'signed random': body = JSON.stringify(randomJson(r, 1) ?? {}); expectation = 'signed'; break;
    case 'signed other event':
      headers['x-gitlab-event'] = printable(r.pick(['Note Hook', 'Push Hook', 'Merge Request Hook', 'Confidential Issue Hook', 'System Hook', randomText(r, 12)]));
      body = JSON.stringify(mutate(r, payload));
      expectation = 'signed';
      break;
    case 'signed not an object': body = r.pick(NOT_OBJECTS); expectation = 'signed'; break;
  }
  return { route: 'gitlab', expect: expectation, method: 'POST', headers, body, what: flaw };
}

const bitbucketSignature = (body: string | Buffer, secret = BITBUCKET_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function bitbucketCase(r: SeededRandom): WebhookCase {
  const payload = {
    repository: { full_name: `stranger/shop-${r.int(1000)}`, uuid: `{${randomUUID()}}` },
    push: { changes: [{ new: { type: 'branch', name: 'main', target: { hash: 'a'.repeat(40) } } }] },
  };
  let body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-event-key': 'repo:push', 'x-request-uuid': randomUUID() };
  let signature: string | null = null;
  let expectation: WebhookCase['expect'] = 'refused';
  const flaw = r.pick(['no signature', 'wrong secret', 'garbled signature', 'other body', 'not json', 'signed mutation', 'signed random', 'signed other event']);
  switch (flaw) {
    case 'no signature': break;
    case 'wrong secret': signature = bitbucketSignature(body, 'other'); break;
    case 'garbled signature': signature = printable(r.pick(['sha256=', 'sha1=abc', randomText(r, 20), `sha256=${'f'.repeat(64)}`])); break;
    case 'other body': signature = bitbucketSignature(`${body}\n`); break;
    case 'not json': body = r.pick(NOT_JSON); signature = bitbucketSignature(body); break;
    case 'signed mutation': body = JSON.stringify(mutate(r, payload)); signature = bitbucketSignature(body); expectation = 'signed'; break;
    case 'signed random': body = JSON.stringify(randomJson(r)); signature = bitbucketSignature(body); expectation = 'signed'; break;
    case 'signed other event':
      headers['x-event-key'] = printable(r.pick(['repo:fork', 'pullrequest:created', '', randomText(r, 10)]));
      signature = bitbucketSignature(body);
      expectation = 'signed';
      break;
  }
  if (signature !== null) headers['x-hub-signature'] = signature;
  return { route: 'bitbucket', expect: expectation, method: 'POST', headers, body, what: flaw };
}

async function send(path: string, init: { method: string; headers: Record<string, string>; body?: string | Buffer }) {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method,
    headers: init.headers,
    redirect: 'manual',
    ...(init.body === undefined || init.method === 'GET' ? {} : { body: init.body }),
  });
  const text = await response.text();
  if (response.status >= 500) serverErrors += 1;
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, cookie: response.headers.get('set-cookie') };
}

function expectJsonRefusal(answer: Awaited<ReturnType<typeof send>>, where: string) {
  expect(answer.status, where).toBeGreaterThanOrEqual(400);
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.type, where).toContain('application/json');
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  expect(body, where).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
  expect(answer.text, where).not.toMatch(STACK_TRACE);
}

// ---- webhooks --------------------------------------------------------------------------------------

describe('malformed webhook deliveries', () => {
  const CASES = 240;

  it(`${CASES} deliveries to the GitHub, GitLab and Bitbucket routes: refused with 4xx JSON or acknowledged, nothing stored`, async () => {
    const r = seededRandom(SEED);
    const before = await counts();
    const statuses = new Map<string, number>();
    for (let index = 0; index < CASES; index += 1) {
      const made = [githubCase, githubCase, gitlabCase, bitbucketCase][index % 4]!(r);
      const path = `/api/${made.route}/webhooks`;
      const recordedBefore = await deliveries();
      const answer = await send(path, made);
      tried.webhooks += 1;
      const where = `case ${index} (seed ${SEED}) ${made.route} ${made.what}: ${made.method} ${JSON.stringify(made.headers).slice(0, 300)} ${String(made.body).slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 300)}`;
      statuses.set(`${made.route} ${answer.status}`, (statuses.get(`${made.route} ${answer.status}`) ?? 0) + 1);
      if (made.expect === 'refused') {
        expectJsonRefusal(answer, where);
        expect(await deliveries(), `${where}: a refused delivery is not recorded`).toBe(recordedBefore);
      } else {
        expect(answer.status, where).toBeLessThan(500);
        expect(answer.type, where).toContain('application/json');
        if (answer.status >= 400) expectJsonRefusal(answer, where);
        else expect(JSON.parse(answer.text), where).toEqual(expect.objectContaining({ status: expect.stringMatching(/^(processed|ignored|duplicate)$/) }));
      }
    }
    // Oversized bodies, once per route: GitHub takes 25 MB, GitLab and Bitbucket 5 MB.
    for (const [route, bytes] of [['github', 26 * 1024 * 1024], ['gitlab', 6 * 1024 * 1024], ['bitbucket', 6 * 1024 * 1024]] as const) {
      const body = `{"padding":"${'x'.repeat(bytes)}"}`;
      const headers = { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(body), 'x-gitlab-token': GITLAB_SECRET, 'x-hub-signature': bitbucketSignature(body) };
      const answer = await send(`/api/${route}/webhooks`, { method: 'POST', headers, body });
      tried.webhooks += 1;
      expect(answer.status, `${route} oversized`).toBe(413);
      expectJsonRefusal(answer, `${route} oversized`);
    }
    expect(await counts()).toEqual(before);
    // The generator reached every route's refusals and acknowledgements.
    for (const expected of ['github 400', 'github 401', 'github 404', 'github 415', 'github 200', 'gitlab 400', 'gitlab 401', 'gitlab 200', 'bitbucket 400', 'bitbucket 401', 'bitbucket 200']) {
      expect([...statuses.keys()], expected).toContain(expected);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);
});

// ---- dashboard --------------------------------------------------------------------------------------

describe('malformed dashboard forms and pages', () => {
  const CASES = 120;

  it(`${CASES} form posts and page requests: a 4xx page for a bad form, never a 5xx or a stack trace, nobody signed in`, async () => {
    const r = seededRandom(SEED + 2);
    const before = await counts();
    const origin = server.url;
    const session = `issue_sync_session=${userToken}`;
    const statuses = new Map<string, number>();
    for (let index = 0; index < CASES; index += 1) {
      const kind = r.pick(['sign-in', 'sign-in', 'sign-in', 'sign-out', 'noscript', 'page', 'page', 'cookie api']);
      let method = 'POST';
      let path = `/dashboard/${kind}`;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', origin };
      let body: string | undefined;
      let what = kind;
      if (kind === 'sign-in') {
        const flaw = r.pick(['cross-site', 'empty', 'unknown', 'unicode', 'long', 'too big', 'json', 'bad encoding', 'multipart', 'no type', 'repeated']);
        what += ` ${flaw}`;
        body = `token=${encodeURIComponent(`isk_${randomText(r, 20)}`)}`;
        switch (flaw) {
          case 'cross-site':
            if (r.next() < 0.5) delete headers.origin;
            else headers.origin = r.pick(['https://evil.example', 'null', origin.replace('127.0.0.1', 'localhost'), printable(randomText(r, 10))]);
            body = `token=${encodeURIComponent(userToken)}`;
            break;
          case 'empty': body = r.pick(['', 'token=', 'token=%20%20', 'other=1']); break;
          case 'unknown': break;
          case 'unicode': body = `token=${encodeURIComponent(r.pick(UNICODE))}`; break;
          case 'long': body = `token=${'a'.repeat(r.between(1025, 15_000))}`; break;
          case 'too big': body = `token=${'a'.repeat(20_000)}`; break;
          case 'json': headers['content-type'] = 'application/json'; body = JSON.stringify({ token: userToken }); break;
          case 'bad encoding': body = r.pick(['token=%E0%A4%A', 'token=%', '%%%', 'token=%zz']); break;
          case 'multipart': headers['content-type'] = 'multipart/form-data; boundary=xyz'; body = `--xyz\r\nContent-Disposition: form-data; name="token"\r\n\r\n${userToken}`; break;
          case 'no type': delete headers['content-type']; body = `token=${encodeURIComponent(userToken)}`; break;
          case 'repeated': body = `token=${encodeURIComponent(randomText(r, 8))}&token=`; break;
        }
      } else if (kind === 'sign-out') {
        if (r.next() < 0.5) delete headers.origin;
        else headers.origin = 'https://evil.example';
        headers.cookie = session;
      } else if (kind === 'noscript') {
        body = r.pick([JSON.stringify(randomJson(r)), randomText(r, 50), HUGE().slice(0, 8000)]);
      } else if (kind === 'page') {
        method = 'GET';
        headers.cookie = session;
        const bad = r.pick(['not-a-project', '00000000-0000-0000-0000-000000000000', '%00', '..%2F..', encodeURIComponent(r.pick(UNICODE)), 'x'.repeat(3000)]);
        path = r.next() < 0.5 ? `/dashboard/projects/${bad}` : `/dashboard/projects/${bad}/issues`;
        what = `page ${path.slice(0, 60)}`;
      } else {
        // The API with the session cookie, from another site (or from nowhere): refused before anything else.
        if (r.next() < 0.5) delete headers.origin;
        else headers.origin = 'https://evil.example';
        headers.cookie = session;
        headers['content-type'] = 'application/json';
        path = r.pick([`/api/projects/malformed/repositories/${randomUUID()}/sync`, '/api/admin/backfill', `/api/sync-operations/${randomUUID()}/cancel`, '/api/projects/malformed/repositories']);
        body = JSON.stringify(r.next() < 0.5 ? { syncType: 'all', confirm: true } : randomJson(r));
      }

      const answer = await send(path, { method, headers, ...(body === undefined ? {} : { body }) });
      tried.dashboard += 1;
      const where = `case ${index} (seed ${SEED + 2}) ${what}: ${method} ${path.slice(0, 100)} ${String(body).slice(0, 120)} → ${answer.status} ${answer.text.slice(0, 200)}`;
      statuses.set(kind, Math.max(statuses.get(kind) ?? 0, answer.status));
      expect(answer.status, where).toBeLessThan(500);
      expect(answer.text, where).not.toMatch(STACK_TRACE);
      expect(answer.cookie ?? '', `${where}: nobody is signed in`).not.toMatch(/issue_sync_session=[^;]/);
      if (kind === 'cookie api') {
        expect(answer.status, where).toBe(403);
        expectJsonRefusal(answer, where);
      } else if (kind === 'noscript') {
        expect(answer.status, where).toBe(200);
        expect(answer.text, where).toContain('JavaScript');
      } else {
        expect(answer.status, where).toBeGreaterThanOrEqual(400);
        expect(answer.type, where).toContain('text/html');
      }
    }
    expect(await counts()).toEqual(before);
  }, 60_000);
});

// ---- CLI ------------------------------------------------------------------------------------------------

/** A valid command line per command, and the string options whose values the flaws replace. */
const COMMAND_LINES: { argv: string[]; values: Record<string, string[]> }[] = [
  {
    argv: ['sync', '--provider', 'github', '--repo', 'octo/hello', '--token', 't0k', '--type', 'all', '--include-closed', '--confirm', '--project', 'acme', '--json'],
    values: {
      '--provider': ['svn', 'GitHub', 'git\nhub', 'gitlab;rm -rf', '🙂', 'x'.repeat(5000)],
      '--repo': ['nope', 'a/b/c', '/', 'owner/', '/name', 'a b/c', '../..', 'x'.repeat(300), 'octo/hel\nlo'],
      '--type': ['prs', 'ALL', 'issues,security', '💥', 'x'.repeat(2000)],
      '--api-url': ['ftp://example.com', 'not a url', 'javascript:alert(1)', 'http//x', 'file:///etc/passwd'],
      '--project': ['Acme', 'a b', '_x', 'ä', 'x'.repeat(64), 'a/b', 'a\nb'],
      '--token': ['ghp_a b', 'ghp_a\nb', 'ghp_\u0000x', 'ghp_\u001b[2Jx', 'Bearer ghp_x'],
    },
  },
  {
    argv: ['issues', 'list', '--project', 'acme', '--repo', 'octo/hello', '--json'],
    values: { '--project': ['Acme', 'a b', '_x', 'ä', 'x'.repeat(64), '..', 'a\tb'], '--repo': ['octo/hel\nlo', 'octo /hello', 'octo/\u001b[2Jx'] },
  },
  { argv: ['projects', 'list', '--json'], values: {} },
  { argv: ['repos', 'list', '--project', 'acme', '--json'], values: { '--project': ['Acme', 'a b', '_x', '中文', 'x'.repeat(100)] } },
  {
    argv: ['repos', 'add', '--project', 'acme', '--provider', 'gitlab', '--repo', 'grp/app', '--token', 'glpat-x', '--api-url', 'http://127.0.0.1:9'],
    values: {
      '--provider': ['svn', 'GitLab', 'bitbucket-server', ''],
      '--repo': ['', 'a', 'grp//app', 'grp/app/', 'g r/app'],
      '--api-url': ['ftp://example.com', 'not a url', 'gitlab.example.com', 'http://'],
      '--project': ['Acme', 'a b', '-', 'x'.repeat(64)],
      '--token': ['glpat a', 'glpat-\r\nx', 'glpat-\u0007', 'ada@example.com: tok'],
    },
  },
  {
    argv: ['users', 'add', '--project', 'acme', '--name', 'ada', '--role', 'admin'],
    values: { '--role': ['owner', 'Admin', 'root', '', 'admin,viewer', '🙂'], '--project': ['Acme', 'a b', '_x'], '--name': ['', '   ', 'a\nb', 'ada\u001b[31m', 'nul\u0000', 'x'.repeat(201), 'line\u2028break'] },
  },
  { argv: ['migrate'], values: {} },
  { argv: ['doctor'], values: {} },
  { argv: ['serve'], values: {} },
];

/** `repos add`, `sync`: the command a valid command line names. */
function commandOf(argv: readonly string[]): string {
  return argv.slice(0, ['issues', 'projects', 'repos', 'users'].includes(argv[0]!) ? 2 : 1).join(' ');
}

function cliCase(r: SeededRandom): { argv: string[]; what: string; command: string } {
  const line = r.pick(COMMAND_LINES);
  const argv = [...line.argv];
  const command = commandOf(line.argv);
  const words = command.split(' ').length;
  const stringOptions = argv.flatMap((arg, index) => (arg.startsWith('--') && argv[index + 1] !== undefined && !argv[index + 1]!.startsWith('--') ? [index] : []));
  const flaws = ['unknown option', 'positional', 'boolean with value', 'unknown command'];
  if (Object.keys(line.values).length) flaws.push('bad value', 'bad value', 'bad value');
  if (stringOptions.length) flaws.push('missing value', 'missing option');
  if (argv.includes('--confirm')) flaws.push('unconfirmed');
  const flaw = r.pick(flaws);
  switch (flaw) {
    case 'unknown option': {
      const name = r.pick(['--bogus', '--jsno', '--projet', '--repo-name', `--${r.pick(UNICODE)}`, '-x', '-pz', `--${'o'.repeat(500)}`, '--token2']);
      argv.splice(words + r.int(argv.length - words + 1), 0, name);
      break;
    }
    case 'positional': {
      const word = r.pick(['extra', 'octo/hello', '🙂', '', 'x'.repeat(5000), '--\nx', 'a\nb']);
      argv.splice(words + r.int(argv.length - words + 1), 0, ...(word === '--\nx' ? ['--', 'x'] : [word]));
      break;
    }
    case 'boolean with value':
      argv.push(r.pick(['--json=yes', '--json=false', '--confirm=1', '--help=no']));
      if (argv.at(-1)!.startsWith('--confirm') && line.argv[0] !== 'sync') argv[argv.length - 1] = '--json=1';
      break;
    case 'unknown command':
      argv.splice(0, words, ...r.pick([['snyc'], ['issue', 'list'], ['issues', 'lst'], ['repos'], ['users'], ['🙂'], [''], ['x'.repeat(3000)], ['--json'], ['repos', 'remove'], ['list']]));
      break;
    case 'bad value': {
      const option = r.pick(Object.keys(line.values));
      const at = argv.indexOf(option);
      const value = r.pick(line.values[option]!);
      if (at >= 0) argv[at + 1] = value;
      else argv.push(option, value);
      break;
    }
    case 'missing value': {
      const at = r.pick(stringOptions);
      argv.splice(at + 1, 1);
      // An option whose value went missing, at the end or before another option.
      if (r.next() < 0.5) argv.push(...argv.splice(at, 1));
      break;
    }
    case 'missing option': {
      const required = { sync: ['--provider', '--repo'], 'repos add': ['--project', '--provider', '--repo', '--token'], 'users add': ['--project', '--name', '--role'] } as Record<string, string[]>;
      const name = argv.slice(0, words).join(' ');
      const choices = required[name];
      if (!choices) return cliCase(r);
      const at = argv.indexOf(r.pick(choices));
      argv.splice(at, 2);
      break;
    }
    case 'unconfirmed':
      argv.splice(argv.indexOf('--confirm'), 1);
      break;
  }
  return { argv, what: flaw, command };
}

describe('malformed CLI arguments', () => {
  const CASES = 200;

  it(`${CASES} command lines: exit 2 with one line on stderr, nothing on stdout, nothing stored`, async () => {
    const r = seededRandom(SEED + 3);
    const before = await counts();
    const env = { DATABASE_URL: server.database.url, ISSUE_SYNC_DATA_DIR: '/nonexistent/issue-sync-malformed' };
    const byFlaw = new Map<string, number>();
    const byCommand = new Map<string, number>();
    for (let index = 0; index < CASES; index += 1) {
      const { argv, what, command } = cliCase(r);
      byCommand.set(command, (byCommand.get(command) ?? 0) + 1);
      const result = await runCliCaptured(argv, env);
      tried.cli += 1;
      byFlaw.set(what, (byFlaw.get(what) ?? 0) + 1);
      const where = `case ${index} (seed ${SEED + 3}) ${what}: ${JSON.stringify(argv).slice(0, 300)} → exit ${result.code}, stdout ${JSON.stringify(result.stdout.slice(0, 200))}, stderr ${JSON.stringify(result.stderr.slice(0, 400))}`;
      expect(result.code, where).toBe(2);
      expect(result.stdout, where).toBe('');
      expect(result.stderr, where).toMatch(/^issue-sync: [^\n]+\n$/);
      expect(result.stderr, where).not.toMatch(STACK_TRACE);
    }
    // Every command got its share of broken command lines.
    for (const line of COMMAND_LINES) expect(byCommand.get(commandOf(line.argv)), commandOf(line.argv)).toBeGreaterThanOrEqual(10);
    expect([...byFlaw.keys()].sort()).toEqual(
      ['bad value', 'boolean with value', 'missing option', 'missing value', 'positional', 'unconfirmed', 'unknown command', 'unknown option'],
    );
    expect(await counts()).toEqual(before);
  }, 60_000);
});
