/**
 * GitLab and Bitbucket against their loopback simulators (test/support), as `issue-sync sync` runs them:
 *
 *   - requests of a full sync against ceil(N/100) + ceil(A/100) + 3 (N issues, A security alerts);
 *   - wall time of a large sync against a fetch-only floor: the same listings with the results discarded
 *     (GitLab: 20,000 issues, the listing and its catch-up; Bitbucket: 10,000 findings in 100 reports),
 *     with the simulator answering at once (the sync is then bound by the database writes, about
 *     6,000 rows a second here, while these simulators serve a page in a few milliseconds) and
 *     after 50 ms per request, still faster than the real hosts answer a page of 100.
 */
import type { Database } from '../src/db/client.js';
import type { Logger } from '../src/logger.js';
import type { Provider } from '../src/providers/provider.js';
import { startBitbucketSimulator, type BitbucketSimulator } from '../test/support/bitbucket-simulator.js';
import { createGitLabSimulator, type GitLabSimulator } from '../test/support/gitlab-simulator.js';
import { fmtS, type BenchRow } from './bench-row.js';
import { fetchOnly } from './fetch-only.js';
import { countRows, openHostProvider, syncLikeCli, type Stores } from './wiring.js';

const GITLAB_TOKEN = 'glpat-bench';
const BITBUCKET_TOKEN = 'bitbucket-bench';
const fmtInt = (n: number) => n.toLocaleString('en-US');

export interface HostBenchContext {
  stores: Stores;
  db: Database;
  log: Logger;
  signal: AbortSignal;
  say(line: string): void;
}

export async function measureHosts(ctx: HostBenchContext): Promise<BenchRow[]> {
  const gitlab = await createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: 'developer' } });
  const bitbucket = await startBitbucketSimulator({ accessToken: BITBUCKET_TOKEN });
  try {
    return [
      await gitlabRequests(ctx, gitlab),
      await gitlabWall(ctx, gitlab, 0),
      await gitlabWall(ctx, gitlab, 50),
      await bitbucketRequests(ctx, bitbucket),
      await bitbucketWall(ctx, bitbucket, 0),
      await bitbucketWall(ctx, bitbucket, 50),
    ];
  } finally {
    await gitlab.close();
    await bitbucket.close();
  }
}

const openGitLab = (ctx: HostBenchContext, gitlab: GitLabSimulator, repo: string) =>
  openHostProvider('gitlab', { apiUrl: gitlab.url, repo, token: GITLAB_TOKEN, log: ctx.log });
const openBitbucket = (ctx: HostBenchContext, bitbucket: BitbucketSimulator, repo: string) =>
  openHostProvider('bitbucket', { apiUrl: bitbucket.url, repo, token: BITBUCKET_TOKEN, log: ctx.log });

function requestsRow(host: string, what: string, counted: number, bound: number): BenchRow {
  const ratio = counted / bound;
  return {
    measurement: `${host} requests, full sync of ${what}`,
    value: `${counted} (bound ${bound})`,
    target: '≤ 1.00× bound',
    ratio: `${ratio.toFixed(2)}×`,
    pass: ratio <= 1,
  };
}

function wallRow(host: string, what: string, latencyMs: number, syncMs: number, floorMs: number): BenchRow {
  const ratio = syncMs / floorMs;
  return {
    measurement: `${host} wall time, ${what} at ${latencyMs} ms/request vs fetch-only floor`,
    value: `${fmtS(syncMs)} vs ${fmtS(floorMs)}`,
    target: '≤ 1.50×',
    ratio: `${ratio.toFixed(2)}×`,
    pass: ratio <= 1.5,
  };
}

function expectStored(host: string, stored: { issues: number; alerts: number }, issues: number, alerts: number): void {
  if (stored.issues !== issues || stored.alerts !== alerts) {
    throw new Error(`${host}: the database holds ${stored.issues} issues + ${stored.alerts} alerts, not ${issues} + ${alerts}.`);
  }
}

async function gitlabRequests(ctx: HostBenchContext, gitlab: GitLabSimulator): Promise<BenchRow> {
  const N = 2_500;
  const A = 250;
  ctx.say(`GitLab requests: full sync (type all, closed included) of ${fmtInt(N)} issues + ${fmtInt(A)} vulnerabilities…`);
  gitlab.project('bench/requests', { issues: N, vulnerabilities: A });
  gitlab.clearRequests();
  const provider = await openGitLab(ctx, gitlab, 'bench/requests');
  const run = await syncLikeCli(ctx.stores, provider, { project: 'bench-gl-requests', syncType: 'all', includeClosed: true, log: ctx.log, signal: ctx.signal });
  const counted = provider.requestCount();
  if (counted !== gitlab.requests.length) {
    throw new Error(`GitLab: the provider counted ${counted} requests but the simulator answered ${gitlab.requests.length}.`);
  }
  expectStored('GitLab', await countRows(ctx.db, run.projectId), N, A);
  ctx.say(`  ${counted} requests, ${fmtInt(N + A)} rows stored in ${fmtS(run.ms)}`);
  return requestsRow('GitLab', `${fmtInt(N)} issues + ${fmtInt(A)} vulnerabilities`, counted, Math.ceil(N / 100) + Math.ceil(A / 100) + 3);
}

