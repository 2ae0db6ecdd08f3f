/**
 * 500 signed deliveries at once to the real service listening on a port: GitHub App `issues`
 * events and GitLab Issue Hooks, about a tenth of them sent twice at the same moment (the same
 * `X-GitHub-Delivery` / `Idempotency-Key` and body), as a host's retry racing its first attempt.
 * Every delivery must be answered 2xx, every distinct issue stored exactly once, none lost.
 *
 * Each delivery comes on a connection of its own, as GitHub's and GitLab's senders open them (a
 * pooled keep-alive connection left idle by the install step could be closed by the server just as
 * a delivery is written on it, which says nothing about the service).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, startGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { createGitLabSimulator, type GitLabSimulator, type SimulatedProject } from '../support/gitlab-simulator.js';
import { ACCOUNT, issuesEvent, type RepositoryFixture } from '../support/webhook-payloads.js';
import { cipher as gitlabCipher, issueHook, SECRET as GITLAB_SECRET, TOKEN as GITLAB_TOKEN } from '../providers/gitlab-webhook-app.js';
import { reliabilitySeed, seededRandom } from '../support/seeded-random.js';

const SEED = reliabilitySeed(20261202);
const DELIVERIES = 500;
const REPEATED = 50;

const REPOSITORIES: RepositoryFixture[] = [
  { id: 880001, fullName: `${ACCOUNT}/storm-one` },
  { id: 880002, fullName: `${ACCOUNT}/storm-two` },
];

let server: GitHubAppServer;
let gitlab: GitLabSimulator;
let gitlabProjects: SimulatedProject[];

beforeAll(async () => {
  gitlab = await createGitLabSimulator();
  server = await startGitHubAppServer({ env: { GITLAB_WEBHOOK_SECRET: GITLAB_SECRET, GITLAB_URL: gitlab.url } });
  for (const repository of REPOSITORIES) server.github.repo(ACCOUNT, repository.fullName.split('/')[1]!);
  await server.install(REPOSITORIES);
  gitlabProjects = [gitlab.project('storm/alpha'), gitlab.project('storm/beta')];
  const { prisma } = server.database.db;
  const owner = await prisma.project.create({ data: { slug: 'storm-gitlab', name: 'storm gitlab' } });
  for (const project of gitlabProjects) {
    await prisma.repositoryConnection.create({
      data: {
        projectId: owner.id,
        provider: 'gitlab',
        fullPath: project.path,
        url: project.webUrl,
        apiUrl: gitlab.url,
        encryptedToken: gitlabCipher.encrypt(GITLAB_TOKEN),
        // Checked just now, so the service's poller leaves it alone: what is stored comes from the hooks.
        lastCheckedAt: new Date(),
      },
    });
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  await gitlab?.close();
});

interface Delivery {
  /** The externalId of the issue it carries and the title it must be stored with. */
  externalId: string;
  title: string;
  send(): Promise<Answer>;
}

interface Answer {
  status: number;
  body: { status?: string };
}

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

/** POSTs `body` on a new connection and reads the JSON answer. */
function post(path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${server.url}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] });
        } catch {
          reject(new Error(`${path} answered ${incoming.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function githubDelivery(repository: RepositoryFixture, number: number): Delivery {
  const title = `Storm issue ${number} of ${repository.fullName}`;
  const body = JSON.stringify(
    issuesEvent('opened', repository, { number, title, state: 'open', updated_at: new Date(Date.UTC(2026, 10, 1, 0, 0, number)).toISOString() }),
  );
  const id = randomUUID();
  return {
    externalId: `github:https://github.com/${repository.fullName}:${number}`,
    title,
    send: () =>
      post(
        '/api/github/webhooks',
        {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/storm',
          'x-github-event': 'issues',
          'x-github-delivery': id,
          'x-hub-signature-256': sign(body),
        },
        body,
      ),
  };
}

function gitlabDelivery(project: SimulatedProject): Delivery {
  const [issue] = project.addIssues(1);
  const title = `Storm issue ${issue!.iid} of ${project.path}`;
  project.editIssue(issue!.iid, { title });
  const body = JSON.stringify(issueHook(project, issue!));
  const key = randomUUID();
  return {
    externalId: `gitlab:${project.webUrl}:${issue!.iid}`,
    title,
    send: () =>
      post(
        '/api/gitlab/webhooks',
        { 'content-type': 'application/json', 'x-gitlab-token': GITLAB_SECRET, 'x-gitlab-event': 'Issue Hook', 'idempotency-key': key },
        body,
      ),
  };
}

describe('webhook storm', () => {
  it(`${DELIVERIES} concurrent signed deliveries, ${REPEATED} of them repeated at once: all answered 2xx, every issue stored once`, async () => {
    const random = seededRandom(SEED);
    const distinct: Delivery[] = [];
    for (let k = 0; k < DELIVERIES - REPEATED; k += 1) {
      distinct.push(k % 2 === 0 ? githubDelivery(REPOSITORIES[k % 4 === 0 ? 0 : 1]!, k + 1) : gitlabDelivery(gitlabProjects[k % 4 === 1 ? 0 : 1]!));
    }
    const repeats = random.shuffle(distinct).slice(0, REPEATED);
    const sends = random.shuffle([...distinct, ...repeats]);
    const { prisma } = server.database.db;
    const issuesBefore = await prisma.issue.count();

    const began = Date.now();
    const answers = await Promise.all(sends.map((delivery) => delivery.send()));
    const elapsed = Date.now() - began;

    const refused = answers.filter((answer) => answer.status < 200 || answer.status >= 300);
    expect(refused, JSON.stringify(refused.slice(0, 3))).toEqual([]);
    const outcomes = answers.map((answer) => answer.body.status);
    expect(outcomes.filter((status) => status === 'processed')).toHaveLength(distinct.length);
    expect(outcomes.filter((status) => status === 'duplicate')).toHaveLength(REPEATED);

    const rows = await prisma.issue.findMany({
      where: { externalId: { in: distinct.map((delivery) => delivery.externalId) } },
      select: { externalId: true, title: true },
    });
    const stored = new Map<string, string[]>();
    for (const row of rows) stored.set(row.externalId!, [...(stored.get(row.externalId!) ?? []), row.title]);
    const lost = distinct.filter((delivery) => !stored.has(delivery.externalId));
    const duplicatesStored = [...stored.values()].filter((titles) => titles.length > 1).length;
    console.log(`deliveries: ${sends.length}, lost: ${lost.length}, duplicates stored: ${duplicatesStored} (${distinct.length} distinct, ${REPEATED} repeated; ${elapsed} ms, seed ${SEED})`);

    expect(lost.map((delivery) => delivery.externalId)).toEqual([]);
    expect(duplicatesStored).toBe(0);
    for (const delivery of distinct) expect(stored.get(delivery.externalId)).toEqual([delivery.title]);
    expect(await prisma.issue.count()).toBe(issuesBefore + distinct.length);
    const recorded = await prisma.webhookDelivery.groupBy({ by: ['provider', 'status'], _count: true, where: { event: { in: ['issues', 'Issue Hook'] } } });
    expect(recorded.map((group) => [group.provider, group.status, group._count]).sort()).toEqual([
      ['github', 'processed', distinct.filter((delivery) => delivery.externalId.startsWith('github:')).length],
      ['gitlab', 'processed', distinct.filter((delivery) => delivery.externalId.startsWith('gitlab:')).length],
    ]);
  }, 60_000);
});
