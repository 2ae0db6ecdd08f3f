/**
 * The load side of the webhook ingest measurement (bench/ingest.ts), in a process of its own as
 * GitHub would be: builds every signed delivery first, then sends them `concurrency` at a time on
 * keep-alive connections and prints one JSON line: the wall time, each delivery's answer time, and
 * the answers that were not 2xx.
 *
 * Arguments: <url> <secret> <repositories> <from> <count> <concurrency>.
 */
import { createHmac, randomUUID } from 'node:crypto';
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

const deliveries = Array.from({ length: count }, (_, index) => ingestDelivery(from + index));
const latencies: number[] = [];
const failures: string[] = [];
let next = 0;
const worker = async () => {
  while (next < deliveries.length) {
    const { body, headers } = deliveries[next++]!;
    const sentAt = performance.now();
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    latencies.push(performance.now() - sentAt);
    if (response.status >= 300) failures.push(`${response.status} ${text.slice(0, 200)}`);
  }
};
const began = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
process.stdout.write(`${JSON.stringify({ ms: performance.now() - began, latencies, failures })}\n`);
