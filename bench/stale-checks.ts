/**
 * The stale check of GitHub repositories (src/jobs/stale-check.ts) over 1,000 quiet repositories
 * read with one token against the loopback GitHub simulator, with the real pg-boss runner for the
 * backfills:
 *
 *   - a round of checks once every repository has an ETag: requests and rate-limit points (a point is
 *     any answer but a 304). Target: 0 points. The signals that cover an installation in one request
 *     are not built, so this round costs one request per repository, which the row shows;
 *   - an outage: 50 repositories edited with no delivery, then the time until every change is stored.
 *
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
    const ids: string[] = [];
    for (let i = 0; i < REPOSITORIES; i += 1) {
      github.repo('quiet', `r${i}`, { issues: 1 });
      const connection = await ctx.stores.repositories.connect({
        projectId: project.id, provider: 'github', fullPath: `quiet/r${i}`, url: `https://github.com/quiet/r${i}`, apiUrl: github.url,
      });
      ids.push(connection.id);
    }
    // Synced up to now, webhooks active: a repository as an install backfill leaves it.
    const watermark = github.now();
    await ctx.db.pool.query(
      `UPDATE "RepositoryConnection" SET "lastSyncAt" = now(), "issuesWatermark" = $2, "webhookStatus" = 'active' WHERE id = ANY($1::uuid[])`,
      [ids, watermark],
    );
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
      return { report, ms: performance.now() - started, requests: answers.length, points: answers.filter((answer) => answer.status !== 304).length };
    };

    const priming = await round(0.5);
    ctx.say(`  first round (no ETag yet): ${priming.report.checked} checked, ${priming.requests} requests, ${priming.points} points in ${fmtS(priming.ms)}`);
    const quiet = await round();
    ctx.say(`  quiet round: ${quiet.report.checked} checked, ${quiet.requests} requests, ${quiet.points} points in ${fmtS(quiet.ms)}`);
    if (quiet.report.checked !== REPOSITORIES) throw new Error(`The quiet round checked ${quiet.report.checked} repositories, not ${REPOSITORIES}.`);

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
        measurement: `stale check, ${REPOSITORIES.toLocaleString('en-US')} quiet repositories: rate-limit points per round`,
        value: `${quiet.points} (${quiet.requests} requests, all 304)`,
        target: '0 points',
        ratio: `${quiet.points}`,
        pass: quiet.points === 0,
      },
      {
        measurement: `stale check, ${REPOSITORIES.toLocaleString('en-US')} quiet repositories: requests per repository per round`,
        value: `${(quiet.requests / REPOSITORIES).toFixed(2)}`,
        target: '≪ 1 (one request per installation)',
        ratio: `${(quiet.requests / REPOSITORIES).toFixed(2)}`,
        pass: false,
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
