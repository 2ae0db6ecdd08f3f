/**
 * `npm run bench`: the sync engine against a loopback GitHub simulator and a real (embedded)
 * PostgreSQL, both started here, printing four ratios measured in this one run:
 *
 *   1. requests of a full sync of N issues + A alerts against ceil(N/100) + ceil(A/100) + 3;
 *   2. wall time of a 20,000-issue sync against a fetch-only floor (same pages, results discarded);
 *   3. speed against the naive baseline of bench/naive-sync.ts (5,000 issues);
 *   4. peak RSS of a 100,000-issue sync against a 1,000-issue one (CLI runs in child processes);
 *
 * then, with bin/issue-sync.js in child processes on an embedded PostgreSQL of their own (bench/start-cost.ts,
 * bench/whole-run.ts), what starting costs and a whole CLI sync:
 *
 *   5. `npm start` until /healthz answers, on a fresh data dir (initdb) and a warm one;
 *   6. `issue-sync --help`, and a CLI command's fixed cost (`migrate` on the warm data dir);
 *   7. a whole CLI sync of 20,000 issues, process start to exit, against the fetch-only floor, with the
 *      simulator answering each request after 50 ms and after 0 ms.
 *
 *   8. GitLab and Bitbucket (bench/hosts.ts): requests of a full sync against the same bound, and the
 *      wall time of a large sync against its fetch-only floor, each against its host's simulator;
 *   9. the GitHub stale check over 1,000 quiet repositories (bench/stale-checks.ts): points and
 *      requests of a round, and the time from the end of an outage to every change stored;
 *  10. the takeover of a sync whose replica died or froze (bench/takeover.ts): the time until a live
 *      replica runs it (target 10 s);
 *  11. webhook ingest (bench/ingest.ts): signed GitHub deliveries a second and their p99 answer time
 *      (targets 500 a second, p99 under 100 ms).
 *
 * Timings and peaks are the best of two alternating runs each (three for --help and the fixed cost).
 * Child processes inherit NODE_OPTIONS. `npm run bench -- start whole` runs only the measurements
 * named (requests, wall, naive, rss, hosts, stale, takeover, ingest, start, whole).
 *
 * A target missed is reported (MISS) and the exit code stays 0; a crash or a wrong result
 * (rows missing, requests not adding up) exits 1. Postgres and the temp dir are removed in every case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, type Database } from '../src/db/client.js';
import { removeEmbeddedCluster } from '../src/db/cluster-location.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger, type Logger } from '../src/logger.js';
import { startGitHubSimulator, type GitHubSimulator } from '../test/support/github-simulator.js';
import type { BenchRow } from './bench-row.js';
import { fetchOnly } from './fetch-only.js';
import { naiveSync } from './naive-sync.js';
import { measureHosts } from './hosts.js';
import { measureStaleChecks } from './stale-checks.js';
import { measureTakeover } from './takeover.js';
import { measureIngest } from './ingest.js';
import { measureStartCost } from './start-cost.js';
import { measureWholeRun } from './whole-run.js';
import { countRows, openGitHubProvider, openStores, syncLikeCli, type Stores } from './wiring.js';

const REQUESTS_ISSUES = 2_500;
const REQUESTS_ALERTS = 250;
const WALL_ISSUES = 20_000;
const NAIVE_ISSUES = 5_000;
const RSS_SMALL = 1_000;
const RSS_LARGE = 100_000;
const CHILD_TIMEOUT_MS = 5 * 60_000;

type Row = BenchRow;

class BenchFailure extends Error {
  override name = 'BenchFailure';
}

const benchStarted = performance.now();
const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const say = (line: string) => process.stdout.write(`${line}\n`);

let tempDir: string | undefined;
/** The data dir of the CLI and `npm start` runs (their own embedded PostgreSQL, started and stopped by each). */
let cliHome: string | undefined;
let postgres: EmbeddedPostgres | undefined;
let db: Database | undefined;
let github: GitHubSimulator | undefined;
const children = new Set<ChildProcess>();
let cleaning: Promise<void> | undefined;

