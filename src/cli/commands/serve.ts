/**
 * `issue-sync serve` / `npm start`: one process serving HTTP on PORT until SIGINT or SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from '../../http/app.js';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../run-cli.js';

export async function runServe({ io, log, runtime }: CommandContext): Promise<number> {
  const app = createApp({
    log,
    checkDatabase: async () => {
      await runtime.db.pool.query('SELECT 1');
    },
  });
  const server = serve({ fetch: app.fetch, port: runtime.config.port }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`Port ${runtime.config.port} is already in use: stop the other program or set PORT.`)
          : error,
      );
    });
  });
  const { port } = server.address() as AddressInfo;
  log.info({ port }, 'listening');
  io.stdout.write(`issue-sync is running at http://localhost:${port}/ (${runtime.databaseLabel})\n`);

  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) {
      if (io.signal?.aborted) resolve();
      return;
    }
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info({}, 'shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
  return 0;
}
