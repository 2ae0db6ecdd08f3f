import { describe, expect, it } from 'vitest';
import { useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { githubFaults } from '../support/github-simulator.js';
import { ACCOUNT, INSTALLATION_ID } from '../support/webhook-payloads.js';
import { asAppDelivery, subscribedEvents, webhookExamples, type WebhookExample } from '../support/webhook-examples.js';

/** The repository most examples are about, installed as the examples have it. */
const helloWorld = { id: 186853002, fullName: `${ACCOUNT}/Hello-World` };
const repositoryUrl = `https://github.com/${helloWorld.fullName}`;
const issueId = (number: number) => `github:${repositoryUrl}:${number}`;
/** Older than every example, so each example's issue is newer than what the install stored. */
const before2019 = { createdAt: new Date('2019-01-01T00:00:00Z'), updatedAt: new Date('2019-01-01T00:00:00Z') };

const examples = webhookExamples();
const repositoryScoped = examples.filter((example) => 'repository' in example.payload);
const example = (label: string): WebhookExample => {
  const found = examples.find((candidate) => candidate.label === label);
  if (!found) throw new Error(`No example ${label}.`);
  return found;
};

let server: GitHubAppServer;

useGitHubAppServer(async (started) => {
  server = started;
  server.github.repo(ACCOUNT, 'Hello-World', { issues: [{ ...before2019, title: 'First' }, { ...before2019, title: 'Second' }], alerts: 1 });
  // The other repositories the examples name: events of the installation connect them on the spot.
  for (const fullName of ['octocat/Hello-World', 'wolfy1339/pika-pack', 'octo-org/octo-repo', `${ACCOUNT}/Space`, `${ACCOUNT}/Extra`]) {
    const [owner, name] = fullName.split('/');
    server.github.repo(owner!, name!);
  }
  await server.install([helloWorld]);
});

const prisma = () => server.database.db.prisma;
const stored = (externalId: string) => prisma().issue.findFirstOrThrow({ where: { externalId } });

describe('@octokit/webhooks-examples', () => {
  it('cover every event the App receives', () => {
    expect(subscribedEvents().sort()).toEqual(['dependabot_alert', 'installation', 'installation_repositories', 'issue_comment', 'issues', 'repository']);
    for (const event of subscribedEvents()) expect(examples.some((candidate) => candidate.event === event), event).toBe(true);
    expect(examples.length).toBeGreaterThanOrEqual(60);
  });
});

describe('an example delivered to the App (with its installation) about a connected repository', () => {
  it('issues.opened stores the issue as the payload has it', async () => {
    const response = await server.deliver('issues', asAppDelivery(example('issues.opened #15'), INSTALLATION_ID));
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await stored(issueId(1))).toMatchObject({
      title: 'Spelling error in the README file',
      state: 'open',
      externalUpdatedAt: new Date('2019-05-15T15:20:18Z'),
    });
  });

  it('issues.labeled stores the labels', async () => {
    const labeled = example('issues.labeled #9');
    const names = ((labeled.payload.issue as { labels: { name: string }[] }).labels).map((label) => label.name);
    expect(names.length).toBeGreaterThan(0);
    expect((await server.deliver('issues', asAppDelivery(labeled, INSTALLATION_ID))).status).toBe(200);
    expect((await stored(issueId(1))).labels).toEqual(names);
  });

  it('issues.milestoned about a pull request stores nothing', async () => {
    const before = await stored(issueId(2));
    expect((await server.deliver('issues', asAppDelivery(example('issues.milestoned #13'), INSTALLATION_ID))).status).toBe(200);
    expect(await stored(issueId(2))).toEqual(before);
  });

  it('issue_comment.created moves the issue\'s update time', async () => {
    expect((await server.deliver('issue_comment', asAppDelivery(example('issue_comment.created #1'), INSTALLATION_ID))).status).toBe(200);
    expect(await stored(issueId(1))).toMatchObject({ externalUpdatedAt: new Date('2021-01-29T05:00:42Z') });
  });

  it('issues.pinned, whose issue has no state, stores the issue as the API has it', async () => {
    server.github.repo(ACCOUNT, 'Hello-World').editIssue(1, { title: 'Pinned, as the API has it', updatedAt: new Date('2024-06-01T00:00:00Z') });
    server.github.clearRequests();
    const response = await server.deliver('issues', asAppDelivery(example('issues.pinned #19'), INSTALLATION_ID));
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(server.github.requests).toContainEqual(expect.objectContaining({ method: 'GET', path: `/repos/${helloWorld.fullName}/issues/1`, status: 200 }));
    expect(await stored(issueId(1))).toMatchObject({ title: 'Pinned, as the API has it', state: 'open' });
  });

  it('issues.unpinned is answered 500 when the API is rate limited, and its redelivery is applied', async () => {
    server.github.repo(ACCOUNT, 'Hello-World').editIssue(1, { title: 'Unpinned, as the API has it', updatedAt: new Date('2024-06-02T00:00:00Z') });
    server.github.fault({ ...githubFaults.primaryRateLimit(new Date(Date.now() + 3_600_000)), path: `/repos/${helloWorld.fullName}/issues/1` });
    const payload = asAppDelivery(example('issues.unpinned #28'), INSTALLATION_ID);
    const deliveryId = 'a6c1f3d0-5e0b-11ef-8000-000000000028';
    const failed = await server.deliver('issues', payload, { deliveryId });
    expect(failed).toMatchObject({ status: 500, body: { error: 'webhook_failed', message: expect.stringContaining('redeliver') } });
    expect(await stored(issueId(1))).toMatchObject({ title: 'Pinned, as the API has it' });

    const redelivered = await server.deliver('issues', payload, { deliveryId });
    expect(redelivered).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await stored(issueId(1))).toMatchObject({ title: 'Unpinned, as the API has it' });
  });

  it('issues.unpinned about an issue the API no longer has is acknowledged and changes nothing', async () => {
    const before = await stored(issueId(1));
    server.github.fault({ status: 404, body: { message: 'Not Found' }, path: `/repos/${helloWorld.fullName}/issues/1` });
    const response = await server.deliver('issues', asAppDelivery(example('issues.unpinned #28'), INSTALLATION_ID));
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await stored(issueId(1))).toEqual(before);
  });

  it('dependabot_alert.created without its dates stores the alert as the API has it', async () => {
    const created = asAppDelivery(example('dependabot_alert.created #1'), INSTALLATION_ID);
    const alert: Record<string, unknown> = { ...(created.alert as Record<string, unknown>), number: 1 };
    delete alert.created_at;
    delete alert.updated_at;
    const payload = { ...created, alert, repository: { ...(created.repository as object), id: helloWorld.id, full_name: helloWorld.fullName, html_url: repositoryUrl } };
    const fromApi = server.github.repo(ACCOUNT, 'Hello-World').findAlert(1) as { security_advisory: { summary: string } };
    expect((await server.deliver('dependabot_alert', payload)).status).toBe(200);
    expect(await stored(`github:${repositoryUrl}:alert-1`)).toMatchObject({ kind: 'security_alert', title: fromApi.security_advisory.summary });
  });

  it('issues.deleted closes the issue and marks it deleted', async () => {
    expect((await server.deliver('issues', asAppDelivery(example('issues.deleted #4'), INSTALLATION_ID))).status).toBe(200);
    const row = await stored(issueId(1));
    expect(row).toMatchObject({ state: 'closed' });
    expect(row.customFields).toMatchObject({ deletedAt: expect.any(String) });
  });
});

