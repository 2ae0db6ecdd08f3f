/**
 * What the CLI prints when it cannot start or its work fails never shows a secret: not the password of
 * a URL (DATABASE_URL, a host's URL, --api-url), nor the value of any secret variable or --token.
 * Through `runCli`, as a user runs `issue-sync`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const PASSWORD = 'hunter2';
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  [database, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'issue-sync-secrets-'))]);
});

afterAll(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('start-up errors', () => {
  it.each([
    ['a DATABASE_URL missing a slash', 'DATABASE_URL', `postgres:/user:${PASSWORD}@nowhere:5432/db`],
    ['a DATABASE_URL of another database', 'DATABASE_URL', `mysql://user:${PASSWORD}@nowhere:5432/db`],
    ['a WEBHOOK_PROXY_URL that is not http(s)', 'WEBHOOK_PROXY_URL', `ftp://smee:${PASSWORD}@smee.io/channel`],
    ['a GITLAB_URL that is not http(s)', 'GITLAB_URL', `ftp://gitlab:${PASSWORD}@gitlab.example.com`],
  ])('%s is named, shown without its password, and exits 2', async (_case, variable, value) => {
    const result = await runCliCaptured(['migrate'], { ISSUE_SYNC_DATA_DIR: dataDir, [variable]: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^issue-sync: ${variable} must be`));
    expect(result.stderr).toContain(':[redacted]@');
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('a DATABASE_URL whose host does not exist fails (exit 1) without its password', async () => {
    const result = await runCliCaptured(['migrate'], { DATABASE_URL: `postgres://user:${PASSWORD}@nowhere.invalid:5432/db` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^issue-sync: /);
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('an --api-url with credentials is refused at once, without its password or the token', async () => {
    const token = 'glpat-secret-token-0123456789';
    const result = await runCliCaptured(
      ['sync', '--provider', 'gitlab', '--repo', 'group/app', '--token', token, '--api-url', `http://user:${PASSWORD}@127.0.0.1:9`],
      { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--api-url must not hold a user name or password');
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr).not.toContain(token);
  });

  it('the value of every secret variable is masked wherever a message would show it', async () => {
    const secrets = {
      ADMIN_TOKEN: 'admin-token-value-0123456789',
      WEBHOOK_SECRET: 'github-old-secret-0123,github-new-secret-4567',
      GITLAB_WEBHOOK_SECRET: 'gitlab-webhook-secret-89ab',
      BITBUCKET_WEBHOOK_SECRET: 'bitbucket-webhook-secret-cdef',
      SOME_VENDOR_API_KEY: 'vendor-api-key-0123456789',
    };
    // A key file that does not exist, named so that the error, which names it, holds every secret.
    const keyPath = join(dataDir, `missing-${Object.values(secrets).join('-').replace(/,/g, '-')}.pem`);
    const result = await runCliCaptured(['serve'], {
      ...secrets,
      DATABASE_URL: database.url,
      ISSUE_SYNC_DATA_DIR: dataDir,
      PORT: '0',
      APP_ID: '4242',
      PRIVATE_KEY_PATH: keyPath,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`PRIVATE_KEY_PATH ${join(dataDir, 'missing-[redacted]')}`);
    for (const value of Object.values(secrets).flatMap((secret) => secret.split(','))) expect(result.stderr).not.toContain(value);
  });
});