/** Stops whatever this run started; safe to call more than once and from a signal handler. */
function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const child of children) child.kill('SIGKILL');
    await github?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await postgres?.stop().catch((error: unknown) => process.stderr.write(`bench: could not stop PostgreSQL: ${String(error)}\n`));
    if (tempDir) await removeEmbeddedCluster(tempDir).catch(() => undefined);
    if (cliHome) await removeEmbeddedCluster(cliHome).catch(() => undefined);
    if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
  })());
}

/** Ctrl-C cancels the sync in progress (through its signal) first; cleanup follows when it has stopped. */
const interrupt = new AbortController();
const { signal } = interrupt;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    process.stderr.write(`\nbench: ${name}, stopping PostgreSQL and removing ${tempDir ?? 'the temp dir'}…\n`);
    interrupt.abort(new Error(`Interrupted by ${name}.`));
    for (const child of children) child.kill('SIGKILL');
    // Should the run not wind down by itself, clean up anyway.
    setTimeout(() => void cleanup().finally(() => process.exit(130)), 10_000).unref();
  });
}

async function main(): Promise<Row[]> {
  const log = createLogger({ level: 'warn', name: 'bench' });
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-bench-'));
  const cpus = os.cpus();
  say(`issue-sync benchmark: node ${process.version}, ${cpus.length} CPU × ${cpus[0]?.model.trim() ?? 'unknown'}, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()}/${os.arch()}`);

  let t = performance.now();
  postgres = await startEmbeddedPostgres({ dataDir: tempDir, log });
  db = createDatabase(postgres.url);
  await migrate(db.pool, { log });
  const version = await db.pool.query<{ server_version: string }>('SHOW server_version');
  github = await startGitHubSimulator();
  say(`setup: embedded PostgreSQL ${version.rows[0]?.server_version ?? '?'} + migrations + simulator in ${fmtS(performance.now() - t)}`);

  const stores = openStores(db, log);
  const rows: Row[] = [];
  const chosen = process.argv.slice(2);
  const runs = (name: string) => chosen.length === 0 || chosen.includes(name);
  if (runs('requests')) rows.push(await measureRequests(stores, db, github, log));
  if (runs('wall')) rows.push(await measureWallTime(stores, db, github, log));
  if (runs('naive')) rows.push(await measureNaive(stores, db, github, log));
  if (runs('hosts')) rows.push(...(await measureHosts({ stores, db, log, signal, say })));
  if (runs('stale')) rows.push(...(await measureStaleChecks({ stores, db, log, say })));
  if (runs('takeover')) rows.push(...(await measureTakeover({ stores, db, databaseUrl: postgres.url, log, say })));
  if (runs('ingest')) rows.push(...(await measureIngest({ db, log, say })));
  if (runs('rss')) {
    t = performance.now();
    rows.push(await measureRss(db, github, postgres.url, tempDir));
    say(`  (peak RSS runs took ${fmtS(performance.now() - t)})`);
  }

  // The children start their own embedded PostgreSQL, as a user's `npm start` and CLI commands do.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  cliHome = path.join(tempDir, 'cli-home');
  // The whole-run measurement needs the warm data dir the start-cost one leaves.
  if (runs('start') || runs('whole')) rows.push(...(await measureStartCost({ root, env, dataDir: cliHome, children, say })));
  if (runs('whole')) {
    const whole = { root, env, dataDir: cliHome, github, log, signal, children, say };
    rows.push(await measureWholeRun(whole, 50));
    rows.push(await measureWholeRun(whole, 0));
  }
  return rows;
}

