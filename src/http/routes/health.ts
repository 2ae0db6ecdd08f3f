import { Hono } from 'hono';

export interface HealthDeps {
  /** Resolves when the database answers; rejects otherwise. */
  checkDatabase(): Promise<void>;
}

export function healthRoutes(deps: HealthDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await deps.checkDatabase();
      return c.json({ status: 'ready' });
    } catch {
      return c.json({ error: 'not_ready', message: 'The database is not reachable.' }, 503);
    }
  });
  return app;
}