describe('an installation example with a listed repository we cannot use', () => {
  it('installation_repositories.added connects the usable ones and skips the other', async () => {
    const added = example('installation_repositories.added #0');
    const payload = {
      ...added.payload,
      repositories_added: [{ id: 'not-a-number', full_name: `${ACCOUNT}/Broken` }, { id: 186853999, node_id: 'R_extra', name: 'Extra', full_name: `${ACCOUNT}/Extra`, private: false }],
    };
    expect(await server.deliver('installation_repositories', payload)).toMatchObject({ status: 200, body: { status: 'processed' } });
    const connected = await prisma().repositoryConnection.findMany({ where: { fullPath: { in: [`${ACCOUNT}/Broken`, `${ACCOUNT}/Extra`] } } });
    expect(connected.map((connection) => [connection.fullPath, connection.externalRepoId])).toEqual([[`${ACCOUNT}/Extra`, '186853999']]);
  });
});

describe('every signed example is answered 2xx', () => {
  it.each(repositoryScoped.map((scoped) => [scoped.label, scoped] as const))('%s, delivered to the App with its installation', async (_label, scoped) => {
    const response = await server.deliver(scoped.event, asAppDelivery(scoped, INSTALLATION_ID));
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
  });

  it.each(examples.map((published) => [published.label, published] as const))('%s, exactly as published', async (_label, published) => {
    const response = await server.deliver(published.event, published.payload);
    expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
  });

  it('connects the repositories the examples of the installation name, and each backfill completes', async () => {
    const connections = await prisma().repositoryConnection.findMany({ select: { fullPath: true } });
    expect(connections.map((connection) => connection.fullPath).sort()).toEqual(
      [`${ACCOUNT}/Extra`, `${ACCOUNT}/Hello-World`, `${ACCOUNT}/Space`, 'octo-org/octo-repo', 'octocat/hello-world', 'wolfy1339/pika-pack'].sort(),
    );
    const operations = await server.settledOperations(connections.length);
    expect(operations.map((operation) => [operation.status, operation.error])).toEqual(operations.map(() => ['completed', null]));
  });
});