/** 1. Requests of a full sync against the bound ceil(N/100) + ceil(A/100) + 3. */
async function measureRequests(stores: Stores, db: Database, github: GitHubSimulator, log: Logger): Promise<Row> {
  const N = REQUESTS_ISSUES;
  const A = REQUESTS_ALERTS;
  say(`requests: full sync (type all, closed included) of ${fmtInt(N)} issues + ${fmtInt(A)} alerts…`);
  github.repo('bench', 'requests', { issues: N, alerts: A });
  github.clearRequests();
  const provider = await openGitHubProvider(github.url, 'bench/requests', log);
  const run = await syncLikeCli(stores, provider, { project: 'bench-requests', syncType: 'all', includeClosed: true, log, signal });
  const counted = provider.requestCount();
  const seen = github.requests.length;
  if (counted !== seen) {
    throw new BenchFailure(`The provider counted ${counted} requests but the simulator answered ${seen}.`);
  }
  const stored = await countRows(db, run.projectId);
  say(`  stored ${fmtInt(stored.issues)} issues + ${fmtInt(stored.alerts)} alerts (expected ${fmtInt(N)} + ${fmtInt(A)}); ` +
    `${counted} requests counted by the provider, ${seen} answered by the simulator; ${fmtS(run.ms)}`);
  if (stored.issues !== N || stored.alerts !== A) {
    throw new BenchFailure(`The database holds ${stored.issues} issues + ${stored.alerts} alerts, not ${N} + ${A}.`);
  }
  const bound = Math.ceil(N / 100) + Math.ceil(A / 100) + 3;
  const ratio = counted / bound;
  return {
    measurement: `requests, full sync of ${fmtInt(N)} issues + ${fmtInt(A)} alerts`,
    value: `${counted} (bound ${bound})`,
    target: '≤ 1.00× bound',
    ratio: `${ratio.toFixed(2)}×`,
    pass: ratio <= 1,
  };
}

/** 2. Wall time of a 20,000-issue sync against the fetch-only floor; best of two each, alternating. */
async function measureWallTime(stores: Stores, db: Database, github: GitHubSimulator, log: Logger): Promise<Row> {
  const N = WALL_ISSUES;
  say(`wall time: ${fmtInt(N)} issues, fetch-only floor vs sync, alternating, best of 2 each…`);
  github.repo('bench', 'wall', { issues: N });
  const floors: number[] = [];
  const syncs: number[] = [];
  for (let round = 1; round <= 2; round += 1) {
    const floorProvider = await openGitHubProvider(github.url, 'bench/wall', log);
    const floor = await fetchOnly(floorProvider, signal);
    if (floor.items !== N) throw new BenchFailure(`The fetch-only floor listed ${floor.items} issues, not ${N}.`);
    floors.push(floor.ms);

    const syncProvider = await openGitHubProvider(github.url, 'bench/wall', log);
    const run = await syncLikeCli(stores, syncProvider, { project: `bench-wall-${round}`, syncType: 'issues', includeClosed: true, log, signal });
    const stored = await countRows(db, run.projectId);
    if (stored.issues !== N) throw new BenchFailure(`The 20k sync stored ${stored.issues} issues, not ${N}.`);
    if (syncProvider.requestCount() !== floorProvider.requestCount()) {
      throw new BenchFailure(
        `The sync sent ${syncProvider.requestCount()} requests but the floor ${floorProvider.requestCount()}: not the same pages.`,
      );
    }
    syncs.push(run.ms);
    say(`  round ${round}: floor ${fmtS(floor.ms)}, sync ${fmtS(run.ms)} (${floorProvider.requestCount()} requests each, ${fmtInt(stored.issues)} rows stored)`);
  }
  const floor = Math.min(...floors);
  const sync = Math.min(...syncs);
  const ratio = sync / floor;
  return {
    measurement: `wall time, ${fmtInt(N)} issues vs fetch-only floor`,
    value: `${fmtS(sync)} vs ${fmtS(floor)}`,
    target: '≤ 1.50×',
    ratio: `${ratio.toFixed(2)}×`,
    pass: ratio <= 1.5,
  };
}

