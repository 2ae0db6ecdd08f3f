/**
 * The stale check of GitHub repositories (src/jobs/stale-check.ts) over 1,000 quiet repositories of
 * one owner (100 of them with Dependabot alerts) read with one token against the loopback GitHub
 * simulator, with the real pg-boss runner for the backfills. Two ways of checking, measured in one run:
 *
 *   - each repository alone: a conditional request on its newest issues (and alerts) with the ETag its
 *     last check stored; a 304 costs no rate-limit point, but it is a request per repository;
 *   - through the owner's signal: one issue search (`user:OWNER updated:>=…`, of the search quota) and
 *     one conditional read of the organisation's Dependabot alerts (304 when none changed), plus this
 *     round's share of the hourly sweep that checks each repository alone once an hour.
 *   (An events feed with its ETag is the third candidate; GitHub's organisation events show public
 *   events only to an App and no Dependabot alert events, so it is not used.)
 *
 * Then an outage: 50 repositories edited with no delivery, and the time until every change is stored.
 * The first round (no ETag yet, one point each) only primes the ETags, with half the quota allowed.
 */
import type { Database } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';
import { createTokenCipher } from '../src/crypto/token-cipher.js';
import { createRepositoryProviderOpener } from '../src/jobs/open-repository-provider.js';
import { createPgBossSyncJobs } from '../src/jobs/pg-boss-sync-jobs.js';
import { createStaleCheck } from '../src/jobs/stale-check.js';
import { createServiceStateStore } from '../src/store/service-state-store.js';
import type { Logger } from '../src/logger.js';
import { createWebhookHealthStore } from '../src/store/webhook-health-store.js';
import { startGitHubSimulator } from '../test/support/github-simulator.js';
import { fmtS, type BenchRow } from './bench-row.js';
import type { Stores } from './wiring.js';

const REPOSITORIES = 1_000;
const EDITED = 50;

