/**
 * `POST /api/gitlab/webhooks`: GitLab's Issue and Note hooks (and their confidential twins).
 *
 * - The secret comes first: none configured → 503 saying what to set; `X-Gitlab-Token` missing or
 *   wrong → 401, checked in constant time before the body is even parsed. A body that is not JSON → 400.
 * - GitLab turns a hook off after four failures in a row, so a validly signed delivery is never
 *   refused for what it carries: an event or shape we do not act on, or a project nobody connected,
 *   is 200 `ignored`.
 * - A delivery id (`Idempotency-Key`, stable across GitLab's retries and resends, else
 *   `X-Gitlab-Event-UUID` with the body's digest, else `X-Gitlab-Webhook-UUID`; see deliveryIdOf) is
 *   claimed before anything is applied: a repeat is 200 `duplicate` and changes nothing. Without any
 *   id the event is applied as it comes.
 * - An issue is stored with the upsert a sync uses (newer `updated_at` wins), in every connection of
 *   its project; every applied delivery marks those connections' webhooks active.
 * - A /sync note is answered after the delivery (gitlab-slash-note-handler.ts): that takes several
 *   GitLab API calls, and a slow GitLab must not make GitLab's own 10 s delivery time out.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { HttpError } from '../../http/http-error.js';
import { answerWebhook } from '../../http/webhook-answer.js';
import type { Logger } from '../../logger.js';
import type { RepositoryRecord } from '../../store/issue-store.js';
import { writeLiveItem } from '../../sync/write-live-item.js';
import { externalIdOf } from '../../sync/external-id.js';
import { createBackgroundTasks, type BackgroundTasks } from '../../webhooks/background-tasks.js';
import { secretPosition } from '../../webhooks/secret-position.js';
import type { SlashCommand } from '../../webhooks/slash-command.js';
import type { WebhookHandler } from '../definition.js';
import type { HostWebhookDeps } from '../webhook-deps.js';
import { handleSlashNote } from './gitlab-slash-note-handler.js';
import { readGitLabDelivery, type IssueDelivery, type NoteDelivery } from './gitlab-webhook-delivery.js';
import { findGitLabConnections } from './gitlab-webhook-repositories.js';
import { matchWebhookToken } from './gitlab-webhook-token.js';

export type GitLabWebhookDeps = HostWebhookDeps;

export function gitlabWebhookHandler(deps: GitLabWebhookDeps): WebhookHandler {
  const background = deps.background ?? createBackgroundTasks(deps.log);
  return async (c) => {
    if (deps.secrets.length === 0) {
      throw new HttpError(
        503,
        'webhook_secret_not_configured',
        'GitLab webhooks are not set up here: set GITLAB_WEBHOOK_SECRET to the secret token of the GitLab webhook and restart.',
      );
    }
    const matched = matchWebhookToken(c.req.header('x-gitlab-token'), deps.secrets);
    if (matched === -1) {
      throw new HttpError(
        401,
        'invalid_token',
        'X-Gitlab-Token is missing or wrong: set the secret token of the GitLab webhook to the value of GITLAB_WEBHOOK_SECRET.',
      );
    }
    const raw = await c.req.text();
    const payload = parseJson(raw);
    const event = c.req.header('x-gitlab-event') ?? '';
    const deliveryId = deliveryIdOf(c, raw);
    const log = deps.log.child({ deliveryId, event, signedWith: secretPosition(matched, deps.secrets.length) });
    // During a rotation, which secret each delivery came with tells when the old one can go.
    if (deps.secrets.length > 1) log.info({}, 'webhook secret matched');

    const delivery = readGitLabDelivery(event, payload);
    if (delivery.kind === 'ignored') {
      if (delivery.problem) log.warn({ problem: delivery.problem }, 'GitLab delivery ignored: unexpected payload');
      return answerWebhook(c, { status: 'ignored', reason: delivery.reason }, { payload });
    }
    const repositories = await findGitLabConnections(deps, delivery.project);
    if (repositories.length === 0) {
      log.info({ project: delivery.project.path_with_namespace }, 'GitLab delivery ignored: project not connected');
      return answerWebhook(c, { status: 'ignored', reason: 'not_connected' }, { payload });
    }
    const repositoryId = repositories[0]!.id;
    const claimed = deliveryId
      ? await deps.deliveries.claim({ provider: 'gitlab', deliveryId, event, action: delivery.action, repositoryId })
      : null;
    if (deliveryId && !claimed) {
      log.info({}, 'repeated delivery skipped');
      return answerWebhook(c, { status: 'duplicate' }, { payload });
    }
    try {
      if (delivery.kind === 'issue') await applyIssue(deps, delivery, repositories, log);
      const now = deps.clock();
      for (const repository of repositories) await deps.health.recordDelivery(repository.id, now);
    } catch (error) {
      if (claimed) {
        await deps.deliveries.finish(claimed, { status: 'failed', repositoryId }).catch((finishError: unknown) => {
          log.warn({ err: finishError }, 'delivery status could not be saved');
        });
      }
      throw error;
    }
    if (claimed) await deps.deliveries.finish(claimed, { status: 'processed', repositoryId });
    if (delivery.kind === 'note' && delivery.command) answerLater(deps, background, { ...delivery, command: delivery.command }, repositories, log);
    return answerWebhook(c, { status: 'processed' }, { payload });
  };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON; GitLab sends JSON, so check what posts to this URL.');
  }
}

/**
 * The delivery's id for dedupe. `Idempotency-Key` (17.4+) is made per delivery and kept across
 * GitLab's retries and resends. `X-Gitlab-Event-UUID` is GitLab's recursion-detection id: fresh per
 * delivery, except that every hook set off by an API call which passed that header on (a bot acting
 * on a hook) carries the caller's one, so the same UUID can come with different events; it counts
 * only together with a digest of the body. `X-Gitlab-Webhook-UUID` is new for every attempt.
 */
