/**
 * `POST /api/bitbucket/webhooks`: a `repo:push` that moves a repository's main branch starts a
 * security sync of every active connection of that repository, so findings follow the new head.
 *
 * In order: no secret configured → 503 (unsigned deliveries would let anyone start syncs); the
 * signature over the raw body → 401; only then the JSON → 400; the delivery (`X-Request-UUID`) is
 * claimed once → a repeat is answered `duplicate`; any other event, or a push elsewhere → `ignored`
 * (a signed delivery is never refused for its shape). The sync is queued, not run here: Bitbucket
 * gives up on a delivery after 10 s.
 */
import type { Context } from 'hono';
import { HttpError } from '../../http/http-error.js';
import { answerWebhook } from '../../http/webhook-answer.js';
import type { RepositoryRecord } from '../../store/issue-store.js';
import type { WebhookHandler } from '../definition.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import { bitbucketPushSchema, pushedBranches } from './bitbucket-push.js';
import { secretPosition } from '../../webhooks/secret-position.js';
import { matchBitbucketSignature } from './bitbucket-signature.js';

/** Longest wait for the main branch's name, well inside Bitbucket's 10 s. */
const MAIN_BRANCH_TIMEOUT_MS = 4_000;

export function bitbucketWebhookHandler(deps: HostWebhookDeps): WebhookHandler {
  return async (c) => {
    if (deps.secrets.length === 0) {
      throw new HttpError(
        503,
        'webhook_secret_not_configured',
        'Bitbucket webhooks are not accepted until BITBUCKET_WEBHOOK_SECRET is set (the secret of the repository\'s webhook): unsigned deliveries would let anyone start syncs.',
      );
    }
    const raw = Buffer.from(await c.req.arrayBuffer());
    const matched = matchBitbucketSignature(c.req.header('x-hub-signature'), raw, deps.secrets);
    if (matched === -1) {
      deps.log.warn({ deliveryId: c.req.header('x-request-uuid') }, 'bitbucket webhook signature refused');
      throw new HttpError(
        401,
        'invalid_signature',
        'X-Hub-Signature is missing or does not match: the webhook\'s secret in Bitbucket must be BITBUCKET_WEBHOOK_SECRET.',
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_payload', 'The body is not JSON.');
    }
    const event = c.req.header('x-event-key') ?? '';
    const deliveryId = c.req.header('x-request-uuid') ?? null;
    // During a rotation, which secret each delivery was signed with tells when the old one can go.
    if (deps.secrets.length > 1) {
      deps.log.info({ deliveryId, event, signedWith: secretPosition(matched, deps.secrets.length) }, 'webhook secret matched');
    }
    if (event !== 'repo:push') return ignored(c, `${event || 'an event without X-Event-Key'} is not handled`);
    const push = bitbucketPushSchema.safeParse(payload);
    if (!push.success) return ignored(c, 'the push payload has no repository or changes');

    const fullName = push.data.repository.full_name;
    const connections = (await deps.stores.repositories.listByPath(null, fullName)).filter(
      (connection) => connection.provider === 'bitbucket' && connection.active,
    );
    if (connections.length === 0) return ignored(c, `no active connection of ${fullName}`);
    const branches = pushedBranches(push.data);
    if (branches.length === 0) return ignored(c, 'the push moved no branch');

    const claimId = deliveryId
      ? await deps.deliveries.claim({ provider: 'bitbucket', deliveryId, event, action: null, repositoryId: connections[0]!.id })
      : null;
    if (deliveryId && claimId === null) return answerWebhook(c, { status: 'duplicate', deliveryId }, { payload });
    try {
      // Any signed push shows the hook works, whichever branch it moved.
      for (const connection of connections) await deps.health.recordDelivery(connection.id, deps.clock());
      const mainBranch = await mainBranchOf(deps, connections);
      if (mainBranch !== null && !branches.includes(mainBranch)) {
        if (claimId) await deps.deliveries.finish(claimId, { status: 'processed', repositoryId: connections[0]!.id });
        return ignored(c, `the push did not move the main branch ${mainBranch}`);
      }
      const operationIds: string[] = [];
      for (const connection of connections) {
        const started = await deps.jobs.start({
          projectId: connection.projectId,
          repositoryId: connection.id,
          syncType: 'security',
          includeClosed: false,
          trigger: 'webhook',
        });
        operationIds.push(started.operation.id);
      }
      if (claimId) await deps.deliveries.finish(claimId, { status: 'processed', repositoryId: connections[0]!.id });
      deps.log.info({ deliveryId, repository: fullName, operationIds }, 'bitbucket push: security sync queued');
      return answerWebhook(c, { status: 'queued', deliveryId, operationIds }, { payload, httpStatus: 202 });
    } catch (error) {
      if (claimId) {
        await deps.deliveries.finish(claimId, { status: 'failed', repositoryId: connections[0]!.id }).catch(() => undefined);
      }
      deps.log.error({ err: error, deliveryId, repository: fullName }, 'bitbucket webhook delivery failed');
      throw new HttpError(500, 'webhook_failed', 'The delivery could not be applied; the error was logged and Bitbucket retries it.');
    }
  };
}

function ignored(c: Context, reason: string): Response {
  return answerWebhook(c, { status: 'ignored', reason });
}

/**
 * The main branch as Bitbucket names it now (the push payload does not say): one request through a
 * connection's provider. Null when it cannot be read in time: the sync then goes ahead, as a sync of
 * an unchanged head costs a few requests and writes nothing, while a missed push leaves findings stale.
 */
async function mainBranchOf(deps: HostWebhookDeps, connections: readonly RepositoryRecord[]): Promise<string | null> {
  for (const connection of connections) {
    try {
      const provider = await deps.openProvider(connection);
      const repository = await provider.repository(AbortSignal.timeout(MAIN_BRANCH_TIMEOUT_MS));
      return repository.defaultBranch;
    } catch (error) {
      deps.log.warn({ err: error, repositoryId: connection.id }, 'bitbucket main branch could not be read');
    }
  }
  return null;
}
