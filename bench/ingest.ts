/**
 * Webhook ingest: the real service (startService: Hono on a port, the GitHub App, the pg-boss jobs)
 * receiving signed `issues` deliveries of GitHub's own shape over loopback HTTP, 32 at a time on
 * keep-alive connections, each storing one issue. The deliveries are built and sent by a process of
 * their own (bench/ingest-load.ts), so the service's process does only the service's work. Printed: deliveries per second and the
 * 99th percentile of the time from sending a delivery to its answer (targets: at least 500 a second,
 * p99 under 100 ms on 2 cores), after a warm-up; every delivery must be answered 2xx and every issue
 * stored once.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createTokenCipher } from '../src/crypto/token-cipher.js';
import type { Database } from '../src/db/client.js';
import type { Logger } from '../src/logger.js';
import { startService } from '../src/serve/start-service.js';
import { createStores } from '../src/store/create-stores.js';
import { startGitHubSimulator } from '../test/support/github-simulator.js';
import { INSTALLATION_ID, type RepositoryFixture } from '../test/support/webhook-payloads.js';
import { fmtS, type BenchRow } from './bench-row.js';

const REPOSITORIES = 10;
const WARM_UP = 300;
const DELIVERIES = 5_000;
const CONCURRENCY = 32;
const SECRET = 'bench-webhook-secret';

/**
 * CPU time (ms) used so far by each process of the bench's PostgreSQL that `pg_stat_activity` lists
 * (its backends and background processes), by pid, from Linux's /proc; empty elsewhere. Other
 * clusters on the machine are not counted.
 */
async function postgresCpuMs(db: Database): Promise<Map<number, number>> {
  const ticksPerSecond = 100;
  const { rows } = await db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity');
  const used = new Map<number, number>();
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    used.set(pid, ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000);
  }
  return used;
}

/** CPU used between two readings of postgresCpuMs, by the processes present in both. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? ms);
  return total;
}

export async function measureIngest(ctx: { db: Database; log: Logger; say(line: string): void }): Promise<BenchRow[]> {
  const github = await startGitHubSimulator();
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const { prisma } = ctx.db;
  const project = await prisma.project.create({ data: { slug: 'bench-ingest', name: 'bench-ingest' } });
  const installation = await prisma.installation.create({
    data: { githubInstallationId: BigInt(INSTALLATION_ID), accountLogin: 'ingest', projectId: project.id },
  });
  const repositories: RepositoryFixture[] = [];
  for (let i = 0; i < REPOSITORIES; i += 1) {
    const repo = { id: 880_000 + i, fullName: `ingest/repo-${i}` };
    repositories.push(repo);
    await prisma.repositoryConnection.create({
      data: {
        projectId: project.id, provider: 'github', fullPath: repo.fullName, url: `https://github.com/${repo.fullName}`,
        externalRepoId: String(repo.id), installationId: installation.id, webhookStatus: 'active', lastSyncAt: new Date(),
      },
    });
  }
  const service = await startService({
    config: loadConfig({
      PORT: '0', APP_ID: '4242', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GITHUB_API_URL: github.url, LOG_LEVEL: 'warn',
    }),
    log: ctx.log,
    db: ctx.db,
    cipher: createTokenCipher(Buffer.alloc(32, 8)),
    stores: createStores(ctx.db),
  });
  const url = `http://127.0.0.1:${service.port}/api/github/webhooks`;
  /** Deliveries `from`… sent by a process of its own (bench/ingest-load.ts), as GitHub would send them. */
  const send = async (from: number, count: number): Promise<{ ms: number; cpuMs: number; latencies: number[]; failures: string[] }> => {
    const script = fileURLToPath(new URL('./ingest-load.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, SECRET, String(REPOSITORIES), String(from), String(count), String(CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`The delivery sender exited with ${code}.`);
    return JSON.parse(output) as { ms: number; cpuMs: number; latencies: number[]; failures: string[] };
  };
  try {
    ctx.say(`webhook ingest: ${DELIVERIES.toLocaleString('en-US')} signed issues deliveries, ${CONCURRENCY} at a time…`);
    const warm = await send(0, WARM_UP);
    const commits = async () =>
      Number((await ctx.db.pool.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n);
    const commitsBefore = await commits();
    const serviceCpuBefore = process.cpuUsage();
    const postgresCpuBefore = await postgresCpuMs(ctx.db);
    const run = await send(WARM_UP, DELIVERIES);
    const serviceCpu = process.cpuUsage(serviceCpuBefore);
    const postgresCpu = cpuBetween(postgresCpuBefore, await postgresCpuMs(ctx.db));
    // The statistics reach pg_stat_database within a second or so.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const commitsPerDelivery = ((await commits()) - commitsBefore) / DELIVERIES;
    const failures = [...warm.failures, ...run.failures];
    if (failures.length > 0) throw new Error(`${failures.length} deliveries were not answered 2xx, e.g. ${failures[0]}`);
    const stored = await prisma.issue.count({ where: { projectId: project.id } });
    if (stored !== WARM_UP + DELIVERIES) throw new Error(`${stored} issues stored, not ${WARM_UP + DELIVERIES}.`);
    const sorted = [...run.latencies].sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    const perSecond = DELIVERIES / (run.ms / 1000);
    ctx.say(
      `  ${DELIVERIES.toLocaleString('en-US')} deliveries in ${fmtS(run.ms)}: ${perSecond.toFixed(0)} a second; ` +
        `latency p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; ${stored.toLocaleString('en-US')} issues stored once each; ` +
        `${commitsPerDelivery.toFixed(1)} database transactions per delivery (background work included)`,
    );
    const perDelivery = (ms: number) => `${(ms / DELIVERIES).toFixed(2)} ms`;
    ctx.say(
      `  CPU per delivery: service ${perDelivery((serviceCpu.user + serviceCpu.system) / 1000)} (system ${perDelivery(serviceCpu.system / 1000)}), ` +
        `PostgreSQL ${perDelivery(postgresCpu)}, sender ${perDelivery(run.cpuMs)} ` +
        `(2 cores give ${(2000 / 500).toFixed(0)} ms per delivery at 500 a second)`,
    );
    return [
      {
        measurement: `webhook ingest, signed GitHub issues deliveries, ${CONCURRENCY} at a time: deliveries per second`,
        value: perSecond.toFixed(0),
        target: '≥ 500',
        ratio: `${(perSecond / 500).toFixed(2)}×`,
        pass: perSecond >= 500,
      },
      {
        measurement: 'webhook ingest: 99th percentile of a delivery\'s answer time',
        value: `${p(0.99).toFixed(1)} ms (p50 ${p(0.5).toFixed(1)} ms)`,
        target: '< 100 ms',
        ratio: `${(p(0.99) / 100).toFixed(2)}×`,
        pass: p(0.99) < 100,
      },
    ];
  } finally {
    await service.close();
    await github.close();
  }
}