function deliveryIdOf(c: Context, raw: string): string | null {
  const header = (name: string) => c.req.header(name)?.trim() || null;
  const eventUuid = header('x-gitlab-event-uuid');
  return (
    header('idempotency-key') ??
    (eventUuid ? `${eventUuid}:${createHash('sha256').update(raw).digest('hex').slice(0, 32)}` : null) ??
    header('x-gitlab-webhook-uuid')
  );
}

async function applyIssue(deps: HostWebhookDeps, delivery: IssueDelivery, repositories: RepositoryRecord[], log: Logger): Promise<void> {
  for (const repository of repositories) {
    const author = delivery.author ?? (await storedAuthor(deps, repository, delivery));
    await writeLiveItem(deps.stores.issues, repository, { ...delivery.item, author }, log.child({ repositoryId: repository.id }));
  }
}

/** The hook names the author only by id; when its user is someone else, the stored author stays. */
async function storedAuthor(deps: HostWebhookDeps, repository: RepositoryRecord, delivery: IssueDelivery): Promise<string | null> {
  const row = await deps.db.prisma.issue.findFirst({
    where: { projectId: repository.projectId, externalId: externalIdOf(delivery.item) },
    select: { author: true },
  });
  return row?.author ?? null;
}

function answerLater(
  deps: HostWebhookDeps,
  background: BackgroundTasks,
  delivery: NoteDelivery & { command: SlashCommand },
  repositories: RepositoryRecord[],
  log: Logger,
): void {
  // One connection answers and is synced: the first one holding a token (a token is needed to speak).
  const repository = repositories.find((candidate) => candidate.encryptedToken) ?? repositories[0]!;
  const note = {
    command: delivery.command,
    repository,
    projectId: delivery.project.id,
    projectPath: delivery.project.path_with_namespace,
    projectUrl: delivery.project.web_url.replace(/\/+$/, ''),
    issueIid: delivery.issueIid,
    noteId: delivery.noteId,
    user: delivery.user,
    internal: delivery.internal,
  };
  background.run('gitlab slash command', () => handleSlashNote({ ...deps, log }, note));
}