export async function measureStaleChecks(ctx: { stores: Stores; db: Database; log: Logger; say(line: string): void }): Promise<BenchRow[]> {
  const github = await startGitHubSimulator({ rateLimit: 15_000 });
  const config = loadConfig({ GITHUB_API_URL: github.url, STALE_CHECK_INTERVAL_S: '60' });
  const cipher = createTokenCipher(Buffer.alloc(32, 1));
  const openProvider = createRepositoryProviderOpener({ config, cipher, log: ctx.log });
  const jobs = await createPgBossSyncJobs({ pool: ctx.db.pool, stores: ctx.stores, openProvider, log: ctx.log, pollingIntervalSeconds: 0.5 });
  try {
    ctx.say(`stale checks: ${REPOSITORIES.toLocaleString('en-US')} quiet GitHub repositories, one token…`);
    const project = await ctx.stores.projects.ensure('bench-stale');
    // The repositories earlier measurements connected (on simulators of their own, now gone) would be
    // checked too: only this measurement's repositories stay active.
    await ctx.db.pool.query(`UPDATE "RepositoryConnection" SET active = false WHERE "projectId" <> $1::uuid`, [project.id]);
    const ids: string[] = [];
    // Dated yesterday: what the outage changes today is newer.
    const yesterday = Date.now() - 24 * 3600_000;
    const alertIds: string[] = [];
    for (let i = 0; i < REPOSITORIES; i += 1) {
      const repo = github.repo('quiet', `r${i}`, {
        issues: [{ state: 'open', createdAt: new Date(yesterday), updatedAt: new Date(yesterday) }],
        ...(i % 10 === 0 ? { alerts: [{ createdAt: new Date(yesterday), updatedAt: new Date(yesterday) }] } : {}),
      });
      const connection = await ctx.stores.repositories.connect({
        projectId: project.id, provider: 'github', fullPath: `quiet/r${i}`, url: `https://github.com/quiet/r${i}`, apiUrl: github.url,
        externalRepoId: String(repo.id),
      });
      ids.push(connection.id);
      if (i % 10 === 0) alertIds.push(connection.id);
    }
    // Synced up to now, webhooks active: a repository as an install backfill leaves it.
    const watermark = new Date(yesterday);
    await ctx.db.pool.query(
      `UPDATE "RepositoryConnection" SET "lastSyncAt" = now(), "issuesWatermark" = $2, "webhookStatus" = 'active' WHERE id = ANY($1::uuid[])`,
      [ids, watermark],
    );
    await ctx.db.pool.query(`UPDATE "RepositoryConnection" SET "alertsWatermark" = $2 WHERE id = ANY($1::uuid[])`, [alertIds, watermark]);
    const health = createWebhookHealthStore(ctx.db);
    let clock = Date.now();
    const check = (budgetShare?: number) =>
      createStaleCheck({
        health, openProvider, jobs, cipher, config, log: ctx.log, clock: () => new Date(clock), state: createServiceStateStore(ctx.db), ...(budgetShare ? { budgetShare } : {}),
      });
    const round = async (budgetShare?: number) => {
      clock += 61_000;
      const before = github.requests.length;
      const started = performance.now();
      const report = await check(budgetShare).tick();
      const answers = github.requests.slice(before);
      const search = answers.filter((answer) => answer.path.startsWith('/search/')).length;
      return {
        report,
        ms: performance.now() - started,
        requests: answers.length,
        search,
        // Core points: any answer but a 304, searches aside (they spend the search quota).
        points: answers.filter((answer) => answer.status !== 304 && !answer.path.startsWith('/search/')).length,
      };
    };
    const describe = (name: string, r: Awaited<ReturnType<typeof round>>) =>
      `  ${name}: ${r.report.checked} checked (${r.report.throughSignal} through the owner's signal), ${r.requests} requests (${r.search} search), ${r.points} core points in ${fmtS(r.ms)}`;

    const priming = await round(0.5);
    ctx.say(describe('first round (no ETag yet)', priming));
    // Each repository alone, as when no owner-wide signal is used.
    await ctx.db.pool.query(`UPDATE "RepositoryConnection" SET "lastProbedAt" = NULL WHERE id = ANY($1::uuid[])`, [ids]);
    const alone = await round();
    ctx.say(describe('each repository alone, with ETags', alone));
    const firstSignal = await round();
    ctx.say(describe("owner's signal, first (the alerts' ETag is learnt)", firstSignal));
    const quiet = await round();
    ctx.say(describe("owner's signal", quiet));
    // An hour after each was last checked alone, a round also checks its share of the sweep alone: the steady state.
    await ctx.db.pool.query(`UPDATE "RepositoryConnection" SET "lastProbedAt" = "lastProbedAt" - interval '1 hour' WHERE id = ANY($1::uuid[])`, [ids]);
    const steady = await round();
    ctx.say(describe("owner's signal with this round's share of the hourly sweep", steady));
    // A host that answers in 50 ms: what a round takes each alone, and through the owner's signal.
    github.setLatency(50);
    await ctx.db.pool.query(`UPDATE "RepositoryConnection" SET "lastProbedAt" = NULL WHERE id = ANY($1::uuid[])`, [ids]);
    const slowAlone = await round();
    ctx.say(describe('each repository alone, host answering in 50 ms', slowAlone));
    const slowSignal = await round();
    ctx.say(describe("owner's signal, host answering in 50 ms", slowSignal));
    github.setLatency(0);
    for (const r of [alone, quiet, steady, slowAlone, slowSignal]) {
      if (r.report.checked !== REPOSITORIES) throw new Error(`A quiet round checked ${r.report.checked} repositories, not ${REPOSITORIES}.`);
    }

    // The outage: changes with no delivery, then checks until every one is stored.
    for (let i = 0; i < EDITED; i += 1) github.repo('quiet', `r${i}`).editIssue(1, { title: `Edited during the outage ${i}` });
    const outageEnded = performance.now();
    let stored = 0;
    let rounds = 0;
    while (stored < EDITED && rounds < 5) {
      rounds += 1;
      await round();
      const operations = await ctx.db.pool.query<{ id: string }>(
        `SELECT id FROM "SyncOperation" WHERE "repositoryId" = ANY($1::uuid[]) AND trigger = 'stale_webhook' AND status IN ('pending', 'running')`,
        [ids],
      );
      for (const { id } of operations.rows) await jobs.waitFor(id);
      const result = await ctx.db.pool.query<{ count: string }>(
        `SELECT count(*) FROM "Issue" WHERE "repositoryId" = ANY($1::uuid[]) AND title LIKE 'Edited during the outage %'`,
        [ids],
      );
      stored = Number(result.rows[0]!.count);
    }
    const healedMs = performance.now() - outageEnded;
    if (stored !== EDITED) throw new Error(`After the outage ${stored} of ${EDITED} changes were stored.`);
    ctx.say(`  outage: ${EDITED} repositories edited with no delivery, every change stored ${fmtS(healedMs)} after it ended (${rounds} round, checks included)`);
    return [
      {
        measurement: `stale check, ${REPOSITORIES.toLocaleString('en-US')} quiet repositories: core rate-limit points per round`,
        value: `${steady.points} (${steady.requests} requests, ${steady.search} of them a search)`,
        target: '0 points',
        ratio: `${steady.points}`,
        pass: steady.points === 0,
      },
      {
        measurement: `stale check, ${REPOSITORIES.toLocaleString('en-US')} quiet repositories: requests per repository per round (sweep share included)`,
        value: `${(steady.requests / REPOSITORIES).toFixed(3)} (each alone: ${(alone.requests / REPOSITORIES).toFixed(2)})`,
        target: '≪ 1 (≤ 0.1)',
        ratio: `${(steady.requests / REPOSITORIES).toFixed(3)}`,
        pass: steady.requests / REPOSITORIES <= 0.1,
      },
      {
        measurement: `stale check, ${REPOSITORIES.toLocaleString('en-US')} quiet repositories: owner's signal alone (no sweep due)`,
        value: `${quiet.requests} requests, ${quiet.points} core points`,
        target: '—',
        ratio: '—',
        pass: true,
        informational: true,
      },
      {
        measurement: `stale check round, ${REPOSITORIES.toLocaleString('en-US')} quiet repositories, host answering in 50 ms`,
        value: `${fmtS(slowSignal.ms)} through the owner's signal, ${fmtS(slowAlone.ms)} each alone`,
        target: '—',
        ratio: '—',
        pass: true,
        informational: true,
      },
      {
        measurement: `end of an outage (${EDITED} repositories edited) to every change stored, checks included`,
        value: fmtS(healedMs),
        target: '—',
        ratio: '—',
        pass: true,
        informational: true,
      },
    ];
  } finally {
    await jobs.close();
    await github.close();
  }
}
