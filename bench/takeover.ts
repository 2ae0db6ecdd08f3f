/**
 * How soon a live replica takes over a sync whose replica died, with the service's own settings
 * (src/jobs/supervise-operations.ts: runs beat every 2 s, the supervisor looks every 2 s, a run
 * silent for 6 s is taken over). A second process (test/jobs/fixtures/pg-boss-sync-process.ts) runs
 * a 20,000-issue sync against the loopback simulator; at a third of it, it is
 *
 *   - killed with SIGKILL: on the same host the supervisor sees at once that its process is gone;
 *   - frozen with SIGSTOP: alive but silent, as a lost machine looks from another one; only the
 *     missing heartbeats tell;
 *
 * and the time from then to the live replica's first write to the operation (it has taken it over)
 * and to the sync's end is measured. Target: taken over within 10 s.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTokenCipher } from '../src/crypto/token-cipher.js';
import type { Database } from '../src/db/client.js';
import { createPgBossSyncJobs } from '../src/jobs/pg-boss-sync-jobs.js';
import type { Logger } from '../src/logger.js';
import { startGitHubSimulator } from '../test/support/github-simulator.js';
import { fastProviderOpener } from '../test/support/sync-runner.js';
import { fmtS, type BenchRow } from './bench-row.js';
import type { Stores } from './wiring.js';

const ISSUES = 20_000;
const TARGET_MS = 10_000;
const TOKEN = 'ghp_takeover';
const KEY = Buffer.alloc(32, 3);

export async function measureTakeover(ctx: { stores: Stores; db: Database; databaseUrl: string; log: Logger; say(line: string): void }): Promise<BenchRow[]> {
  const github = await startGitHubSimulator({ token: TOKEN });
  const cipher = createTokenCipher(KEY);
  // The live replica, with the service's settings (only the provider opener is the tests' one).
  // Its workers start once the other process runs the sync, so that it is the other one that runs it.
  const live = await createPgBossSyncJobs({
    pool: ctx.db.pool, stores: ctx.stores, openProvider: fastProviderOpener(cipher, ctx.log), log: ctx.log, startWorkers: false,
  });
  let liveStarted = false;
  const rows: BenchRow[] = [];
  try {
    for (const how of ['SIGKILL', 'SIGSTOP'] as const) {
      ctx.say(`takeover: a ${ISSUES.toLocaleString('en-US')}-issue sync whose replica gets ${how} at a third…`);
      const name = `takeover-${how.toLowerCase()}`;
      github.repo('octo', name, { issues: ISSUES });
      const project = await ctx.stores.projects.ensure(name);
      const repository = await ctx.db.prisma.repositoryConnection.create({
        data: {
          projectId: project.id, provider: 'github', fullPath: `octo/${name}`, url: `https://github.com/octo/${name}`,
          apiUrl: github.url, encryptedToken: cipher.encrypt(TOKEN),
        },
      });
      const fixture = fileURLToPath(new URL('../test/jobs/fixtures/pg-boss-sync-process.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, ctx.databaseUrl, project.id, repository.id, KEY.toString('hex')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = once(child, 'exit');
      try {
        const [line] = (await once(child.stdout!, 'data')) as [Buffer];
        const operationId = line.toString().trim();
        const read = () => ctx.db.prisma.syncOperation.findUniqueOrThrow({ where: { id: operationId } });
        while (!(await read()).jobId?.endsWith(`:${child.pid}`)) await sleep(20);
        if (!liveStarted) await live.startWorkers();
        liveStarted = true;
        while (((await read()).progress as { processed?: number }).processed! < ISSUES / 3) await sleep(20);
        child.kill(how);
        const stoppedAt = performance.now();
        const stoppedOwner = (await read()).jobId;
        // Taken over: the operation names another job, run by this process.
        let takenOverMs: number | null = null;
        for (;;) {
          const operation = await read();
          if (takenOverMs === null && operation.jobId !== stoppedOwner && operation.jobId?.endsWith(`:${process.pid}`)) {
            takenOverMs = performance.now() - stoppedAt;
          }
          if (['completed', 'failed', 'cancelled'].includes(operation.status)) break;
          if (performance.now() - stoppedAt > 180_000) throw new Error(`The ${how} sync did not finish within 3 minutes.`);
          await sleep(20);
        }
        const endedMs = performance.now() - stoppedAt;
        const operation = await read();
        const results = operation.results as { created: number; updated: number; skipped: number; failed: number };
        // Items of the page in flight that were written before the kill but after the last checkpoint
        // are found already there by the run that takes over: counted as unchanged, not created.
        const accounted = results.created + results.updated + results.skipped;
        if (operation.status !== 'completed' || accounted !== ISSUES || results.failed !== 0) {
          throw new Error(`The ${how} sync ended ${operation.status} with ${JSON.stringify(results)}, not ${ISSUES} items.`);
        }
        const stored = await ctx.db.prisma.issue.count({ where: { repositoryId: repository.id } });
        if (stored !== ISSUES) throw new Error(`The ${how} sync stored ${stored} issues, not ${ISSUES}.`);
        ctx.say(
          `  taken over ${fmtS(takenOverMs ?? endedMs)} after ${how}, finished ${fmtS(endedMs)} after it, ` +
            `${stored.toLocaleString('en-US')} issues stored once each (${results.created} counted created, ${results.skipped} unchanged)`,
        );
        rows.push({
          measurement: `takeover of a sync whose replica got ${how} (${how === 'SIGKILL' ? 'its process gone' : 'alive but silent, as a lost machine'})`,
          value: `${fmtS(takenOverMs ?? endedMs)} (finished after ${fmtS(endedMs)})`,
          target: `≤ ${fmtS(TARGET_MS)}`,
          ratio: `${((takenOverMs ?? endedMs) / TARGET_MS).toFixed(2)}×`,
          pass: (takenOverMs ?? endedMs) <= TARGET_MS,
        });
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    }
    return rows;
  } finally {
    await live.close();
    await github.close();
  }
}
