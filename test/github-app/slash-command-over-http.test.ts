/**
 * The whole path of a /sync comment as GitHub delivers it: a signed issue_comment over HTTP to the
 * running service, the sync as a pg-boss job, and the one reply comment edited with the result.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { useGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { ACCOUNT, issueCommentEvent } from '../support/webhook-payloads.js';

const helloWorld = { id: 186853002, fullName: `${ACCOUNT}/Hello-World` };
const path = `/repos/${helloWorld.fullName}`;
const REPLY_ID = 4242001;

let server: GitHubAppServer;

useGitHubAppServer((started) => {
  server = started;
});

async function until<T>(read: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('/sync over signed webhooks', () => {
  it('installs, then answers a /sync comment with one reply edited with the result, once per delivery', async () => {
    const repo = server.github.repo(ACCOUNT, 'Hello-World', { issues: 12 });
    const [backfill] = await server.install([helloWorld]);
    expect(backfill).toMatchObject({ status: 'completed', trigger: 'install', results: { created: 12 } });

    repo.editIssue(3, { title: 'Renamed while the webhook was down' });
    const posted: string[] = [];
    const edits: string[] = [];
    const scope = nock(server.github.url, { allowUnmocked: true })
      .get(`${path}/collaborators/Codertocat/permission`)
      .reply(200, { permission: 'write', role_name: 'write', user: { login: 'Codertocat' } })
      .post(`${path}/issues/comments/492700400/reactions`, { content: 'eyes' })
      .reply(201, { id: 1, content: 'eyes' })
      .post(`${path}/issues/1/comments`, (body: { body: string }) => posted.push(body.body) > 0)
      .reply(201, { id: REPLY_ID });
    const patches = nock(server.github.url, { allowUnmocked: true })
      .patch(`${path}/issues/comments/${REPLY_ID}`, (body: { body: string }) => edits.push(body.body) > 0)
      .reply(200, { id: REPLY_ID })
      .persist();

    const event = issueCommentEvent('created', helloWorld, { number: 1 });
    (event.comment as { body: string }).body = 'Webhooks were down yesterday.\n\n/sync';
    const deliveryId = 'slash-delivery-1';
    const delivered = await server.deliver('issue_comment', event, { deliveryId });
    expect(delivered.status).toBe(200);

    const operations = await server.settledOperations(2);
    const slash = operations.find((operation) => operation.trigger === 'slash_command');
    // Every issue is stored already; the one renamed while webhooks were down is updated.
    expect(slash).toMatchObject({ status: 'completed', results: { created: 0, updated: 1, failed: 0 } });
    const { skipped } = slash!.results;
    expect(skipped).toBe(slash!.results.issues - 1);
    const final = await until(() => edits.find((body) => body.includes('Synced')));
    expect(final).toMatch(new RegExp(`^@Codertocat Synced open issues in \\d+ (ms|s)\\.\nCreated 0 · updated 1 · skipped ${skipped}`));
    expect(posted).toHaveLength(1);
    expect(scope.isDone()).toBe(true);
    const renamed = await server.database.db.prisma.issue.findFirstOrThrow({
      where: { externalId: `github:https://github.com/${helloWorld.fullName}:3` },
    });
    expect(renamed.title).toBe('Renamed while the webhook was down');

    // GitHub redelivers the same delivery: it is not applied again.
    const again = await server.deliver('issue_comment', event, { deliveryId });
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(await server.database.db.prisma.syncOperation.count()).toBe(2);
    // The persisted edit interceptor was used; nothing else may be left over.
    expect(patches.isDone()).toBe(true);
    nock.cleanAll();
  });
});
