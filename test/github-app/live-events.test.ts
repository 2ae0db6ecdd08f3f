import { describe, expect, it } from 'vitest';
import { useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import {
  ACCOUNT,
  dependabotAlertEvent,
  issueCommentEvent,
  issuesEvent,
  merge,
} from '../support/webhook-payloads.js';

const repo = { id: 186853002, fullName: `${ACCOUNT}/Hello-World` };
const repositoryUrl = 'https://github.com/Codertocat/Hello-World';

let server: GitHubAppServer;
let repositoryId: string;

useGitHubAppServer(async (started) => {
  server = started;
  server.github.repo(ACCOUNT, 'Hello-World', { issues: 3 });
  await server.install([repo]);
  repositoryId = (await server.database.db.prisma.repositoryConnection.findFirstOrThrow()).id;
});

const prisma = () => server.database.db.prisma;

function stored(externalId: string) {
  return prisma().issue.findFirst({ where: { externalId } });
}

const issueId = (number: number) => `github:${repositoryUrl}:${number}`;

describe('GitHub App live events', () => {
  it('an edited issue is updated, and an older redelivery of an earlier version does not roll it back', async () => {
    const before = await prisma().repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    const edited = await server.deliver(
      'issues',
      issuesEvent('edited', repo, { number: 1, title: 'Spelling error in the README', updated_at: '2025-06-01T10:00:00Z' }),
    );
    expect(edited).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await stored(issueId(1))).toMatchObject({
      title: 'Spelling error in the README',
      externalUpdatedAt: new Date('2025-06-01T10:00:00Z'),
      repositoryId,
    });

    const older = await server.deliver(
      'issues',
      issuesEvent('edited', repo, { number: 1, title: 'An earlier title', updated_at: '2025-06-01T09:00:00Z' }),
    );
    expect(older.status).toBe(200);
    expect(await stored(issueId(1))).toMatchObject({ title: 'Spelling error in the README' });
    expect(await prisma().issue.count({ where: { externalId: issueId(1) } })).toBe(1);

    const after = await prisma().repositoryConnection.findUniqueOrThrow({ where: { id: repositoryId } });
    expect(after.webhookStatus).toBe('active');
    expect(after.lastWebhookAt!.getTime()).toBeGreaterThanOrEqual(before.lastWebhookAt!.getTime());
    const deliveries = await prisma().webhookDelivery.findMany({ where: { event: 'issues' } });
    expect(deliveries.map((delivery) => [delivery.action, delivery.status, delivery.repositoryId])).toEqual([
      ['edited', 'processed', repositoryId],
      ['edited', 'processed', repositoryId],
    ]);
  });

  it('a repeated delivery (same X-GitHub-Delivery) is applied once', async () => {
    const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const opened = issuesEvent('opened', repo, { number: 40, title: 'Brand new issue', updated_at: '2025-07-01T00:00:00Z' });
    expect(await server.deliver('issues', opened, { deliveryId })).toMatchObject({ status: 200, body: { status: 'processed' } });

    // Same delivery id with different content: applying it again would change the title.
    const again = merge(opened, { issue: { title: 'Changed by a replay', updated_at: '2025-07-02T00:00:00Z' } });
    expect(await server.deliver('issues', again, { deliveryId })).toMatchObject({ status: 200, body: { status: 'duplicate' } });

    expect(await prisma().issue.count({ where: { externalId: issueId(40) } })).toBe(1);
    expect(await stored(issueId(40))).toMatchObject({ title: 'Brand new issue', state: 'open' });
    expect(await prisma().webhookDelivery.count({ where: { deliveryId } })).toBe(1);
  });

  it('a deleted issue is closed and marked deleted; an older edit redelivered later does not reopen it', async () => {
    const deleted = await server.deliver('issues', issuesEvent('deleted', repo, { number: 2, updated_at: '2025-06-01T00:00:00Z' }));
    expect(deleted.status).toBe(200);
    const row = await stored(issueId(2));
    expect(row).toMatchObject({ state: 'closed', externalClosedAt: expect.any(Date) });
    expect(row!.customFields).toMatchObject({ deletedAt: expect.any(String) });

    await server.deliver('issues', issuesEvent('edited', repo, { number: 2, title: 'Edited before deletion', updated_at: '2025-06-01T00:00:00Z' }));
    expect(await stored(issueId(2))).toMatchObject({ state: 'closed' });
    expect((await stored(issueId(2)))!.title).not.toBe('Edited before deletion');
  });

  it('a transferred issue is closed with the URL of the new issue', async () => {
    const newIssue = 'https://github.com/Codertocat/Other/issues/7';
    const transferred = await server.deliver(
      'issues',
      issuesEvent('transferred', repo, { number: 3, updated_at: '2025-06-01T00:00:00Z' }, { changes: { new_issue: { html_url: newIssue } } }),
    );
    expect(transferred.status).toBe(200);
    const row = await stored(issueId(3));
    expect(row).toMatchObject({ state: 'closed' });
    expect(row!.customFields).toMatchObject({ transferredTo: newIssue, transferredAt: expect.any(String) });
  });

  it('a Dependabot alert is stored when created and closed when fixed', async () => {
    const created = await server.deliver('dependabot_alert', dependabotAlertEvent('created', repo, { number: 20 }));
    expect(created.status).toBe(200);
    const alertId = `github:${repositoryUrl}:alert-20`;
    expect(await stored(alertId)).toMatchObject({
      kind: 'security_alert',
      state: 'open',
      title: 'semver vulnerable to Regular Expression Denial of Service',
      labels: ['severity:medium', 'ecosystem:npm'],
    });

    const fixed = await server.deliver(
      'dependabot_alert',
      dependabotAlertEvent('fixed', repo, {
        number: 20,
        state: 'fixed',
        fixed_at: '2023-06-25T10:00:00Z',
        updated_at: '2023-06-25T10:00:00Z',
      }),
    );
    expect(fixed.status).toBe(200);
    expect(await stored(alertId)).toMatchObject({ state: 'closed', externalClosedAt: new Date('2023-06-25T10:00:00Z') });
  });

  it('a Dependabot "fixed" delivery with GitHub\'s example payload closes the alert', async () => {
    const fixed = dependabotAlertEvent('fixed', repo, {});
    const number = (fixed.alert as { number: number }).number;
    expect((await server.deliver('dependabot_alert', fixed)).status).toBe(200);
    expect(await stored(`github:${repositoryUrl}:alert-${number}`)).toMatchObject({ kind: 'security_alert', state: 'closed' });
  });

  it('a comment on an issue updates the issue; a comment on a pull request stores nothing', async () => {
    const commented = await server.deliver(
      'issue_comment',
      issueCommentEvent('created', repo, { number: 1, title: 'Spelling error in the README', comments: 5, updated_at: '2025-06-02T00:00:00Z' }),
    );
    expect(commented.status).toBe(200);
    expect(await stored(issueId(1))).toMatchObject({ externalUpdatedAt: new Date('2025-06-02T00:00:00Z') });
    expect((await stored(issueId(1)))!.customFields).toMatchObject({ comments: 5 });

    const count = await prisma().issue.count();
    const onPullRequest = await server.deliver(
      'issue_comment',
      issueCommentEvent('created', repo, {
        number: 77,
        title: 'A pull request',
        updated_at: '2025-06-02T00:00:00Z',
        pull_request: { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/77' },
      }),
    );
    expect(onPullRequest.status).toBe(200);
    expect(await prisma().issue.count()).toBe(count);
  });

  it('an event for a repository of a known installation that is not connected yet connects and backfills it', async () => {
    server.github.repo(ACCOUNT, 'Late', { issues: 2 });
    const late = { id: 186853099, fullName: `${ACCOUNT}/Late` };
    const operations = await prisma().syncOperation.count();
    const opened = await server.deliver('issues', issuesEvent('opened', late, { number: 3, title: 'Opened on a late repository', updated_at: '2025-06-01T00:00:00Z' }));
    expect(opened.status).toBe(200);

    const connection = await prisma().repositoryConnection.findFirstOrThrow({ where: { fullPath: late.fullName } });
    expect(connection).toMatchObject({ active: true, externalRepoId: String(late.id), url: 'https://github.com/Codertocat/Late' });
    const settled = await server.settledOperations(operations + 1);
    expect(settled.at(-1)).toMatchObject({ repositoryId: connection.id, status: 'completed', trigger: 'install', results: { created: 2 } });
    expect(await prisma().issue.count({ where: { repositoryId: connection.id } })).toBe(3);
    expect(await prisma().webhookDelivery.findFirst({ where: { repositoryId: connection.id } })).toMatchObject({ status: 'processed' });
  });

  it('an event of an unknown installation is acknowledged and ignored', async () => {
    const count = await prisma().issue.count();
    const connections = await prisma().repositoryConnection.count();
    const foreign = merge(issuesEvent('opened', { id: 5, fullName: 'someone/else' }, { number: 1 }), { installation: { id: 1 } });
    expect((await server.deliver('issues', foreign)).status).toBe(200);
    expect(await prisma().issue.count()).toBe(count);
    expect(await prisma().repositoryConnection.count()).toBe(connections);
  });
});
