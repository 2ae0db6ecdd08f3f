/**
 * Request ids: every answer carries one (the caller's, when it is a plain token), each request is
 * logged with it, and a failure's log line and its 500 answer name the same id.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = createApp({ log, checkDatabase: async () => undefined });
  app.get('/boom', () => {
    throw new Error('a bug in a route');
  });
  return { app, lines };
}

describe('request ids', () => {
  it('answers with a new id, or the caller\'s when it is a plain token, and logs the request with it', async () => {
    const { app, lines } = appWithLog();
    const fresh = await app.request('/healthz');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await app.request('/healthz', { headers: { 'x-request-id': 'proxy-42.a:b' } });
    expect(given.headers.get('x-request-id')).toBe('proxy-42.a:b');
    const refused = await app.request('/healthz', { headers: { 'x-request-id': 'two words, and a comma' } });
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.filter((line) => line.msg === 'request').map((line) => line.requestId)).toEqual([
      fresh.headers.get('x-request-id'), 'proxy-42.a:b', refused.headers.get('x-request-id'),
    ]);
    expect(lines.find((line) => line.requestId === 'proxy-42.a:b')).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
  });

  it('names the id in a failure\'s 500 answer and in its log line', async () => {
    const { app, lines } = appWithLog();
    const answer = await app.request('/boom', { headers: { 'x-request-id': 'trace-7' } });
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({
      error: 'internal',
      message: 'Something went wrong on our side; the error was logged with request id trace-7.',
      requestId: 'trace-7',
    });
    expect(answer.headers.get('x-request-id')).toBe('trace-7');
    expect(lines.find((line) => line.msg === 'request failed')).toMatchObject({ requestId: 'trace-7', path: '/boom' });
  });
});