async function gitlabWall(ctx: HostBenchContext, gitlab: GitLabSimulator, latencyMs: number): Promise<BenchRow> {
  const N = 20_000;
  ctx.say(`GitLab wall time: ${fmtInt(N)} issues at ${latencyMs} ms/request, fetch-only floor vs sync, alternating, best of 2 each…`);
  const path = `bench/wall-${latencyMs}`;
  gitlab.project(path, { issues: N });
  gitlab.setLatency(latencyMs);
  const floors: number[] = [];
  const syncs: number[] = [];
  for (let round = 1; round <= 2; round += 1) {
    const floor = await fetchOnly(await openGitLab(ctx, gitlab, path), ctx.signal);
    if (floor.items < N) throw new Error(`GitLab: the fetch-only floor listed ${floor.items} issues, fewer than ${N}.`);
    floors.push(floor.ms);
    const run = await syncLikeCli(ctx.stores, await openGitLab(ctx, gitlab, path), {
      project: `bench-gl-wall-${latencyMs}-${round}`, syncType: 'issues', includeClosed: true, log: ctx.log, signal: ctx.signal,
    });
    expectStored('GitLab', await countRows(ctx.db, run.projectId), N, 0);
    syncs.push(run.ms);
    ctx.say(`  round ${round}: floor ${fmtS(floor.ms)}, sync ${fmtS(run.ms)}`);
  }
  gitlab.setLatency(0);
  return wallRow('GitLab', `${fmtInt(N)} issues`, latencyMs, Math.min(...syncs), Math.min(...floors));
}

/** Findings in reports of 100 annotations each (a scanner's report per tool and commit). */
function seedFindings(bitbucket: BitbucketSimulator, slug: string, findings: number): void {
  const repo = bitbucket.repo('bench', slug);
  for (let report = 0; report * 100 < findings; report += 1) {
    repo.securityReport(`scanner-${report + 1}`, Math.min(100, findings - report * 100));
  }
}

async function bitbucketRequests(ctx: HostBenchContext, bitbucket: BitbucketSimulator): Promise<BenchRow> {
  const A = 2_500;
  ctx.say(`Bitbucket requests: full sync (type all) of ${fmtInt(A)} findings in ${Math.ceil(A / 100)} reports (issues: removed)…`);
  seedFindings(bitbucket, 'requests', A);
  const before = bitbucket.requests.length;
  const provider = await openBitbucket(ctx, bitbucket, 'bench/requests');
  const run = await syncLikeCli(ctx.stores, provider, { project: 'bench-bb-requests', syncType: 'all', includeClosed: true, log: ctx.log, signal: ctx.signal });
  const counted = provider.requestCount();
  const answered = bitbucket.requests.length - before;
  if (counted !== answered) throw new Error(`Bitbucket: the provider counted ${counted} requests but the simulator answered ${answered}.`);
  expectStored('Bitbucket', await countRows(ctx.db, run.projectId), 0, A);
  ctx.say(`  ${counted} requests, ${fmtInt(A)} findings stored in ${fmtS(run.ms)}`);
  return requestsRow('Bitbucket', `0 issues + ${fmtInt(A)} findings`, counted, Math.ceil(A / 100) + 3);
}

async function fetchFindings(provider: Provider, signal: AbortSignal): Promise<{ ms: number; items: number }> {
  const started = performance.now();
  let items = 0;
  for await (const page of provider.listSecurityAlerts!({ state: 'all', signal })) items += page.items.length;
  return { ms: performance.now() - started, items };
}

async function bitbucketWall(ctx: HostBenchContext, bitbucket: BitbucketSimulator, latencyMs: number): Promise<BenchRow> {
  const A = 10_000;
  ctx.say(`Bitbucket wall time: ${fmtInt(A)} findings at ${latencyMs} ms/request, fetch-only floor vs sync, alternating, best of 2 each…`);
  const slug = `wall-${latencyMs}`;
  seedFindings(bitbucket, slug, A);
  bitbucket.latencyMs = latencyMs;
  const floors: number[] = [];
  const syncs: number[] = [];
  for (let round = 1; round <= 2; round += 1) {
    const floor = await fetchFindings(await openBitbucket(ctx, bitbucket, `bench/${slug}`), ctx.signal);
    if (floor.items !== A) throw new Error(`Bitbucket: the fetch-only floor listed ${floor.items} findings, not ${A}.`);
    floors.push(floor.ms);
    const run = await syncLikeCli(ctx.stores, await openBitbucket(ctx, bitbucket, `bench/${slug}`), {
      project: `bench-bb-wall-${latencyMs}-${round}`, syncType: 'security', includeClosed: true, log: ctx.log, signal: ctx.signal,
    });
    expectStored('Bitbucket', await countRows(ctx.db, run.projectId), 0, A);
    syncs.push(run.ms);
    ctx.say(`  round ${round}: floor ${fmtS(floor.ms)}, sync ${fmtS(run.ms)}`);
  }
  bitbucket.latencyMs = 0;
  return wallRow('Bitbucket', `${fmtInt(A)} findings`, latencyMs, Math.min(...syncs), Math.min(...floors));
}
