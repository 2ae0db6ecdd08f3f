import { describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import { silentLogger } from '../src/logger.js';

describe('HTTP app', () => {
  it('answers liveness and readiness', async () => {
    const app = createApp({ log: silentLogger(), checkDatabase: async () => undefined });
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
  });

  it('reports not ready when the database does not answer', async () => {
    const app = createApp({
      log: silentLogger(),
      checkDatabase: async () => {
        throw new Error('connection refused');
      },
    });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'not_ready', message: 'The database is not reachable.' });
  });

  it('answers unknown routes with JSON, not HTML', async () => {
    const app = createApp({ log: silentLogger(), checkDatabase: async () => undefined });
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});
