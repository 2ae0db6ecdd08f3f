/**
 * `issue-sync sync` for GitLab and Bitbucket end to end, as the issue's users run it: the CLI in
 * process, a real database, the hosts' loopback simulators.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitbucketSimulator, type BitbucketSimulator } from '../support/bitbucket-simulator.js';
import { createGitLabSimulator, type GitLabSimulator } from '../support/gitlab-simulator.js';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { createTestDatabase } from '../support/test-database.js';

const GITLAB_TOKEN = 'glpat-cli-tests';
const BITBUCKET_TOKEN = 'bitbucket-access-token';

let gitlab: GitLabSimulator;
let bitbucket: BitbucketSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;

beforeAll(async () => {
  [gitlab, bitbucket, database, dataDir] = await Promise.all([
    createGitLabSimulator({ tokens: { [GITLAB_TOKEN]: 'developer' } }),
    startBitbucketSimulator({ accessToken: BITBUCKET_TOKEN }),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'issue-sync-host-cli-')),
  ]);
});

afterAll(async () => {
  await gitlab?.close();
  await bitbucket?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCliCaptured(args, { DATABASE_URL: database.url, ISSUE_SYNC_DATA_DIR: dataDir });

async function stored(project: string) {
  return database.db.prisma.issue.findMany({
    where: { project: { slug: project } },
    select: { externalId: true, state: true, kind: true, title: true },
    orderBy: { externalId: 'asc' },
  });
}

describe('issue-sync sync --provider gitlab', () => {
  it('imports exactly the issues and vulnerabilities a project has, and a second run creates nothing', async () => {
    const project = gitlab.project('grp/sub/proj', { issues: 230, vulnerabilities: 120 });
    const args = [
      'sync', '--provider', 'gitlab', '--repo', 'grp/sub/proj', '--api-url', gitlab.url, '--token', GITLAB_TOKEN,
      '--type', 'all', '--include-closed', '--confirm', '--project', 'gl', '--json',
    ];
    const first = await cli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      status: 'completed', provider: 'gitlab', repository: 'grp/sub/proj',
      created: 350, updated: 0, failed: 0, issues: 230, securityAlerts: 120,
    });
    expect(summary.requests).toBeLessThanOrEqual(Math.ceil(230 / 100) + Math.ceil(120 / 100) + 3);

    const rows = await stored('gl');
    expect(rows).toHaveLength(350);
    const base = `gitlab:${project.webUrl}:`;
    expect(rows.filter((row) => row.kind === 'issue').map((row) => row.externalId).sort()).toEqual(
      project.issues.map((issue) => `${base}${issue.iid}`).sort(),
    );
    expect(rows.filter((row) => row.kind === 'security_alert').map((row) => row.externalId).sort()).toEqual(
      project.vulnerabilities.map((vulnerability) => `${base}vuln-${vulnerability.id}`).sort(),
    );

    const second = await cli(args);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'completed', created: 0, updated: 0, skipped: 350 });
    expect(await stored('gl')).toHaveLength(350);
  });

  it('takes a numeric project id, and says in one line when the token is refused', async () => {
    const project = gitlab.project('grp/by-id', { issues: 3 });
    const byId = await cli([
      'sync', '--provider', 'gitlab', '--repo', String(project.id), '--api-url', gitlab.url, '--token', GITLAB_TOKEN,
      '--project', 'gl-id', '--json',
    ]);
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ status: 'completed', repository: 'grp/by-id', created: 3 });

    const refused = await cli([
      'sync', '--provider', 'gitlab', '--repo', 'grp/by-id', '--api-url', gitlab.url, '--token', 'glpat-wrong', '--project', 'gl-id',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^issue-sync: GitLab .*token/);
    expect(refused.stderr).not.toContain('glpat-wrong');
  });
});

describe('issue-sync sync --provider bitbucket', () => {
  it('imports exactly the Code Insights findings, explains that issues are gone, and a second run creates nothing', async () => {
    const repo = bitbucket.repo('ws', 'repo');
    repo.securityReport('snyk', 130);
    repo.securityReport('lint', 5, { type: 'CODE_QUALITY' });
    const args = [
      'sync', '--provider', 'bitbucket', '--repo', 'ws/repo', '--api-url', bitbucket.url, '--token', BITBUCKET_TOKEN,
      '--type', 'all', '--project', 'bb', '--json',
    ];
    const first = await cli(args);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      status: 'completed', provider: 'bitbucket', repository: 'ws/repo',
      created: 130, updated: 0, failed: 0, issues: 0, securityAlerts: 130,
      skippedParts: [{ part: 'issues', reason: expect.stringMatching(/removed .*issue tracker.*2026-08-20/i) }],
    });
    const rows = await stored('bb');
    expect(rows).toHaveLength(130);
    expect(rows.every((row) => row.kind === 'security_alert' && row.state === 'open')).toBe(true);

    const second = await cli(args);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'completed', created: 0, skipped: 130 });

    // Without --json a person reads the same explanation.
    const text = await cli(args.filter((arg) => arg !== '--json'));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Skipped issues: .*2026-08-20/m);
  });

  it('resolves a finding that is gone from a newer head commit, and keeps it', async () => {
    const repo = bitbucket.repo('ws', 'moving');
    repo.securityReport('snyk', 4);
    const args = [
      'sync', '--provider', 'bitbucket', '--repo', 'ws/moving', '--api-url', bitbucket.url, '--token', BITBUCKET_TOKEN,
      '--type', 'security', '--project', 'bb-moving', '--json',
    ];
    expect(JSON.parse((await cli(args)).stdout)).toMatchObject({ created: 4 });
    repo.push({ drop: ['snyk-f2'] });
    // The three still reported were re-reported on the new head (new dates); the fourth is resolved.
    expect(JSON.parse((await cli(args)).stdout)).toMatchObject({ status: 'completed', created: 0, updated: 4 });
    const rows = await stored('bb-moving');
    expect(rows).toHaveLength(4);
    expect(rows.filter((row) => row.state === 'closed').map((row) => row.externalId)).toEqual([
      expect.stringMatching(/:finding-snyk-snyk-f2$/),
    ]);
  });
});
