/**
 * One GitHub delivery, from raw body to applied event. The signature is checked before anything is
 * parsed; the body must be a JSON object; then the delivery id is claimed in WebhookDelivery (a
 * repeated delivery stops here), in the same statement as the installation and repository it is about
 * are looked up (kept for the handlers in DeliveryTargets), Probot's `receive` runs the handlers, and the delivery is marked
 * processed (the repository's webhook health with it) or failed. The signature is checked here, not by
 * Probot, against each of WEBHOOK_SECRET's values (old and new during a rotation).
 *
 * A signed delivery is never refused for the shape of its payload: GitHub would record a failure that
 * no redelivery can fix. The handlers acknowledge what they do not need, read from the API what the
 * payload lacks, and log what says too little to act on. What is still refused is what GitHub never
 * sends: a wrong signature (401), and a body that is not a JSON object (400). GitHub signs the exact
 * JSON it serialized, so a signed body that does not parse comes from someone holding the secret
 * (a test tool, a replay script), who is better told than silently acknowledged. A handler failure
 * (the database, a transient API error) is thrown, answered 500, and can be redelivered.
 */
import type { Probot } from 'probot';
import type { Logger } from '../logger.js';
import type { WebhookHealthStore } from '../store/webhook-health-store.js';
import type { InstallationRepositoryStore } from '../store/prisma-installation-repository-store.js';
import type { ClaimGitHubDelivery } from '../store/github-delivery-claim.js';
import type { WebhookDeliveryStore } from '../store/prisma-webhook-delivery-store.js';
import { secretPosition } from '../webhooks/secret-position.js';
import type { DeliveryTargets } from './delivery-targets.js';
import { matchGitHubSignature } from './match-github-signature.js';
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

/** What the delivery came to, and its body as parsed (for the delivery metrics). */
export interface ReceiveResult {
  outcome: ReceiveOutcome;
  payload: Record<string, unknown>;
}

export type ReceiveGitHubWebhook = (delivery: GitHubWebhookDelivery) => Promise<ReceiveResult>;

export interface GitHubWebhookReceiverDeps {
  probot: Probot;
  /** WEBHOOK_SECRET's values: one, or the old and the new during a rotation. */
  secrets: readonly string[];
  /** Claims a delivery and looks up its installation and repository, in one statement. */
  claim: ClaimGitHubDelivery;
  deliveries: Pick<WebhookDeliveryStore, 'finish'>;
  /** Where the handlers find what the claim looked up. */
  targets: DeliveryTargets;
  installationRepositories: Pick<InstallationRepositoryStore, 'findId'>;
  /** Webhook health, as for every host. */
  health: Pick<WebhookHealthStore, 'recordDelivery'>;
  clock: () => Date;
  log: Logger;
}

export function createGitHubWebhookReceiver(deps: GitHubWebhookReceiverDeps): ReceiveGitHubWebhook {
  const { probot, log } = deps;
  return async (delivery) => {
    const matched = matchGitHubSignature(delivery.payload, delivery.signature, deps.secrets);
    if (matched === -1) {
      throw new WebhookRejectedError(
        401,
        'invalid_signature',
        'X-Hub-Signature-256 does not match the body: check that WEBHOOK_SECRET is the App\'s webhook secret.',
      );
    }
    const payload = parsePayload(delivery);
    const action = typeof payload.action === 'string' ? payload.action : null;
    const target = repositoryOf(payload);
    const claim = await deps.claim({ deliveryId: delivery.id, event: delivery.name, action, target });
    const claimed = claim.claimId;
    const repositoryId = claim.repository?.id ?? null;
    const child = log.child({ deliveryId: delivery.id, event: delivery.name, action, signedWith: secretPosition(matched, deps.secrets.length) });
    // During a rotation, which secret each delivery was signed with tells when the old one can go.
    if (deps.secrets.length > 1) child.info({}, 'webhook secret matched');
    if (!claimed) {
      child.info({}, 'repeated delivery skipped');
      return { outcome: 'duplicate', payload };
    }
    if (!probotCanAuthenticate(payload)) {
      // Probot builds the event's installation client before any handler runs, and throws for this id.
      child.warn({ installation: payload.installation }, 'payload\'s installation id is not a number; acknowledged and ignored');
      await deps.deliveries.finish(claimed, { status: 'processed', repositoryId });
      return { outcome: 'processed', payload };
    }
    if (target) deps.targets.set(delivery.id, { ...target, installation: claim.installation, repository: claim.repository });
    try {
      // Verified above and parsed once: handed to the handlers as it is (verifyAndReceive would do both again).
      await probot.webhooks.receive({ id: delivery.id, name: delivery.name, payload } as Parameters<typeof probot.webhooks.receive>[0]);
    } catch (error) {
      await deps.deliveries.finish(claimed, { status: 'failed', repositoryId }).catch((finishError: unknown) => {
        child.warn({ err: finishError }, 'delivery status could not be saved');
      });
      throw error;
    } finally {
      deps.targets.delete(delivery.id);
    }
    // A repository connected by this very event has an id only now.
    const applied = repositoryId ?? (target ? await deps.installationRepositories.findId(target.githubInstallationId, target.externalRepoId) : null);
    await deps.deliveries.finish(claimed, { status: 'processed', repositoryId: applied });
    if (applied) await deps.health.recordDelivery(applied, deps.clock());
    child.debug({ repositoryId: applied }, 'delivery processed');
    return { outcome: 'processed', payload };
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
  return payload as Record<string, unknown>;
}

/** False when `installation.id` is set but not a number (Probot's installation auth would throw). */
function probotCanAuthenticate(payload: Record<string, unknown>): boolean {
  const installation = payload.installation as { id?: unknown } | null | undefined;
  const id = typeof installation === 'object' ? installation?.id : undefined;
  return !id || Number.isSafeInteger(Number(id));
}

/** The installation and repository a delivery is about, when it names both by id. */
function repositoryOf(payload: Record<string, unknown>): { githubInstallationId: number; externalRepoId: string; fullPath: string } | null {
  const installation = payload.installation as { id?: unknown } | null | undefined;
  const repository = payload.repository as { id?: unknown; full_name?: unknown } | null | undefined;
  const installationId = installation?.id;
  const repositoryId = repository?.id;
  if (!Number.isSafeInteger(installationId) || !Number.isSafeInteger(repositoryId)) return null;
  const fullPath = typeof repository?.full_name === 'string' ? repository.full_name : '';
  return { githubInstallationId: installationId as number, externalRepoId: String(repositoryId), fullPath };
}