/** 3. The naive baseline's time against ours, on the same 5,000-issue repository, each into a fresh project. */
async function measureNaive(stores: Stores, db: Database, github: GitHubSimulator, log: Logger): Promise<Row> {
  const N = NAIVE_ISSUES;
  say(`naive baseline: ${fmtInt(N)} issues (collect all pages, then findFirst + create/update per issue) vs our sync…`);
  github.repo('bench', 'naive', { issues: N });

  const ours = await syncLikeCli(stores, await openGitHubProvider(github.url, 'bench/naive', log), {
    project: 'bench-naive-ours',
    syncType: 'issues',
    includeClosed: true,
    log,
    signal,
  });
  const oursRows = await countRows(db, ours.projectId);

  const provider = await openGitHubProvider(github.url, 'bench/naive', log);
  const project = await stores.projects.ensure('bench-naive-baseline');
  const info = await provider.repository(signal);
  const connection = await stores.repositories.connect({
    projectId: project.id,
    provider: 'github',
    fullPath: info.fullName,
    url: info.url,
    apiUrl: null,
    externalRepoId: info.id,
  });
  const started = performance.now();
  const naive = await naiveSync(db.prisma, provider, { projectId: project.id, repositoryId: connection.id }, signal);
  const naiveMs = performance.now() - started;
  const naiveRows = await countRows(db, project.id);
  say(`  ours ${fmtS(ours.ms)} (${fmtInt(oursRows.issues)} rows), naive ${fmtS(naiveMs)} (${fmtInt(naiveRows.issues)} rows, ${fmtInt(naive.created)} created)`);
  if (oursRows.issues !== N || naiveRows.issues !== N) {
    throw new BenchFailure(`Expected ${N} rows from both; ours stored ${oursRows.issues}, the naive baseline ${naiveRows.issues}.`);
  }
  const ratio = naiveMs / ours.ms;
  return {
    measurement: `speed vs naive baseline, ${fmtInt(N)} issues`,
    value: `${fmtS(ours.ms)} vs ${fmtS(naiveMs)}`,
    target: '≥ 10×',
    ratio: `${ratio.toFixed(1)}×`,
    pass: ratio >= 10,
  };
}

interface ChildReport {
  maxRssKb: number;
  exitCode: number;
  summary: { status: string; created: number; issues: number; requests: number; durationMs: number; error?: string } | null;
  stderr: string;
}

/** Runs bench/rss-child.ts (the CLI's sync) in a process of its own and returns its report. */
function runChild(apiUrl: string, repo: string, project: string, databaseUrl: string, dataDir: string): Promise<ChildReport> {
  const script = fileURLToPath(new URL('./rss-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    // With the heap limit bin/issue-sync.js and `npm start` run with.
    const child = spawn(process.execPath, ['--max-old-space-size=1024', '--import', 'tsx', script, apiUrl, repo, project], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, DATABASE_URL: databaseUrl, ISSUE_SYNC_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, killSignal) => {
      clearTimeout(timer);
      children.delete(child);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        reject(new BenchFailure(`The RSS child for ${repo} exited with ${killSignal ?? code} without a report.\n${stderr}${stdout}`));
      }
    });
  });
}

/**
 * 4. Peak RSS of the CLI's sync of 100,000 issues against 1,000, each in a fresh process and project.
 * Peak RSS moves by ±10% from run to run (it is mostly where V8 happens to collect), so each size runs
 * twice, alternating, and the lower peak of each counts.
 */
