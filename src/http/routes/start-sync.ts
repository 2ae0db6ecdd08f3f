/**
 * `POST /api/projects/:projectId/repositories/:repositoryId/sync`: a member starts a sync of a
 * repository named by its id or its path (resolve-repository.ts).
 *
 * Checked in this order, nothing written until all pass: 401 token, 403 role, 400 body, 404
 * repository (unknown or of another project), 409 a sync already pending or running, 428 until
 * `confirm: true` when the webhook is active (a sync should not be needed) or closed issues are
 * included (a much larger sync); `reason` names the first of the two that applies and `reasons`
 * lists both, one `confirm: true` covers both.
 *
 * Mode `sync` answers 200 when the sync has finished; `async` answers 202 with where to watch it;
 * `auto` (default) queues it when the repository is estimated above 100 items — the last completed
 * sync's item count, else the host's open-issues count, unknown counting as large — and otherwise
 * waits for it, but answers 202 anyway if it takes longer than the inline wait (20 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { z } from 'zod';
import type { WebhookStatus } from '../../store/find-project-repository.js';
import type { OperationRecord, RepositoryRecord } from '../../store/issue-store.js';
import { lastSyncSize } from '../../store/last-sync-size.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import { HttpError } from '../http-error.js';
import { operationView, statusUrlOf } from '../operation-view.js';
import { flag, oneOf } from '../plain-schemas.js';
import { requesterOf, type ApiEnv } from '../principal.js';
import { readJsonBody } from '../read-json-body.js';
import { findNamedRepository } from '../resolve-repository.js';

const bodySchema = z.strictObject({
  syncType: oneOf(['issues', 'security', 'all']),
  includeClosed: flag().optional(),
  confirm: flag().optional(),
  mode: oneOf(['auto', 'sync', 'async']).optional(),
});

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
const DEFAULT_INLINE_ISSUE_LIMIT = 100;
const DEFAULT_INLINE_WAIT_MS = 20_000;

export function startSyncRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  // The repository may be named by its path, `acme/demo` or `acme%2Fdemo`, as well as by its id.
  app.post('/api/projects/:projectId/repositories/:repositoryId{.+}/sync', async (c) => {
    const principal = c.get('principal');
    const project = await findProject(deps, principal, c.req.param('projectId'), 'member', 'start a sync');
    const body = await readJsonBody(c, bodySchema);
    const { repository, webhookStatus } = await findNamedRepository(deps, project, c.req.param('repositoryId'), {
      status: 404,
      code: 'repository_not_found',
    });
    const includeClosed = body.includeClosed ?? false;

    const active = await deps.stores.operations.findActive(repository.id);
    if (active) throw inProgress(active);
    const reasons = confirmationReasons(webhookStatus, includeClosed);
    if (reasons.length > 0 && body.confirm !== true) {
      throw new HttpError(428, 'confirmation_required', CONFIRM_MESSAGES[reasons[0]!], {
        requiresConfirmation: true,
        reason: reasons[0],
        reasons,
      });
    }

    const mode = body.mode ?? 'auto';
    const inlineLimit = deps.inlineIssueLimit ?? DEFAULT_INLINE_ISSUE_LIMIT;
    const inline = mode === 'sync' || (mode === 'auto' && (await estimateSize(deps, repository)) <= inlineLimit);
    const started = await deps.jobs.start({
      projectId: project.id,
      repositoryId: repository.id,
      syncType: body.syncType,
      includeClosed,
      trigger: 'manual',
      requestedBy: requesterOf(principal),
    });
    if (started.status === 'already_running') throw inProgress(started.operation);
    const { operation } = started;
    deps.log.info({ operationId: operation.id, repositoryId: repository.id, mode, inline }, 'sync requested over the API');

    if (inline) {
      const waitMs = mode === 'sync' ? null : (deps.inlineWaitMs ?? DEFAULT_INLINE_WAIT_MS);
      const finished = await waitForFinish(deps, operation.id, waitMs);
      if (finished && FINISHED.has(finished.status)) {
        const view = operationView(finished);
        return c.json({ operation: view, results: view.results }, 200);
      }
    }
    const statusUrl = statusUrlOf(operation.id);
    c.header('Location', statusUrl);
    return c.json({ operationId: operation.id, statusUrl, status: operation.status }, 202);
  });
  return app;
}

type ConfirmationReason = 'webhook_active' | 'include_closed';

const CONFIRM_MESSAGES: Record<ConfirmationReason, string> = {
  webhook_active:
    'The webhook of this repository is active, so its issues should already be up to date; send "confirm": true to sync anyway.',
  include_closed:
    'Including closed issues can make the sync much larger; send "confirm": true to go ahead.',
};

function confirmationReasons(webhookStatus: WebhookStatus, includeClosed: boolean): ConfirmationReason[] {
  const reasons: ConfirmationReason[] = [];
  if (webhookStatus === 'active') reasons.push('webhook_active');
  if (includeClosed) reasons.push('include_closed');
  return reasons;
}

function inProgress(operation: OperationRecord): HttpError {
  const statusUrl = statusUrlOf(operation.id);
  return new HttpError(
    409,
    'sync_in_progress',
    `A sync of this repository is already ${operation.status}; watch it with GET ${statusUrl}, or cancel it with POST ${statusUrl}/cancel and start again.`,
    { operationId: operation.id, statusUrl },
  );
}

/** Items the sync will go through, roughly; unknown counts as large (queued). */
async function estimateSize(deps: ApiDeps, repository: RepositoryRecord): Promise<number> {
  const last = await lastSyncSize(deps.db, repository.id);
  if (last !== null) return last;
  try {
    const provider = await deps.openProvider(repository);
    const info = await provider.repository();
    return info.openIssuesHint ?? Number.POSITIVE_INFINITY;
  } catch (error) {
    deps.log.info({ err: error, repositoryId: repository.id }, 'no size estimate for the sync; it is queued');
    return Number.POSITIVE_INFINITY;
  }
}

/** The finished operation, or null when it is still running after `waitMs` (null: no limit). */
async function waitForFinish(deps: ApiDeps, operationId: string, waitMs: number | null): Promise<OperationRecord | null> {
  const finished = deps.jobs.waitFor(operationId);
  if (waitMs === null) return finished;
  const timer = new AbortController();
  try {
    return await Promise.race([
      finished,
      sleep(waitMs, null, { signal: timer.signal }).catch(() => null),
    ]);
  } finally {
    timer.abort();
  }
}
