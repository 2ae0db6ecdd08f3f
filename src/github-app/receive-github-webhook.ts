/**
 * One GitHub delivery, from raw body to applied event. The signature is checked before anything is
 * parsed; the payload must be a JSON object of the shape its event needs; then the delivery id is
 * claimed in WebhookDelivery (a repeated delivery stops here), Probot's `verifyAndReceive` runs the
 * handlers, and the delivery is marked processed (the repository's webhook health with it) or failed.
 */
import type { Probot } from 'probot';
import { ZodError } from 'zod';
import type { Logger } from '../logger.js';
import type { WebhookHealthStore } from '../store/webhook-health-store.js';
import type { InstallationRepositoryStore } from '../store/prisma-installation-repository-store.js';
import type { WebhookDeliveryStore } from '../store/prisma-webhook-delivery-store.js';
import { webhookPayloadSchemas } from './github-webhook-schema.js';
import { WebhookRejectedError } from './webhook-rejected-error.js';

export interface GitHubWebhookDelivery {
  /** `X-GitHub-Delivery`. */
  id: string;
  /** `X-GitHub-Event`. */
  name: string;
  /** `X-Hub-Signature-256`. */
  signature: string;
  /** The raw body, exactly as signed. */
  payload: string;
}

export type ReceiveOutcome = 'processed' | 'duplicate';

export type ReceiveGitHubWebhook = (delivery: GitHubWebhookDelivery) => Promise<ReceiveOutcome>;

export interface GitHubWebhookReceiverDeps {
  probot: Probot;
  deliveries: WebhookDeliveryStore;
  installationRepositories: Pick<InstallationRepositoryStore, 'findId'>;
  /** Webhook health, as for every host. */
  health: Pick<WebhookHealthStore, 'recordDelivery'>;
  clock: () => Date;
  log: Logger;
}

export function createGitHubWebhookReceiver(deps: GitHubWebhookReceiverDeps): ReceiveGitHubWebhook {
  const { probot, log } = deps;
  return async (delivery) => {
    const verified = await probot.webhooks.verify(delivery.payload, delivery.signature).catch(() => false);
    if (!verified) {
      throw new WebhookRejectedError(
        401,
        'invalid_signature',
        'X-Hub-Signature-256 does not match the body: check that WEBHOOK_SECRET is the App\'s webhook secret.',
      );
    }
    const payload = parsePayload(delivery);
    const action = typeof payload.action === 'string' ? payload.action : null;
    const target = repositoryOf(payload);
    const repositoryId = target ? await deps.installationRepositories.findId(target.installationId, target.externalRepoId) : null;
    const claimed = await deps.deliveries.claim({ provider: 'github', deliveryId: delivery.id, event: delivery.name, action, repositoryId });
    const child = log.child({ deliveryId: delivery.id, event: delivery.name, action });
    if (!claimed) {
      child.info({}, 'repeated delivery skipped');
      return 'duplicate';
    }
    try {
      await probot.webhooks.verifyAndReceive(delivery);
    } catch (error) {
      await deps.deliveries.finish(claimed, { status: 'failed', repositoryId }).catch((finishError: unknown) => {
        child.warn({ err: finishError }, 'delivery status could not be saved');
      });
      throw asRejection(error) ?? error;
    }
    // A repository connected by this very event has an id only now.
    const applied = repositoryId ?? (target ? await deps.installationRepositories.findId(target.installationId, target.externalRepoId) : null);
    await deps.deliveries.finish(claimed, { status: 'processed', repositoryId: applied });
    if (applied) await deps.health.recordDelivery(applied, deps.clock());
    child.debug({ repositoryId: applied }, 'delivery processed');
    return 'processed';
  };
}

function parsePayload(delivery: GitHubWebhookDelivery): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(delivery.payload);
  } catch (error) {
    throw new WebhookRejectedError(400, 'invalid_json', 'The body is not valid JSON: set the App\'s webhook content type to application/json.', {
      cause: error,
    });
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new WebhookRejectedError(400, 'invalid_payload', 'The body must be a JSON object, as GitHub sends.');
  }
  const schema = webhookPayloadSchemas[delivery.name];
  const result = schema?.safeParse(payload);
  if (result && !result.success) {
    throw new WebhookRejectedError(400, 'invalid_payload', `The ${delivery.name} payload is not what GitHub sends: ${describe(result.error)}.`);
  }
  return payload as Record<string, unknown>;
}

/** The installation and repository ids a delivery is about, when it has both. */
function repositoryOf(payload: Record<string, unknown>): { installationId: number; externalRepoId: string } | null {
  const installation = payload.installation as { id?: unknown } | null | undefined;
  const repository = payload.repository as { id?: unknown } | null | undefined;
  const installationId = installation?.id;
  const repositoryId = repository?.id;
  if (!Number.isSafeInteger(installationId) || !Number.isSafeInteger(repositoryId)) return null;
  return { installationId: installationId as number, externalRepoId: String(repositoryId) };
}

/** Handlers that failed only because of the payload's shape: the delivery is refused, not retried. */
function asRejection(error: unknown): WebhookRejectedError | null {
  const errors = error instanceof AggregateError ? error.errors : [error];
  const shapes = errors.filter((inner): inner is ZodError | WebhookRejectedError => inner instanceof ZodError || inner instanceof WebhookRejectedError);
  if (errors.length === 0 || shapes.length !== errors.length) return null;
  const first = shapes[0]!;
  return first instanceof WebhookRejectedError
    ? first
    : new WebhookRejectedError(400, 'invalid_payload', `The payload is not what GitHub sends: ${describe(first)}.`, { cause: error });
}

function describe(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'payload';
  return `${path}: ${issue.message}`;
}
