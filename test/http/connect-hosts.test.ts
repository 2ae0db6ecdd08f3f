/**
 * Connecting GitLab and Bitbucket repositories (POST /api/projects/:projectId/repositories and
 * `issue-sync repos add`): the token and the repository are checked with the host first, and a bad
 * token, an unknown repository or an unreachable host is a clear refusal with nothing stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const GITLAB_TOKEN = 'glpat-connect';
const BITBUCKET_TOKEN = 'bitbucket-connect';

let github: GitHubSimulator;
let gitlab: GitLabSimulator;
let bitbucket: BitbucketSimulator;
let database: TestDatabase;
let api: ApiHarness;
let dataDir: string;

beforeAll(async () => {
  [github, gitlab, bitbucket, database, dataDir] = await Promise.all([
    startGitHubSimulator(),
    createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: 'developer' } }),
    startBitbucketSimulator({ accessToken: BITBUCKET_TOKEN }),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-connect-')),
  ]);
  api = startApiHarness(database, github);
});

afterAll(async () => {
  await api?.close();
  await Promise.all([github?.close(), gitlab?.close(), bitbucket?.close()]);
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const connections = () => database.db.prisma.repositoryConnection.count();

describe('POST /api/projects/:projectId/repositories for GitLab and Bitbucket', () => {
  it('connects a GitLab project by path or numeric id, storing its canonical path and id', async () => {
    const project = gitlab.project('acme/backend/api', { issues: 1 });
    await api.project('hosts');
    const byId = await api.request('POST', '/api/projects/hosts/repositories', {
      token: ADMIN_TOKEN,
      json: { provider: 'gitlab', repo: String(project.id), token: GITLAB_TOKEN, apiUrl: gitlab.url },
    });
    expect(byId).toMatchObject({
      status: 201,
      body: { repository: { provider: 'gitlab', fullPath: 'acme/backend/api', url: project.webUrl, apiUrl: gitlab.url } },
    });
    const again = await api.request('POST', '/api/projects/hosts/repositories', {
      token: ADMIN_TOKEN,
      json: { provider: 'gitlab', repo: 'acme/backend/api', token: GITLAB_TOKEN, apiUrl: gitlab.url },
    });
    expect(again).toMatchObject({ status: 200, body: { repository: { id: byId.body.repository.id } } });

    bitbucket.repo('acme', 'shop');
    const bb = await api.request('POST', '/api/projects/hosts/repositories', {
      token: ADMIN_TOKEN,
      json: { provider: 'bitbucket', repo: 'acme/shop', token: BITBUCKET_TOKEN, apiUrl: bitbucket.url },
    });
    expect(bb).toMatchObject({ status: 201, body: { repository: { provider: 'bitbucket', fullPath: 'acme/shop' } } });
  });

  it('refuses a bad token, an unknown repository, an unreachable host and a malformed path, storing nothing', async () => {
    gitlab.project('acme/refused');
    bitbucket.repo('acme', 'refused');
    await api.project('refusals');
    const before = await connections();
    const post = (json: Record<string, unknown>) =>
      api.request('POST', '/api/projects/refusals/repositories', { token: ADMIN_TOKEN, json });

    const badToken = await post({ provider: 'gitlab', repo: 'acme/refused', token: 'glpat-wrong', apiUrl: gitlab.url });
    expect(badToken).toMatchObject({ status: 422, body: { error: 'provider_refused', message: expect.stringMatching(/GitLab.*token/) } });
    expect(JSON.stringify(badToken.body)).not.toContain('glpat-wrong');
    const badBitbucketToken = await post({ provider: 'bitbucket', repo: 'acme/refused', token: 'nope', apiUrl: bitbucket.url });
    expect(badBitbucketToken).toMatchObject({ status: 422, body: { error: 'provider_refused' } });

    const unknown = await post({ provider: 'gitlab', repo: 'acme/nowhere', token: GITLAB_TOKEN, apiUrl: gitlab.url });
    expect(unknown).toMatchObject({ status: 422, body: { error: 'not_found_at_provider', message: expect.stringContaining('acme/nowhere') } });
    const unknownBitbucket = await post({ provider: 'bitbucket', repo: 'acme/nowhere', token: BITBUCKET_TOKEN, apiUrl: bitbucket.url });
    expect(unknownBitbucket).toMatchObject({ status: 422, body: { error: 'not_found_at_provider' } });

    const unreachable = await post({ provider: 'gitlab', repo: 'acme/refused', token: GITLAB_TOKEN, apiUrl: 'http://127.0.0.1:1' });
    expect(unreachable).toMatchObject({
      status: 422,
      body: { error: 'provider_unreachable', message: expect.stringMatching(/127\.0\.0\.1:1\b.*could not be reached.* Check apiUrl\.$/) },
    });

    const withPassword = await post({ provider: 'gitlab', repo: 'acme/refused', token: GITLAB_TOKEN, apiUrl: gitlab.url.replace('//', '//ops:hunter22@') });
    expect(withPassword).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^apiUrl must not hold a user name or password/) } });
    expect(JSON.stringify(withPassword.body)).not.toContain('hunter22');

    const malformed = await post({ provider: 'bitbucket', repo: 'just-a-name', token: BITBUCKET_TOKEN, apiUrl: bitbucket.url });
    expect(malformed).toMatchObject({ status: 400, body: { message: expect.stringMatching(/workspace\/repo/) } });
    expect(await connections()).toBe(before);
  }, 60_000);
});

describe('issue-sync repos add for GitLab and Bitbucket', () => {
  const cli = (args: string[]) => runCliCaptured(args, { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir });

  it('connects a GitLab project and prints its id first, then the command that syncs it', async () => {
    gitlab.project('cli/app');
    const result = await cli(['repos', 'add', '--project', 'cli-hosts', '--provider', 'gitlab', '--repo', 'cli/app', '--token', GITLAB_TOKEN, '--api-url', gitlab.url]);
    expect(result.code).toBe(0);
    const [id, connected, next] = result.stdout.trim().split('\n');
    expect(await database.db.prisma.repositoryConnection.findUnique({ where: { id: id! } })).toMatchObject({ provider: 'gitlab', fullPath: 'cli/app' });
    expect(connected).toMatch(/^Connected gitlab repository cli\/app to project cli-hosts/);
    expect(next).toBe(`Sync it with: issue-sync sync --provider gitlab --repo cli/app --project cli-hosts --api-url ${gitlab.url}`);
  });

  it('says in one line what is wrong, exits 1, and creates neither project nor connection', async () => {
    const before = await connections();
    const badToken = await cli(['repos', 'add', '--project', 'never-made', '--provider', 'bitbucket', '--repo', 'acme/refused', '--token', 'nope', '--api-url', bitbucket.url]);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr.trim().split('\n')).toHaveLength(1);
    expect(badToken.stderr).toMatch(/^issue-sync: Bitbucket .*token/i);
    const unreachable = await cli(['repos', 'add', '--project', 'never-made', '--provider', 'gitlab', '--repo', 'acme/refused', '--token', GITLAB_TOKEN, '--api-url', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(await database.db.prisma.project.findUnique({ where: { slug: 'never-made' } })).toBeNull();
    expect(await connections()).toBe(before);
  }, 60_000);
});
