import { describe, expect, it } from 'vitest';
import { useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import {
  ACCOUNT,
  INSTALLATION_ID,
  installationEvent,
  installationRepositoriesEvent,
  repositoryEvent,
} from '../support/webhook-payloads.js';

const helloWorld = { id: 186853002, fullName: `${ACCOUNT}/Hello-World` };
const space = { id: 186853007, fullName: `${ACCOUNT}/Space` };
const rocket = { id: 186853011, fullName: `${ACCOUNT}/Rocket` };

let server: GitHubAppServer;

useGitHubAppServer((started) => {
  server = started;
});

const prisma = () => server.database.db.prisma;

async function connection(fullPath: string) {
  return prisma().repositoryConnection.findFirstOrThrow({ where: { fullPath } });
}

async function issueCount(repositoryId: string) {
  return prisma().issue.count({ where: { repositoryId } });
}

describe('GitHub App installation', () => {
  it('installing the App creates the project, a connection per repository and a completed backfill for each', async () => {
    server.github.repo(ACCOUNT, 'Hello-World', { issues: 5, pullRequests: 2, alerts: 3 });
    server.github.repo(ACCOUNT, 'Space', { issues: 2 });
    const token = server.expectInstallationToken(INSTALLATION_ID);

    const response = await server.deliver('installation', installationEvent('created', { repositories: [helloWorld, space] }));
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });

    const operations = await server.settledOperations(2);
    expect(token.isDone()).toBe(true);
    const installation = await prisma().installation.findUniqueOrThrow({
      where: { githubInstallationId: BigInt(INSTALLATION_ID) },
      include: { project: true },
    });
    expect(installation).toMatchObject({ accountLogin: ACCOUNT, accountType: 'User', active: true });
    expect(installation.project.slug).toBe('codertocat');

    const hello = await connection(helloWorld.fullName);
    const spaceRow = await connection(space.fullName);
    for (const [row, repo] of [[hello, helloWorld], [spaceRow, space]] as const) {
      expect(row).toMatchObject({
        projectId: installation.projectId,
        provider: 'github',
        url: `https://github.com/${repo.fullName}`,
        externalRepoId: String(repo.id),
        installationId: installation.id,
        active: true,
        webhookStatus: 'active',
      });
      expect(row.lastWebhookAt).toBeInstanceOf(Date);
    }

    const byRepository = new Map(operations.map((operation) => [operation.repositoryId, operation]));
    expect(byRepository.get(hello.id)).toMatchObject({
      status: 'completed',
      trigger: 'install',
      syncType: 'all',
      includeClosed: true,
      results: { created: 8, issues: 5, securityAlerts: 3, failed: 0 },
    });
    expect(byRepository.get(spaceRow.id)).toMatchObject({
      status: 'completed',
      trigger: 'install',
      results: { created: 2, issues: 2, securityAlerts: 0, failed: 0 },
    });
    expect(await issueCount(hello.id)).toBe(8);
    expect(await issueCount(spaceRow.id)).toBe(2);
    expect(
      await prisma().webhookDelivery.findMany({ select: { provider: true, event: true, action: true, status: true } }),
    ).toEqual([{ provider: 'github', event: 'installation', action: 'created', status: 'processed' }]);
  });

  it('a repository added to the installation is connected and backfilled', async () => {
    server.github.repo(ACCOUNT, 'Rocket', { issues: 4, alerts: 1 });
    const response = await server.deliver('installation_repositories', installationRepositoriesEvent('added', { added: [rocket] }));
    expect(response.status).toBe(200);

    const operations = await server.settledOperations(3);
    const row = await connection(rocket.fullName);
    expect(row).toMatchObject({ active: true, externalRepoId: String(rocket.id), url: 'https://github.com/Codertocat/Rocket' });
    expect(operations.find((operation) => operation.repositoryId === row.id)).toMatchObject({
      status: 'completed',
      trigger: 'install',
      results: { created: 5, issues: 4, securityAlerts: 1 },
    });
    expect(await prisma().installation.count()).toBe(1);
    expect(await prisma().project.count()).toBe(1);
  });

  it('a repository removed from the installation is deactivated and keeps its issues', async () => {
    const response = await server.deliver('installation_repositories', installationRepositoriesEvent('removed', { removed: [rocket] }));
    expect(response.status).toBe(200);

    const row = await connection(rocket.fullName);
    expect(row).toMatchObject({ active: false, webhookStatus: 'inactive', installationId: null });
    expect(await issueCount(row.id)).toBe(5);
    expect((await connection(space.fullName)).active).toBe(true);
  });

  it('suspending deactivates the repositories; unsuspending reactivates them and catches up', async () => {
    const suspended = await server.deliver('installation', installationEvent('suspend'));
    expect(suspended.status).toBe(200);
    const active = await prisma().repositoryConnection.findMany({ where: { installationId: { not: null } } });
    expect(active.map((row) => row.active)).toEqual([false, false]);
    expect(await prisma().installation.findFirstOrThrow()).toMatchObject({ active: false, suspendedAt: expect.any(Date) });

    const before = (await prisma().syncOperation.count());
    const unsuspended = await server.deliver('installation', installationEvent('unsuspend'));
    expect(unsuspended.status).toBe(200);
    const operations = await server.settledOperations(before + 2);
    const catchUps = operations.slice(before);
    expect(catchUps.map((operation) => operation.status)).toEqual(['completed', 'completed']);
    expect(catchUps.every((operation) => operation.trigger === 'install' && operation.results.created === 0)).toBe(true);
    const reactivated = await prisma().repositoryConnection.findMany({ where: { installationId: { not: null } } });
    expect(reactivated.map((row) => row.active)).toEqual([true, true]);
    expect(await prisma().installation.findFirstOrThrow()).toMatchObject({ active: true, suspendedAt: null });
  });

  it('a renamed repository keeps its connection, and its issues follow the new URL', async () => {
    const renamed = { id: helloWorld.id, fullName: `${ACCOUNT}/Hello-Universe` };
    const before = await connection(helloWorld.fullName);
    const response = await server.deliver('repository', repositoryEvent('renamed', renamed));
    expect(response.status).toBe(200);

    const after = await prisma().repositoryConnection.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toMatchObject({ fullPath: renamed.fullName, url: 'https://github.com/Codertocat/Hello-Universe', active: true });
    const issues = await prisma().issue.findMany({ where: { repositoryId: before.id }, select: { externalId: true, repositoryUrl: true } });
    expect(issues).toHaveLength(8);
    for (const issue of issues) {
      expect(issue.repositoryUrl).toBe('https://github.com/Codertocat/Hello-Universe');
      expect(issue.externalId).toMatch(/^github:https:\/\/github\.com\/Codertocat\/Hello-Universe:(\d+|alert-\d+)$/);
    }
  });

  it('deleting the installation deactivates everything and keeps the data', async () => {
    const issuesBefore = await prisma().issue.count();
    const response = await server.deliver('installation', installationEvent('deleted'));
    expect(response.status).toBe(200);

    expect(await prisma().installation.findFirstOrThrow()).toMatchObject({ active: false });
    const rows = await prisma().repositoryConnection.findMany();
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => !row.active && row.webhookStatus === 'inactive')).toBe(true);
    expect(await prisma().issue.count()).toBe(issuesBefore);
    expect(await prisma().project.count()).toBe(1);
  });
});