async function measureRss(db: Database, github: GitHubSimulator, databaseUrl: string, dir: string): Promise<Row> {
  say(`peak RSS: CLI sync of ${fmtInt(RSS_SMALL)} and of ${fmtInt(RSS_LARGE)} issues in child processes, alternating, best of 2 each…`);
  github.repo('bench', 'rss-small', { issues: RSS_SMALL });
  github.repo('bench', 'rss-large', { issues: RSS_LARGE });
  const dataDir = path.join(dir, 'cli');
  const peaks = new Map<number, number[]>([[RSS_SMALL, []], [RSS_LARGE, []]]);
  for (let round = 1; round <= 2; round += 1) {
    for (const [name, count] of [['rss-small', RSS_SMALL], ['rss-large', RSS_LARGE]] as const) {
      const project = `bench-${name}-${round}`;
      const report = await runChild(github.url, `bench/${name}`, project, databaseUrl, dataDir);
      const summary = report.summary;
      if (report.exitCode !== 0 || summary?.status !== 'completed') {
        throw new BenchFailure(`The CLI sync of ${fmtInt(count)} issues ended with ${report.exitCode}: ${summary?.error ?? report.stderr}`);
      }
      const stored = await db.pool.query<{ count: string }>(
        'SELECT count(*) AS count FROM "Issue" i JOIN "Project" p ON p.id = i."projectId" WHERE p.slug = $1',
        [project],
      );
      const rows = Number(stored.rows[0]?.count ?? 0);
      if (rows !== count || summary.issues !== count) {
        throw new BenchFailure(`The CLI sync of ${fmtInt(count)} issues listed ${summary.issues} and stored ${rows}.`);
      }
      const rate = summary.issues / (summary.durationMs / 1000);
      say(`  round ${round}, ${fmtInt(count).padStart(7)} issues: peak RSS ${fmtMb(report.maxRssKb)}, ${fmtS(summary.durationMs)} ` +
        `(${fmtInt(Math.round(rate))} issues/s, ${fmtInt(summary.requests)} requests, ${fmtInt(rows)} rows stored)`);
      peaks.get(count)!.push(report.maxRssKb);
    }
  }
  const small = Math.min(...peaks.get(RSS_SMALL)!);
  const large = Math.min(...peaks.get(RSS_LARGE)!);
  const ratio = large / small;
  return {
    measurement: `peak RSS, ${fmtInt(RSS_LARGE)} vs ${fmtInt(RSS_SMALL)} issues`,
    value: `${fmtMb(large)} vs ${fmtMb(small)}`,
    target: '≤ 1.20×',
    ratio: `${ratio.toFixed(2)}×`,
    pass: ratio <= 1.2,
  };
}

function printTable(rows: Row[]): void {
  const header = { measurement: 'measurement', value: 'value', target: 'target', ratio: 'ratio', result: 'result' };
  const lines = [header, ...rows.map((row) => ({ ...row, result: row.informational ? '—' : row.pass ? 'PASS' : 'MISS' }))];
  const keys = ['measurement', 'value', 'target', 'ratio', 'result'] as const;
  const width = Object.fromEntries(keys.map((key) => [key, Math.max(...lines.map((line) => line[key].length))]));
  const format = (line: (typeof lines)[number]) => keys.map((key) => line[key].padEnd(width[key]!)).join('  ').trimEnd();
  say('');
  say(format(header));
  say(keys.map((key) => '-'.repeat(width[key]!)).join('  '));
  for (const line of lines.slice(1)) say(format(line));
}

let exitCode = 0;
try {
  const rows = await main();
  printTable(rows);
  const targeted = rows.filter((row) => !row.informational);
  say(`\n${targeted.filter((row) => row.pass).length}/${targeted.length} targets met; total bench time ${fmtS(performance.now() - benchStarted)}`);
} catch (error) {
  exitCode = signal.aborted ? 130 : 1;
  if (signal.aborted) process.stderr.write('bench: interrupted.\n');
  else process.stderr.write(`\nbench: ${error instanceof BenchFailure ? error.message : (error as Error)?.stack ?? String(error)}\n`);
} finally {
  await cleanup();
}
process.exit(exitCode);
