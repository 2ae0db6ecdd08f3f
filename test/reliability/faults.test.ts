/**
 * Syncs through the real pg-boss runner against simulated hosts that misbehave: a seeded mix of
 * 5xx, 429 with Retry-After, secondary-limit 403s, a spent primary limit, connections cut before the
 * answer or halfway through its body, slow pages and pages stalled past the per-attempt timeout,
 * while items are edited and created mid-walk (GitHub issues and Dependabot alerts, GitLab issues;
 * Bitbucket findings get the faults only).
 * Each sync must end completed with exactly what the host holds at the end: every item once, with
 * its last title and state, and counts that add up.
 *
 * A worker killed with SIGKILL mid-sync is covered in test/jobs/pg-boss-sync-jobs.test.ts ("a sync
 * process killed mid-run resumes and ends with exact counts, refetching at most one page").
 *
 * RELIABILITY_SEED replays another mix (the seed is printed with the summary); RELIABILITY_LOG=1
 * prints the warnings of the runner and providers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import type { PgBossSyncJobs } from '../../src/jobs/pg-boss-sync-jobs.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { createProvider } from '../../src/providers/index.js';
import type { RepositoryRecord, SyncResults } from '../../src/store/issue-store.js';
import { githubFaults, startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createGitLabSimulator, gitlabFaults, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { bitbucketFaults, startBitbucketSimulator, type BitbucketSimulator, type FindingSeed } from '../support/bitbucket-simulator.js';
import { startTestRunner } from '../support/sync-runner.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createFaultPlan, type FaultPlan } from './fault-plan.js';
import { reliabilitySeed, seededRandom, type SeededRandom } from '../support/seeded-random.js';

const SEED = reliabilitySeed(20261202);
const TOKEN = 'ghp_reliabilitySuite';
const cipher = createTokenCipher(Buffer.alloc(32, 7));
const STALL_TIMEOUT_MS = 3000;
const log = process.env.RELIABILITY_LOG ? createLogger({ level: 'warn' }) : silentLogger();

let database: TestDatabase;
let jobs: PgBossSyncJobs;
const summaries: string[] = [];

/**
 * The service's provider settings, scaled down: a Retry-After of a second or two is waited out in
 * the provider, a primary limit whose reset is further away sends the job back to the queue until
 * then, and 5xx and network retries back off from 5 ms.
 */
