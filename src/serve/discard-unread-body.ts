/**
 * A route may answer before it has read the request's body: a 413 for an oversized one (decided on
 * Content-Length alone), a 401 or 404 before the body matters. The rest of that body is still on its
 * way on the connection, ahead of the client's next request. Once the answer is sent, the rest is read
 * and dropped, so the next request on that keep-alive connection is parsed as usual instead of the
 * connection being cut under it (the client would see a socket error and no answer).
 *
 * Reading is bounded: a body declared larger than MAX_DISCARD_BYTES is answered with
 * `Connection: close` up front (the client opens a new connection for its next request), and a rest
 * that takes longer than DISCARD_TIMEOUT_MS or grows past MAX_DISCARD_BYTES ends the connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Beyond every route's limit (GitHub's 25 MB webhooks), so a refused delivery is still read through. */
export const MAX_DISCARD_BYTES = 64 * 1024 * 1024;
export const DISCARD_TIMEOUT_MS = 10_000;

export function discardUnreadBody(incoming: IncomingMessage, outgoing: ServerResponse): void {
  if (incoming.method === 'GET' || incoming.method === 'HEAD') return;
  const declared = Number(incoming.headers['content-length'] ?? 0);
  if (declared > MAX_DISCARD_BYTES) outgoing.setHeader('Connection', 'close');
  outgoing.once('finish', () => {
    if (incoming.complete || incoming.destroyed) return;
    // Whoever started reading the body (the web stream a Request wraps it in) stopped with its buffer
    // full and pauses it on every chunk: it lets go, and the rest flows into nothing.
    incoming.removeAllListeners('data');
    let bytes = 0;
    const cut = () => {
      clearTimeout(timer);
      incoming.socket?.destroy();
    };
    const timer = setTimeout(cut, DISCARD_TIMEOUT_MS);
    timer.unref();
    incoming.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_DISCARD_BYTES) cut();
    });
    incoming.once('end', () => clearTimeout(timer));
    incoming.once('close', () => clearTimeout(timer));
    incoming.resume();
  });
}
