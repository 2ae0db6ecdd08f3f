import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { loadGitHubAppConfig } from '../../src/github-app/github-app-settings.js';
import { generateAppKey } from '../support/github-app-server.js';

const { privateKey } = generateAppKey();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'issue-sync-app-key-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const load = (env: Record<string, string>) => loadGitHubAppConfig(loadConfig(env));

/** The same key, whatever form it came in. */
const sameKey = (pem: string) =>
  createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).equals(createPrivateKey(privateKey).export({ type: 'pkcs8', format: 'der' }));

describe('GitHub App settings', () => {
  it('none of the App variables: the App does not run', async () => {
    expect(await load({})).toBeNull();
  });

  it.each([
    [{ APP_ID: '1', PRIVATE_KEY: privateKey }, 'WEBHOOK_SECRET is not set'],
    [{ APP_ID: '1', WEBHOOK_SECRET: 's' }, 'PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set'],
    [{ WEBHOOK_SECRET: 's', PRIVATE_KEY_PATH: '/nowhere.pem' }, 'APP_ID is not set'],
    [{ APP_ID: '1' }, 'PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET are not set'],
  ])('a partial configuration stops start-up naming what is missing (%o)', async (env, missing) => {
    const error = await load(env).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(missing);
  });

  it.each([
    ['as the .pem file', privateKey],
    ['with literal \\n escapes', privateKey.replaceAll('\n', '\\n')],
    ['on one line with spaces', privateKey.replaceAll('\n', ' ')],
    ['base64-encoded', Buffer.from(privateKey).toString('base64')],
  ])('reads PRIVATE_KEY given %s', async (_form, value) => {
    const config = await load({ APP_ID: '77', PRIVATE_KEY: value, WEBHOOK_SECRET: 's', GITHUB_API_URL: 'https://ghe.example/api/v3' });
    expect(config).toMatchObject({ appId: '77', webhookSecret: 's', apiUrl: 'https://ghe.example/api/v3' });
    expect(config!.privateKey).toContain('-----BEGIN PRIVATE KEY-----');
    expect(sameKey(config!.privateKey)).toBe(true);
  });

  it('reads the key from PRIVATE_KEY_PATH', async () => {
    const path = join(dir, 'app.pem');
    await writeFile(path, privateKey);
    const config = await load({ APP_ID: '77', PRIVATE_KEY_PATH: path, WEBHOOK_SECRET: 's' });
    expect(sameKey(config!.privateKey)).toBe(true);
  });

  it('an unreadable key names the variable to fix', async () => {
    await expect(load({ APP_ID: '77', PRIVATE_KEY: 'not a key', WEBHOOK_SECRET: 's' })).rejects.toThrow(/^PRIVATE_KEY does not hold a PEM/);
    const broken = privateKey.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    await expect(load({ APP_ID: '77', PRIVATE_KEY: broken, WEBHOOK_SECRET: 's' })).rejects.toThrow(/^PRIVATE_KEY is not a readable private key/);
    await expect(load({ APP_ID: '77', PRIVATE_KEY_PATH: join(dir, 'missing.pem'), WEBHOOK_SECRET: 's' })).rejects.toThrow(
      /^PRIVATE_KEY_PATH .*missing\.pem cannot be read/,
    );
  });
});