async function openProvider(repository: RepositoryRecord) {
  return createProvider(repository.provider, {
    repo: repository.fullPath,
    apiUrl: repository.apiUrl!,
    token: cipher.decrypt(repository.encryptedToken!),
    maxRateLimitWaitMs: 2500,
    retryBaseMs: 5,
    // A page slower than this is abandoned and asked for again (the 'stalled page' fault).
    timeoutMs: STALL_TIMEOUT_MS,
    log,
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  jobs = await startTestRunner(database.db, { cipher, log, openProvider });
});

afterAll(async () => {
  await jobs?.close();
  await database?.drop();
  if (summaries.length) console.log(`reliability seed ${SEED}\n${summaries.join('\n')}`);
});

async function connect(provider: 'github' | 'gitlab' | 'bitbucket', fullPath: string, url: string, apiUrl: string) {
  const { prisma } = database.db;
  const project = await prisma.project.create({ data: { slug: `${provider}-faults`, name: `${provider} faults` } });
  const repository = await prisma.repositoryConnection.create({
    data: { projectId: project.id, provider, fullPath, url, apiUrl, encryptedToken: cipher.encrypt(TOKEN) },
  });
  return { projectId: project.id, repositoryId: repository.id };
}

async function runSync(target: { projectId: string; repositoryId: string }, syncType: 'issues' | 'security' | 'all') {
  const started = await jobs.start({ ...target, syncType, includeClosed: true, trigger: 'manual' });
  expect(started.status).toBe('started');
  return jobs.waitFor(started.operation.id);
}

interface StoredItem {
  title: string;
  state: string;
  kind: string;
}

/** What the database holds for the repository, by externalId; fails on a duplicate or an item without one. */
async function storedItems(repositoryId: string): Promise<Map<string, StoredItem>> {
  const rows = await database.db.prisma.issue.findMany({
    where: { repositoryId },
    select: { externalId: true, title: true, state: true, kind: true },
  });
  const items = new Map<string, StoredItem>();
  for (const row of rows) {
    expect(row.externalId, 'every synced row has an externalId').toEqual(expect.any(String));
    expect(items.has(row.externalId!), `duplicate ${row.externalId}`).toBe(false);
    items.set(row.externalId!, { title: row.title, state: row.state, kind: row.kind });
  }
  return items;
}

/** The counts of a completed sync agree with what it stored (a fresh repository, so all of it is new). */
function expectConsistentCounts(results: SyncResults, stored: Map<string, StoredItem>, edits: number) {
  const issues = [...stored.values()].filter((item) => item.kind === 'issue').length;
  const alerts = stored.size - issues;
  expect(results).toMatchObject({ created: stored.size, failed: 0, issues, securityAlerts: alerts });
  // The catch-up counts an item edited after it was listed as updated: never more than the edits made.
  expect(results.updated).toBeLessThanOrEqual(edits);
  expect(results.created + results.updated + results.skipped).toBeGreaterThanOrEqual(stored.size);
}

function summary(host: string, plan: FaultPlan<string>, survived: boolean, changes: { edits: number; creations: number }, ms: number) {
  const line = `${host}: faults injected: ${plan.total()} (${plan.describe()}), survived: ${survived ? plan.total() : 0}; edits mid-walk ${changes.edits}, creations ${changes.creations}; ${(ms / 1000).toFixed(1)} s`;
  summaries.push(line);
  console.log(line);
}

/** A slow page: answered within the provider's timeout. Slow pages are waits, not scripted answers. */
async function slow(random: SeededRandom) {
  await sleep(random.between(300, 1200));
}

/** A stalled page: answered only after the provider gave up on it (and asked again). */
async function stall() {
  await sleep(STALL_TIMEOUT_MS + 500);
}

describe('GitHub sync under faults', () => {
  let github: GitHubSimulator;
  beforeAll(async () => {
    github = await startGitHubSimulator({ token: TOKEN });
  });
  afterEach(() => github.onRequest(null));
  afterAll(async () => {
    await github?.close();
  });

  const KINDS = ['5xx', '429 retry-after', 'secondary 403', 'primary limit', 'reset before headers', 'reset mid-body', 'slow page', 'stalled page'] as const;
  type Kind = (typeof KINDS)[number];

  it('a sync of ~1,000 issues and their alerts ends with exactly what GitHub holds, whatever it answers on the way', async () => {
    const began = Date.now();
    const random = seededRandom(SEED);
    const repo = github.repo('octo', 'unreliable', { issues: 1000, pullRequests: 25, alerts: 80 });
    const target = await connect('github', 'octo/unreliable', 'https://github.com/octo/unreliable', github.url);
    const plan = createFaultPlan<Kind>({
      kinds: KINDS,
      random,
      firstChance: 0.7,
      chance: 0.45,
      caps: { 'primary limit': 2, 'slow page': 4, 'stalled page': 2 },
    });
    const changes = { edits: 0, creations: 0 };
    const base = '/repos/octo/unreliable';

    github.onRequest(async ({ url }) => {
      if (!url.pathname.startsWith(base)) return;
      // Data changes mid-walk, only while a part's main listing runs (its catch-up sees them after).
      const issueWalk = url.pathname === `${base}/issues` && !url.searchParams.has('since');
      const alertWalk = url.pathname === `${base}/dependabot/alerts` && url.searchParams.get('sort') !== 'updated';
      if (issueWalk && random.next() < 0.6) {
        for (let k = random.between(1, 6); k > 0; k -= 1) {
          const number = random.between(1, repo.itemCount);
          if ('pull_request' in repo.issue(number)) continue;
          repo.editIssue(number, {
            title: `Edited mid-sync ${changes.edits} (#${number})`,
            ...(random.next() < 0.4 ? { state: random.pick(['open', 'closed'] as const) } : {}),
          });
          changes.edits += 1;
        }
      }
      if (issueWalk && random.next() < 0.35) {
        const at = new Date(Math.max(Date.now(), github.now().getTime() + 1000));
        const count = random.between(1, 3);
        repo.addIssues(count, (k) => ({ title: `Created mid-sync ${changes.creations + k}`, createdAt: at, updatedAt: at, state: random.pick(['open', 'closed'] as const) }));
        changes.creations += count;
      }
      if (alertWalk && random.next() < 0.6) {
        repo.editAlert(random.between(1, 80), { state: random.pick(['open', 'fixed', 'dismissed'] as const), summary: `Alert edited mid-sync ${changes.edits}` });
        changes.edits += 1;
        const at = new Date(Math.max(Date.now(), github.now().getTime() + 1000));
        repo.addAlerts(1, { createdAt: at, updatedAt: at, summary: `Alert created mid-sync ${changes.creations}` });
        changes.creations += 1;
      }

      const kind = plan.next(url.pathname + url.search);
      if (kind === null) return;
      const path = new RegExp(`^${escapeRegExp(url.pathname + url.search)}$`);
      const inject = (fault: Parameters<GitHubSimulator['fault']>[0]) => github.fault({ ...fault, path, times: 1 });
      switch (kind) {
        case '5xx':
          return inject(githubFaults.serverError(random.pick([500, 502, 503, 504])));
        case '429 retry-after':
          return inject(githubFaults.tooManyRequests(1));
        case 'secondary 403':
          return inject(githubFaults.secondaryRateLimit(random.pick([0, 1])));
        case 'primary limit':
          return inject(githubFaults.primaryRateLimit(new Date(Math.ceil(Date.now() / 1000) * 1000 + random.between(1, 3) * 1000)));
        case 'reset before headers':
          return inject(githubFaults.connectionReset('before-headers'));
        case 'reset mid-body':
          return inject(githubFaults.connectionReset('mid-body'));
        case 'slow page':
          return slow(random);
        case 'stalled page':
          return stall();
      }
    });

    const done = await runSync(target, 'all');
    github.onRequest(null);
    expect(done, JSON.stringify(done?.error)).toMatchObject({ status: 'completed', error: null });
    for (const kind of KINDS) expect(plan.injected[kind], `${kind} injected (seed ${SEED})`).toBeGreaterThan(0);

    const stored = await storedItems(target.repositoryId);
    const expected = new Map<string, StoredItem>();
    for (let number = 1; number <= repo.itemCount; number += 1) {
      const issue = repo.issue(number);
      if ('pull_request' in issue) continue;
      expected.set(`github:https://github.com/octo/unreliable:${number}`, { title: String(issue.title), state: String(issue.state), kind: 'issue' });
    }
    for (let number = 1; repo.findAlert(number); number += 1) {
      const alert = repo.findAlert(number)!;
      const advisory = alert.security_advisory as { summary: string };
      expected.set(`github:https://github.com/octo/unreliable:alert-${number}`, {
        title: advisory.summary,
        state: alert.state === 'open' ? 'open' : 'closed',
        kind: 'security_alert',
      });
    }
    expect(stored.size).toBe(expected.size);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    expectConsistentCounts(done!.results, stored, changes.edits);
    summary('github', plan, true, changes, Date.now() - began);
  }, 90_000);
});

describe('GitHub answers cut off mid-body', () => {
  let github: GitHubSimulator;
  beforeAll(async () => {
    github = await startGitHubSimulator({ token: TOKEN });
    github.repo('octo', 'cut', { issues: 250 });
  });
  afterAll(async () => {
    await github?.close();
  });

  const provider = () => createProvider('github', { repo: 'octo/cut', apiUrl: github.url, token: TOKEN, retryBaseMs: 1 });
  const listAll = async () => {
    let count = 0;
    for await (const page of (await provider()).listIssues({ state: 'all' })) count += page.items.length;
    return count;
  };

  it('are requested again, and the listing is whole', async () => {
    github.clearRequests();
    github.fault({ ...githubFaults.connectionReset('mid-body'), path: /^\/repos\/octo\/cut\/issues\?.*page=2/, times: 2 });
    expect(await listAll()).toBe(250);
    const pageTwo = github.requests.filter((request) => /\/issues\?.*page=2/.test(request.path)).map((request) => request.status);
    expect(pageTwo).toEqual([0, 0, 200]);
  });

  it('fail as unreachable (retried later by the job) when every attempt is cut', async () => {
    github.fault({ ...githubFaults.connectionReset('mid-body'), path: /^\/repos\/octo\/cut\/issues\?/, times: 4 });
    await expect(listAll()).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('cut the connection') });
  });
});

