/**
 * No secret in any log line at any depth: fields named like secrets are replaced wherever they sit
 * (headers inside an error's cause, arrays, child bindings), and the configured secret values and URL
 * passwords are replaced wherever they appear in a string.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { secretValues } from '../../src/secret-values.js';

function capture(secrets: string[] = []) {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', secrets }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

describe('createLogger', () => {
  it('replaces fields named like secrets at any depth and keeps the rest', () => {
    const { log, lines } = capture();
    const cause = Object.assign(new Error('request failed'), {
      request: { method: 'GET', url: '/x', headers: { Authorization: 'Bearer ghp_deep1234567890', 'X-Gitlab-Token': 'gl-deep-123456', cookie: 'session=abc123456' } },
      response: { status: 401, headers: { 'set-cookie': ['session=def123456; HttpOnly'] } },
    });
    const error = Object.assign(new Error('sync failed', { cause }), { config: { privateKey: '-----BEGIN KEY-----', private_key: 'pk-123456789' } });
    log.child({ operation: 'op-1', accessToken: 'at-1234567890' }).error(
      {
        err: error,
        deliveries: [{ headers: { 'x-hub-signature-256': 'sha256=abcdef0123456789', 'x-hub-signature': 'sha1=0123456789' } }],
        connection: { encryptedToken: 'enc-1234567890', password: 'pw-1234567890', nested: { deeper: { clientSecret: 'cs-1234567890', apiKey: 'key-1234567890' } } },
        tokens: 3,
        hasToken: true,
        tokenType: 'bearer',
      },
      'deep secrets',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const secret of ['ghp_deep1234567890', 'gl-deep-123456', 'abc123456', 'def123456', 'BEGIN KEY', 'pk-123456789', 'at-1234567890', 'abcdef0123456789', 'sha1=0123456789', 'enc-1234567890', 'pw-1234567890', 'cs-1234567890', 'key-1234567890']) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ operation: 'op-1', accessToken: '[redacted]', tokens: 3, hasToken: true, tokenType: 'bearer', msg: 'deep secrets' });
    expect(parsed.connection.nested.deeper).toEqual({ clientSecret: '[redacted]', apiKey: '[redacted]' });
    expect(parsed.deliveries[0].headers).toEqual({ 'x-hub-signature-256': '[redacted]', 'x-hub-signature': '[redacted]' });
  });

  it('replaces configured secret values and URL passwords inside any string', () => {
    const env = {
      ADMIN_TOKEN: 'admin-token-0123456789',
      WEBHOOK_SECRET: 'old-hook-secret-1,new-hook-secret-2',
      DATABASE_URL: 'postgres://sync:p%40ss-w0rd@db.example.com/issue_sync',
      ENCRYPTION_KEY: 'c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=',
    };
    const { log, lines } = capture(secretValues(env));
    log.info({ url: 'https://x:pw-in-url@host/path', note: 'the key c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk= leaked' }, 'admin-token-0123456789 was used');
    log.warn({ detail: { list: ['signed with new-hook-secret-2', 'or old-hook-secret-1'] } }, 'connecting to postgres://sync:p%40ss-w0rd@db.example.com (p@ss-w0rd)');
    const text = lines.join('');
    for (const secret of ['admin-token-0123456789', 'old-hook-secret-1', 'new-hook-secret-2', 'p%40ss-w0rd', 'p@ss-w0rd', 'pw-in-url', 'c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=']) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ url: 'https://x:[redacted]@host/path', msg: '[redacted] was used' });
    expect(JSON.parse(lines[1]!).msg).toBe('connecting to postgres://sync:[redacted]@db.example.com ([redacted])');
  });
});
