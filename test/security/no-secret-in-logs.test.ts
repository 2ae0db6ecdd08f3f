/**
 * A run of the real service that uses every secret, with its log captured at trace level: the GitHub
 * App's key and webhook secrets (old and new), the GitLab and Bitbucket webhook secrets, ADMIN_TOKEN,
 * ENCRYPTION_KEY, DATABASE_URL's password and the hosts' tokens. Deliveries to every webhook route (one
 * badly signed), syncs against the loopback simulators (one retried after a 500, one refused with a
 * bad token, one through a GitLab URL holding a password), a repository connected with its token in
 * the request body. No captured line holds a
 * secret, at any depth.
 */
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { createLogger } from '../../src/logger.js';
import { secretValues } from '../../src/secret-values.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { bitbucketPushPayload, startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createGitLabSimulator, gitlabFaults, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { pingEvent } from '../support/webhook-payloads.js';

const unique = () => randomBytes(10).toString('hex');
const TOKENS = {
  github: `ghp_${unique()}`,
  githubWrong: `ghp_wrong_${unique()}`,
  gitlab: `glpat-${unique()}`,
  bitbucket: `bb-access-${unique()}`,
  proxyPassword: `proxy-pw-${unique()}`,
};
const SECRETS = {
  APP_ID: '4242',
  PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
  WEBHOOK_SECRET: `gh-old-${unique()},gh-new-${unique()}`,
  GITLAB_WEBHOOK_SECRET: `gl-hook-${unique()}`,
  BITBUCKET_WEBHOOK_SECRET: `bb-hook-${unique()}`,
  ADMIN_TOKEN: `admin-${unique()}`,
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

let database: TestDatabase;
let github: GitHubSimulator;
let gitlab: GitLabSimulator;
let bitbucket: BitbucketSimulator;
let service: RunningService;
const lines: string[] = [];
/** Every secret of the run, and what a leak could look like: each part of a list, each line of the PEM's body. */
let needles: string[] = [];

beforeAll(async () => {
  [database, github, gitlab, bitbucket] = await Promise.all([
    createTestDatabase(),
    startGitHubSimulator({ token: TOKENS.github }),
    createGitLabSimulator({ tokens: { [TOKENS.gitlab]: 'maintainer' } }),
    startBitbucketSimulator({ accessToken: TOKENS.bitbucket }),
  ]);
  const env = { ...SECRETS, DATABASE_URL: database.url, PORT: '0', GITLAB_URL: gitlab.url, BITBUCKET_API_URL: bitbucket.url, LOG_LEVEL: 'trace' };
  const password = decodeURIComponent(new URL(database.url).password);
  needles = [
    ...Object.entries(SECRETS).filter(([name]) => name !== 'APP_ID').flatMap(([, value]) => [value, ...value.split(/[\n,]/)]),
    password,
    ...Object.values(TOKENS),
  ].filter((needle) => needle.length >= 8 && !needle.startsWith('-----'));
  const log = createLogger({ level: 'trace', secrets: secretValues(env) }, { write: (line: string) => void lines.push(line) });
  service = await startService({
    config: loadConfig(env),
    log,
    db: database.db,
    cipher: createTokenCipher(Buffer.from(SECRETS.ENCRYPTION_KEY, 'base64')),
    stores: createStores(database.db),
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await Promise.all([github?.close(), gitlab?.close(), bitbucket?.close()]);
  await database?.drop();
});

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');
const api = (method: string, path: string, body?: unknown, token = SECRETS.ADMIN_TOKEN) =>
  fetch(`${service.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, any> })); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a run that uses every secret', () => {
  it('does its work', async () => {
    const cipher = createTokenCipher(Buffer.from(SECRETS.ENCRYPTION_KEY, 'base64'));
    const { prisma } = database.db;
    const project = await prisma.project.create({ data: { slug: 'logged', name: 'logged' } });
    github.repo('octo', 'logged', { issues: 30 });
    github.repo('octo', 'refused', { issues: 3 });
    const connect = (fullPath: string, token: string) =>
      prisma.repositoryConnection.create({
        data: { projectId: project.id, provider: 'github', fullPath, url: `https://github.com/${fullPath}`, apiUrl: github.url, encryptedToken: cipher.encrypt(token) },
      });
    const good = await connect('octo/logged', TOKENS.github);
    const refused = await connect('octo/refused', TOKENS.githubWrong);

    // A sync with the stored token, through the API with ADMIN_TOKEN.
    const synced = await api('POST', `/projects/logged/repositories/${good.id}/sync`, { syncType: 'issues', includeClosed: true, confirm: true, mode: 'sync' });
    expect(synced.status).toBe(200);
    expect(synced.body.results).toMatchObject({ created: 30 });

    // A sync the host refuses: the failure is logged with the request that failed.
    const failed = await api('POST', `/projects/logged/repositories/${refused.id}/sync`, { syncType: 'issues', confirm: true, mode: 'sync' });
    expect(failed.body.operation.status).toBe('failed');

    // GitLab connected with its token in the body, then synced through a 500 that is retried.
    gitlab.project('grp/logged', { issues: 12 });
    const connected = await api('POST', '/projects/logged/repositories', { provider: 'gitlab', repo: 'grp/logged', token: TOKENS.gitlab, apiUrl: gitlab.url });
    expect(connected.status).toBe(201);
    gitlab.fault({ ...gitlabFaults.serverError(500), path: /\/issues/, times: 1 });
    const gitlabSync = await api('POST', `/projects/logged/repositories/${connected.body.repository?.id ?? connected.body.id}/sync`, { syncType: 'issues', confirm: true, mode: 'sync' });
    expect(gitlabSync.status).toBe(200);
    expect(gitlabSync.body.operation.status).toBe('completed');

    // A self-managed GitLab behind a proxy that wants a password in the URL: every request fails, and
    // the failures, logged with the URL, must not show the password.
    const behindProxy = await prisma.repositoryConnection.create({
      data: {
        projectId: project.id, provider: 'gitlab', fullPath: 'grp/proxied', url: `${gitlab.url}/grp/proxied`,
        apiUrl: `http://proxy:${TOKENS.proxyPassword}@127.0.0.1:${new URL(gitlab.url).port}`, encryptedToken: cipher.encrypt(TOKENS.gitlab),
      },
    });
    const proxied = await api('POST', `/projects/logged/repositories/${behindProxy.id}/sync`, { syncType: 'issues', confirm: true, mode: 'async' });
    expect(proxied.status).toBe(202);

    // A token nobody issued.
    expect((await api('GET', '/projects', undefined, `isk_${unique()}`)).status).toBe(401);

    // GitHub deliveries: one signed with the old secret, one with the new, one with a wrong signature.
    const [oldSecret, newSecret] = SECRETS.WEBHOOK_SECRET.split(',') as [string, string];
    const ping = JSON.stringify(pingEvent());
    const deliverGitHub = (id: string, signature: string) =>
      fetch(`${service.url}/api/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-delivery': id, 'x-github-event': 'ping', 'x-hub-signature-256': signature },
        body: ping,
      });
    expect((await deliverGitHub('logged-1', `sha256=${hmac(oldSecret, ping)}`)).status).toBe(200);
    expect((await deliverGitHub('logged-2', `sha256=${hmac(newSecret, ping)}`)).status).toBe(200);
    expect((await deliverGitHub('logged-3', `sha256=${hmac('not-the-secret', ping)}`)).status).toBe(401);

    // GitLab and Bitbucket deliveries, the Bitbucket push starting a findings sync with its token.
    const gitlabHook = await fetch(`${service.url}/api/gitlab/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRETS.GITLAB_WEBHOOK_SECRET, 'x-gitlab-event': 'Push Hook' },
      body: JSON.stringify({ object_kind: 'push' }),
    });
    expect(gitlabHook.status).toBe(200);
    const repo = bitbucket.repo('ws', 'logged');
    repo.securityReport('snyk', 3);
    const bitbucketConnection = await prisma.repositoryConnection.create({
      data: { projectId: project.id, provider: 'bitbucket', fullPath: 'ws/logged', url: repo.htmlUrl, encryptedToken: cipher.encrypt(TOKENS.bitbucket), lastCheckedAt: new Date() },
    });
    const push = JSON.stringify(bitbucketPushPayload(repo, { branch: 'main', hash: repo.head!.hash }));
    const bitbucketHook = await fetch(`${service.url}/api/bitbucket/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-event-key': 'repo:push', 'x-request-uuid': 'logged-push', 'x-hub-signature': `sha256=${hmac(SECRETS.BITBUCKET_WEBHOOK_SECRET, push)}` },
      body: push,
    });
    expect(bitbucketHook.status).toBe(202);
    await expect
      .poll(() => prisma.syncOperation.findFirst({ where: { repositoryId: bitbucketConnection.id, status: 'completed' } }), { timeout: 20_000, interval: 100 })
      .toBeTruthy();
    // The proxied GitLab's failures have been logged by now (they are retried for a while longer).
    await expect.poll(() => lines.filter((line) => line.includes('GitLab request failed')).length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    await api('POST', `/sync-operations/${proxied.body.operationId}/cancel`);
  }, 60_000);

  it('logs no secret in any line, at any depth', () => {
    const leaks = lines.flatMap((line, index) => needles.filter((needle) => line.includes(needle)).map((needle) => `line ${index}: ${needle.slice(0, 6)}…`));
    console.info(`no-secret-in-logs: ${lines.length} lines captured, ${needles.length} secret values looked for, ${leaks.length} found; ${lines.filter((line) => line.includes('[redacted]')).length} lines had something redacted`);
    expect(lines.length).toBeGreaterThan(10);
    // The failures above were logged, with the URL that holds a password.
    expect(lines.some((line) => line.includes(`proxy:[redacted]@127.0.0.1`))).toBe(true);
    expect(leaks).toEqual([]);
  });
});
