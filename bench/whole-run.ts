/**
 * A whole CLI sync as a user runs it, `issue-sync sync … --include-closed`, from process start to
 * exit (node, the build check, embedded PostgreSQL's start and stop included) on a warm data dir,
 * against the fetch-only floor of the same pages (fetched in this process and discarded), with the
 * simulator answering each request after `latencyMs`. Floor and sync alternate, best of 2 each.
 */
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../src/logger.js';
import type { GitHubSimulator } from '../test/support/github-simulator.js';
import { fmtS, type BenchRow } from './bench-row.js';
import { fetchOnly } from './fetch-only.js';
import { spawnTimed } from './spawn-timed.js';
import { openGitHubProvider } from './wiring.js';

const ISSUES = 20_000;
const LIMIT = 1.2;
const CHILD_TIMEOUT_MS = 5 * 60_000;

export interface WholeRunOptions {
  root: string;
  /** Environment of the CLI, without DATABASE_URL. */
  env: NodeJS.ProcessEnv;
  /** A data dir whose cluster is initialised and migrated (the start-cost measurement leaves one). */
  dataDir: string;
  github: GitHubSimulator;
  log: Logger;
  signal: AbortSignal;
  children: Set<ChildProcess>;
  say(line: string): void;
}

export async function measureWholeRun(options: WholeRunOptions, latencyMs: number): Promise<BenchRow> {
  const { github, say } = options;
  // A repository per latency: asking the simulator for one that exists would add the issues again.
  const name = `whole-${latencyMs}ms`;
  const repo = `bench/${name}`;
  github.repo('bench', name, { issues: ISSUES });
  say(`whole CLI sync: ${ISSUES.toLocaleString('en-US')} issues at ${latencyMs} ms per request, process start to exit vs fetch-only floor, alternating, best of 2 each…`);
  github.setLatency(latencyMs);
  const floors: number[] = [];
  const runs: number[] = [];
  try {
    for (let round = 1; round <= 2; round += 1) {
      const provider = await openGitHubProvider(github.url, repo, options.log);
      const floor = await fetchOnly(provider, options.signal);
      if (floor.items !== ISSUES) throw new Error(`The fetch-only floor listed ${floor.items} issues, not ${ISSUES}.`);
      floors.push(floor.ms);

      const project = `bench-whole-${latencyMs}ms-${round}`;
      const run = await spawnTimed(
        process.execPath,
        ['bin/issue-sync.js', 'sync', '--provider', 'github', '--repo', repo, '--api-url', github.url, '--project', project,
          '--type', 'issues', '--include-closed', '--confirm', '--json'],
        { cwd: options.root, env: { ...options.env, ISSUE_SYNC_DATA_DIR: options.dataDir }, timeoutMs: CHILD_TIMEOUT_MS, children: options.children },
      );
      const summary = lastJsonLine(run.stdout) as { status?: string; issues?: number; requests?: number; durationMs?: number } | null;
      if (run.code !== 0 || summary?.status !== 'completed' || summary.issues !== ISSUES) {
        throw new Error(`The whole CLI sync into ${project} exited with ${run.signal ?? run.code}: ${run.stderr}${run.stdout}`);
      }
      runs.push(run.ms);
      say(`  round ${round}: floor ${fmtS(floor.ms)} (${provider.requestCount()} requests), CLI ${fmtS(run.ms)} start to exit ` +
        `(the sync itself ${fmtS(summary.durationMs ?? 0)}, ${summary.requests} requests)`);
    }
  } finally {
    github.setLatency(0);
  }
  const floor = Math.min(...floors);
  const run = Math.min(...runs);
  const ratio = run / floor;
  return {
    measurement: `whole CLI sync, ${ISSUES.toLocaleString('en-US')} issues at ${latencyMs} ms/request vs fetch-only floor`,
    value: `${fmtS(run)} vs ${fmtS(floor)}`,
    target: `≤ ${LIMIT.toFixed(2)}×`,
    ratio: `${ratio.toFixed(2)}×`,
    pass: ratio <= LIMIT,
  };
}

function lastJsonLine(text: string): unknown {
  try {
    return JSON.parse(text.trim().split('\n').at(-1) ?? 'null');
  } catch {
    return null;
  }
}
