/**
 * A GitHub delivery's claim, in one statement with the lookups its handlers need: the installation
 * by GitHub's id and the repository connection of its project (by GitHub's repository id, else by
 * path), with the claim recorded against that repository; claimed once, as any delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubDeliveryClaim } from '../../src/store/github-delivery-claim.js';
import { createInstallationRepositoryStore } from '../../src/store/prisma-installation-repository-store.js';
import { createInstallationStore } from '../../src/store/prisma-installation-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('claiming a GitHub delivery', () => {
  it('returns the installation and repository as their stores would, and records the claim against the repository', async () => {
    const installations = createInstallationStore(database.db);
    const repositories = createInstallationRepositoryStore(database.db);
    const installation = await installations.ensure({ githubInstallationId: 5151, accountLogin: 'octo', accountType: 'Organization' });
    const [connected] = await repositories.connect(installation, [{ externalRepoId: '77', fullPath: 'octo/app', url: 'https://github.com/octo/app' }], new Date('2026-12-01T00:00:00Z'));
    await database.db.prisma.repositoryConnection.update({
      where: { id: connected!.id },
      data: { lastSyncAt: new Date('2026-12-01T10:00:00Z'), issuesWatermark: new Date('2026-12-01T09:59:00.123Z') },
    });
    const claim = createGitHubDeliveryClaim(database.db);

    const first = await claim({ deliveryId: 'g-1', event: 'issues', action: 'opened', target: { githubInstallationId: 5151, externalRepoId: '77', fullPath: 'octo/app' } });
    expect(first.claimId).toEqual(expect.any(String));
    expect(first.installation).toEqual(await installations.findByGitHubId(5151));
    expect(first.repository).toEqual(await repositories.find(installation.projectId, { externalRepoId: '77', fullPath: 'octo/app' }));
    expect(first.repository?.issuesWatermark).toEqual(new Date('2026-12-01T09:59:00.123Z'));
    const row = await database.db.prisma.webhookDelivery.findFirstOrThrow({ where: { deliveryId: 'g-1' } });
    expect(row).toMatchObject({ provider: 'github', event: 'issues', action: 'opened', status: 'received', repositoryId: connected!.id });

    // The same delivery again: not claimed, but still told what it is about.
    const repeated = await claim({ deliveryId: 'g-1', event: 'issues', action: 'opened', target: { githubInstallationId: 5151, externalRepoId: '77', fullPath: 'octo/app' } });
    expect(repeated).toMatchObject({ claimId: null, installation: { githubInstallationId: 5151 }, repository: { id: connected!.id } });
  });

  it('finds a connection made by path, and claims a delivery about nothing known with neither', async () => {
    const installations = createInstallationStore(database.db);
    const installation = await installations.ensure({ githubInstallationId: 6262, accountLogin: 'path', accountType: 'User' });
    const byPath = await database.db.prisma.repositoryConnection.create({
      data: { projectId: installation.projectId, provider: 'github', fullPath: 'Path/Repo', url: 'https://github.com/Path/Repo', installationId: installation.id },
    });
    const claim = createGitHubDeliveryClaim(database.db);
    const found = await claim({ deliveryId: 'g-2', event: 'issues', action: 'edited', target: { githubInstallationId: 6262, externalRepoId: '88', fullPath: 'path/repo' } });
    expect(found.repository?.id).toBe(byPath.id);

    const unknown = await claim({ deliveryId: 'g-3', event: 'issues', action: 'opened', target: { githubInstallationId: 999_999, externalRepoId: '1', fullPath: 'x/y' } });
    expect(unknown).toEqual({ claimId: expect.any(String), installation: null, repository: null });
    const none = await claim({ deliveryId: 'g-4', event: 'ping', action: null, target: null });
    expect(none).toEqual({ claimId: expect.any(String), installation: null, repository: null });
  });
});
