/**
 * bodySizeLimit on a real @hono/node-server: a body over the limit is refused whether it declares its
 * length or streams in chunks, and a body within it reaches the handler whole, either way. A declared
 * length is judged without the request being turned into a web Request with a stream body (the
 * reason this middleware exists): the handler's `c.req.text()` is then the first to touch the body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodySizeLimit } from '../../src/http/middleware/body-size-limit.js';

const LIMIT = 1024;
let server: ServerType;
let port: number;
/** What the handler saw: the declared length, the body, and whether a web Request had been built for it. */
const seen: { declared: string | undefined; text: string; webRequestBuilt: boolean }[] = [];

/**
 * @hono/node-server hands a lightweight request over the socket (it holds the socket's message under
 * `incomingKey`), and keeps the web Request it builds once the body is wanted as a stream under
 * `requestCache`. A request that is neither is a web Request itself.
 */
function webRequestBuilt(raw: Request): boolean {
  const symbols = Object.getOwnPropertySymbols(raw);
  if (!symbols.some((symbol) => symbol.description === 'incomingKey')) return true;
  return symbols.some((symbol) => symbol.description === 'requestCache');
}

beforeAll(async () => {
  const app = new Hono();
  app.post('/limited', bodySizeLimit({ maxSize: LIMIT, onError: (c) => c.json({ error: 'payload_too_large' }, 413) }), async (c) => {
    const built = webRequestBuilt(c.req.raw);
    const text = await c.req.text();
    seen.push({ declared: c.req.header('content-length'), text, webRequestBuilt: built });
    return c.json({ bytes: Buffer.byteLength(text) });
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function post(body: Buffer, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/limited',
        method: 'POST',
        headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    if (chunked) {
      // Two chunks, so the size is only known once both have arrived.
      request.write(body.subarray(0, body.length >> 1));
      request.end(body.subarray(body.length >> 1));
    } else {
      request.end(body);
    }
  });
}

describe('bodySizeLimit', () => {
  it('hands a body within the limit to the handler whole, with or without Content-Length', async () => {
    const body = Buffer.from('x'.repeat(LIMIT));
    expect(await post(body, false)).toEqual({ status: 200, body: JSON.stringify({ bytes: LIMIT }) });
    expect(await post(body, true)).toEqual({ status: 200, body: JSON.stringify({ bytes: LIMIT }) });
    expect(seen.map((entry) => [entry.declared, entry.text.length])).toEqual([
      [String(LIMIT), LIMIT],
      [undefined, LIMIT],
    ]);
    // Only the chunked body had to be counted through a stream.
    expect(seen.map((entry) => entry.webRequestBuilt)).toEqual([false, true]);
  });

  it('refuses a body one byte over the limit, declared or streamed, before the handler runs', async () => {
    seen.length = 0;
    const body = Buffer.from('y'.repeat(LIMIT + 1));
    expect(await post(body, false)).toEqual({ status: 413, body: JSON.stringify({ error: 'payload_too_large' }) });
    expect(await post(body, true)).toEqual({ status: 413, body: JSON.stringify({ error: 'payload_too_large' }) });
    expect(seen).toEqual([]);
  });
});