describe('GitLab sync under faults', () => {
  let gitlab: GitLabSimulator;
  beforeAll(async () => {
    gitlab = await createGitLabSimulator();
  });
  afterEach(() => gitlab.onRequest(null));
  afterAll(async () => {
    await gitlab?.close();
  });

  const KINDS = ['5xx', '429 retry-after', 'quota spent', 'reset before headers', 'reset mid-body', 'slow page', 'stalled page'] as const;
  type Kind = (typeof KINDS)[number];

  it('a sync of ~1,000 issues ends with exactly what GitLab holds, whatever it answers on the way', async () => {
    const began = Date.now();
    const random = seededRandom(SEED + 1);
    const project = gitlab.project('acme/tools/unreliable', { issues: 1000 });
    const target = await connect('gitlab', 'acme/tools/unreliable', project.webUrl, gitlab.url);
    const plan = createFaultPlan<Kind>({ kinds: KINDS, random, firstChance: 0.7, chance: 0.45, caps: { 'quota spent': 2, 'slow page': 4, 'stalled page': 2 } });
    const changes = { edits: 0, creations: 0 };

    gitlab.onRequest(async ({ url }) => {
      if (!url.pathname.startsWith(`/api/v4/projects/`)) return;
      const issueWalk = url.pathname.endsWith('/issues') && !url.searchParams.has('updated_after');
      if (issueWalk && random.next() < 0.6) {
        for (let k = random.between(1, 6); k > 0; k -= 1) {
          const iid = random.between(1, project.issues.length);
          project.editIssue(iid, {
            title: `Edited mid-sync ${changes.edits} (#${iid})`,
            ...(random.next() < 0.4 ? { state: random.pick(['opened', 'closed'] as const) } : {}),
          });
          changes.edits += 1;
        }
      }
      if (issueWalk && random.next() < 0.35) {
        const count = random.between(1, 3);
        for (let k = 0; k < count; k += 1) {
          const [created] = project.addIssues(1, { title: `Created mid-sync ${changes.creations}`, createdAt: new Date() });
          // Created now, as on GitLab: its update time is the present too.
          project.editIssue(created!.iid, {});
          changes.creations += 1;
        }
      }

      const kind = plan.next(url.pathname + url.search);
      if (kind === null) return;
      const path = new RegExp(`^${escapeRegExp(url.pathname + url.search)}$`);
      const inject = (fault: Parameters<GitLabSimulator['fault']>[0]) => gitlab.fault({ ...fault, path, times: 1 });
      switch (kind) {
        case '5xx':
          return inject(gitlabFaults.serverError(random.pick([500, 502, 503])));
        case '429 retry-after':
          return inject(gitlabFaults.tooManyRequests({ retryAfterSeconds: 1 }));
        case 'quota spent':
          return inject(gitlabFaults.tooManyRequests({ resetAt: new Date(Math.ceil(Date.now() / 1000) * 1000 + random.between(1, 4) * 1000) }));
        case 'reset before headers':
          return inject(gitlabFaults.connectionReset('before-headers'));
        case 'reset mid-body':
          return inject(gitlabFaults.connectionReset('mid-body'));
        case 'slow page':
          return slow(random);
        case 'stalled page':
          return stall();
      }
    });

    const done = await runSync(target, 'issues');
    gitlab.onRequest(null);
    expect(done, JSON.stringify(done?.error)).toMatchObject({ status: 'completed', error: null });
    for (const kind of KINDS) expect(plan.injected[kind], `${kind} injected (seed ${SEED + 1})`).toBeGreaterThan(0);

    const stored = await storedItems(target.repositoryId);
    const expected = new Map<string, StoredItem>(
      project.issues.map((issue) => [
        `gitlab:${project.webUrl}:${issue.iid}`,
        { title: issue.title, state: issue.state === 'opened' ? 'open' : 'closed', kind: 'issue' },
      ]),
    );
    expect(stored.size).toBe(expected.size);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    expectConsistentCounts(done!.results, stored, changes.edits);
    summary('gitlab', plan, true, changes, Date.now() - began);
  }, 90_000);
});

