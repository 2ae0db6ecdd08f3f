/**
 * Serves a Hono app on a port (0: any free one) and resolves once it listens; a port in use is a
 * one-line UsageError saying what to do.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { UsageError } from '../errors.js';
import { discardUnreadBody } from './discard-unread-body.js';

export interface Listening {
  server: Server;
  port: number;
  /** Stops accepting connections, closes idle ones and resolves when the last request has ended. */
  close(): Promise<void>;
}

export async function listen(app: Hono, port: number): Promise<Listening> {
  // The body a route left unread (an early 413, 401, 404) is discarded by discardUnreadBody, which keeps
  // the connection usable; @hono/node-server's own clean-up would cut it after 500 ms instead.
  const server = serve({ fetch: app.fetch, port, autoCleanupIncoming: false }) as Server;
  server.prependListener('request', (incoming: IncomingMessage, outgoing: ServerResponse) => discardUnreadBody(incoming, outgoing));
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`Port ${port} is already in use: stop the other program or set PORT.`)
          : error,
      );
    });
  });
  let closed: Promise<void> | null = null;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
