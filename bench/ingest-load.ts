/**
 * The load side of the webhook ingest measurement (bench/ingest.ts), in a process of its own as
 * GitHub would be: builds every signed delivery first, then sends them `concurrency` at a time on
 * keep-alive connections and prints one JSON line: the wall time, each delivery's answer time, and
 * the answers that were not 2xx, and the CPU time this sender used.
 *
 * Arguments: <url> <secret> <repositories> <from> <count> <concurrency>.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { issuesEvent } from '../test/support/webhook-payloads.js';

const [url, secret, repositoriesArg, fromArg, countArg, concurrencyArg] = process.argv.slice(2);
if (!url || !secret || !repositoriesArg || !fromArg || !countArg || !concurrencyArg) {
  throw new Error('usage: ingest-load.ts <url> <secret> <repositories> <from> <count> <concurrency>');
}
const signingSecret: string = secret;
const repositories = Number(repositoriesArg);
const from = Number(fromArg);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const started = Date.parse('2026-01-01T00:00:00Z');

/** Delivery `k`: issue `k` of a repository, opened, with its own delivery id. */
function ingestDelivery(k: number) {
  const repo = { id: 880_000 + (k % repositories), fullName: `ingest/repo-${k % repositories}` };
  const number = Math.floor(k / repositories) + 1;
  const at = new Date(started + k * 1000).toISOString().replace('.000Z', 'Z');
  const body = JSON.stringify(
    issuesEvent('opened', repo, { number, id: repo.id * 100_000 + number, title: `Ingested ${k}`, state: 'open', created_at: at, updated_at: at, closed_at: null }),
  );
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', signingSecret).update(body).digest('hex')}`,
    },
  };
}

const target = new URL(url);

/**
 * One keep-alive connection that sends a request and reads its answer: the request's bytes written
 * as they are, the answer read up to its Content-Length (or its last chunk). An HTTP client of a
 * few lines, as load tools are, because the sender shares the machine's two cores with the service
 * and PostgreSQL: node's own clients cost it several times the CPU per request, which the service
 * would be measured as losing.
 */
function connection(): { post(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }>; close(): void } {
  const socket = connect(Number(target.port), target.hostname);
  socket.setNoDelay(true);
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve(answer: { status: number; text: string }): void; reject(error: Error): void } | null = null;
  const answer = (): { status: number; text: string; rest: Buffer } | null => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const head = buffered.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const start = end + 4;
    if (length) {
      const stop = start + Number(length[1]);
      return buffered.length < stop ? null : { status, text: buffered.subarray(start, stop).toString(), rest: buffered.subarray(stop) };
    }
    // Chunked: complete once the last (empty) chunk has come; the text is the chunks joined.
    const last = buffered.indexOf('\r\n0\r\n\r\n', start - 2);
    if (last === -1) return null;
    let text = '';
    for (let at = start; at < last; ) {
      const lineEnd = buffered.indexOf('\r\n', at);
      const size = parseInt(buffered.subarray(at, lineEnd).toString('latin1'), 16);
      text += buffered.subarray(lineEnd + 2, lineEnd + 2 + size).toString();
      at = lineEnd + 2 + size + 2;
    }
    return { status, text, rest: buffered.subarray(last + 7) };
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const complete = answer();
    if (!complete || !waiting) return;
    buffered = complete.rest;
    const { resolve } = waiting;
    waiting = null;
    resolve({ status: complete.status, text: complete.text });
  });
  socket.on('error', (error) => waiting?.reject(error));
  socket.on('close', () => waiting?.reject(new Error('connection closed')));
  return {
    post(body, headers) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        let head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
        for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
        socket.write(`${head}\r\n${body}`);
      });
    },
    close: () => socket.destroy(),
  };
}

const deliveries = Array.from({ length: count }, (_, index) => ingestDelivery(from + index));
const latencies: number[] = [];
const failures: string[] = [];
let next = 0;
const connections: ReturnType<typeof connection>[] = [];
const worker = async () => {
  const own = connection();
  connections.push(own);
  while (next < deliveries.length) {
    const { body, headers } = deliveries[next++]!;
    const sentAt = performance.now();
    const { status, text } = await own.post(body, headers);
    latencies.push(performance.now() - sentAt);
    if (status >= 300) failures.push(`${status} ${text.slice(0, 200)}`);
  }
};
const cpuBefore = process.cpuUsage();
const began = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const ms = performance.now() - began;
for (const own of connections) own.close();
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, latencies, failures })}\n`);