describe('Bitbucket findings sync under faults', () => {
  let bitbucket: BitbucketSimulator;
  beforeAll(async () => {
    // Small pages, so a few hundred findings take a dozen requests.
    bitbucket = await startBitbucketSimulator({ accessToken: TOKEN, maxPagelen: 25 });
  });
  afterEach(() => bitbucket.onRequest(null));
  afterAll(async () => {
    await bitbucket?.close();
  });

  const KINDS = ['5xx', '429 retry-after', '429 without retry-after', 'long retry-after', 'reset before headers', 'reset mid-body', 'slow page', 'stalled page'] as const;
  type Kind = (typeof KINDS)[number];

  it('a sync of a few hundred Code Insights findings ends with exactly what Bitbucket holds, whatever it answers on the way', async () => {
    const began = Date.now();
    const random = seededRandom(SEED + 2);
    const repo = bitbucket.repo('acme', 'unreliable');
    const seeds = (count: number, tool: string): FindingSeed[] =>
      Array.from({ length: count }, (_, i) => ({
        externalId: `${tool}-${i + 1}`,
        summary: `${tool} finding ${i + 1}`,
        result: random.pick(['FAILED', 'FAILED', 'PASSED', 'IGNORED'] as const),
      }));
    repo.securityReport('snyk', seeds(130, 'snyk'));
    repo.securityReport('trivy', seeds(90, 'trivy'));
    const target = await connect('bitbucket', 'acme/unreliable', repo.htmlUrl, bitbucket.url);
    const plan = createFaultPlan<Kind>({ kinds: KINDS, random, firstChance: 0.7, chance: 0.45, caps: { 'long retry-after': 1, 'slow page': 4, 'stalled page': 2 } });

    bitbucket.onRequest(async ({ url }) => {
      const path = url.pathname.replace(/^\/2\.0/, '');
      if (!path.startsWith('/repositories/acme/unreliable')) return;
      const kind = plan.next(path + url.search);
      if (kind === null) return;
      const inject = (fault: Parameters<BitbucketSimulator['fault']>[0]) =>
        bitbucket.fault({ ...fault, path: new RegExp(`^${escapeRegExp(path + url.search)}$`), times: 1 });
      switch (kind) {
        case '5xx':
          return inject(bitbucketFaults.serverError(random.pick([500, 502, 503])));
        case '429 retry-after':
          return inject(bitbucketFaults.tooManyRequests(1));
        case '429 without retry-after':
          return inject(bitbucketFaults.tooManyRequests());
        case 'long retry-after':
          // Longer than the provider waits: the job goes back to the queue until then.
          return inject(bitbucketFaults.tooManyRequests(3));
        case 'reset before headers':
          return inject(bitbucketFaults.connectionReset('before-headers'));
        case 'reset mid-body':
          return inject(bitbucketFaults.connectionReset('mid-body'));
        case 'slow page':
          return slow(random);
        case 'stalled page':
          return stall();
      }
    });

    const done = await runSync(target, 'security');
    bitbucket.onRequest(null);
    expect(done, JSON.stringify(done?.error)).toMatchObject({ status: 'completed', error: null });
    for (const kind of KINDS) expect(plan.injected[kind], `${kind} injected (seed ${SEED + 2})`).toBeGreaterThan(0);

    const stored = await storedItems(target.repositoryId);
    const expected = new Map<string, StoredItem>(
      repo.findings().map(({ report, annotation }) => [
        `bitbucket:${repo.htmlUrl}:finding-${report.external_id}-${annotation.external_id}`,
        { title: annotation.summary, state: ['PASSED', 'IGNORED'].includes(annotation.result) ? 'closed' : 'open', kind: 'security_alert' },
      ]),
    );
    expect(stored.size).toBe(220);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    expectConsistentCounts(done!.results, stored, 0);
    summary('bitbucket', plan, true, { edits: 0, creations: 0 }, Date.now() - began);
  }, 90_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
