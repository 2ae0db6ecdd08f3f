import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('./.data');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.github.apiUrl).toBe('https://api.github.com');
    expect(config.hosts.gitlab.apiUrl).toBe('https://gitlab.com');
    expect(config.hosts.bitbucket.apiUrl).toBe('https://api.bitbucket.org/2.0');
    expect(config.staleCheckIntervalSeconds).toBe(300);
    expect(config.staleCheckBudgetShare).toBe(0.05);
    expect(config.pollIntervalSeconds).toBe(300);
    expect(config.logLevel).toBe('info');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' }).port).toBe(3000);
  });

  it('reads every contract variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      PORT: '8080',
      LOG_LEVEL: 'DEBUG',
      ENCRYPTION_KEY: key,
      APP_ID: '12345',
      WEBHOOK_SECRET: 's',
      GITHUB_API_URL: 'http://127.0.0.1:9999/',
      ADMIN_TOKEN: 'a-very-long-admin-token',
      STALE_CHECK_INTERVAL_S: '60',
    });
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('debug');
    expect(config.encryptionKey?.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(config.github.apiUrl).toBe('http://127.0.0.1:9999');
    expect(config.staleCheckIntervalSeconds).toBe(60);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', /PORT must be a port number \(got "abc"\)/],
    [{ PORT: '70000' }, 'PORT', /PORT must be from 0 to 65535/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /DATABASE_URL must be a postgres/],
    [{ GITHUB_API_URL: 'not a url' }, 'GITHUB_API_URL', /GITHUB_API_URL must be an http\(s\) URL/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL must be one of/],
    [{ STALE_CHECK_INTERVAL_S: '0' }, 'STALE_CHECK_INTERVAL_S', /at least 1 second/],
    [{ STALE_CHECK_BUDGET_SHARE: '5%' }, 'STALE_CHECK_BUDGET_SHARE', /like 0\.05 for 5%/],
    [{ STALE_CHECK_BUDGET_SHARE: '0.9' }, 'STALE_CHECK_BUDGET_SHARE', /at most 0\.5/],
    [{ APP_ID: 'my-app' }, 'APP_ID', /numeric GitHub App id/],
  ])('rejects %o with one line naming %s', (env, variable, message) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toMatch(message);
    expect((caught as ConfigError).message).not.toContain('\n');
  });

  it('refuses a host URL holding a user name or password, without echoing it', () => {
    for (const [variable, value] of [['GITLAB_URL', 'https://ops:hunter22@gitlab.example.com'], ['GITHUB_API_URL', 'https://x-token@api.github.com']] as const) {
      let caught: unknown;
      try {
        loadConfig({ [variable]: value });
      } catch (error) {
        caught = error;
      }
      expect((caught as ConfigError).variable).toBe(variable);
      expect((caught as ConfigError).message).toMatch(new RegExp(`^${variable} must not hold a user name or password`));
      expect((caught as ConfigError).message).not.toMatch(/hunter22|x-token/);
    }
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: 'short-secret-value' })).toThrow(
      /^ENCRYPTION_KEY must be 32 bytes encoded in base64/,
    );
    try {
      loadConfig({ ENCRYPTION_KEY: 'short-secret-value' });
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret-value');
    }
  });
});
