/**
 * `POST /api/projects/:projectId/issues/:issueId/link`: a member links a local issue to an external
 * one, named by `{repositoryId, externalIssueId}` (`12`, `alert-3`; the repository by its id or its
 * path) or by its web `{url}`. The
 * external issue is read from the host first; an unknown one is 422. When another issue of the
 * project already holds that link the answer is 409 `already_linked` with its id, and nothing changes.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { externalIdOf } from '../../sync/external-id.js';
import { findIssue } from '../../store/find-issue.js';
import { findProjectRepository } from '../../store/find-project-repository.js';
import { linkIssue } from '../../store/link-issue.js';
import type { ExternalIssue } from '../../domain/items.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import { HttpError } from '../http-error.js';
import { issueNotFound } from '../issue-not-found.js';
import { parseItemUrl } from '../../providers/index.js';
import { repositoriesUrlOf } from '../project-urls.js';
import { httpUrl, isId, text } from '../plain-schemas.js';
import type { ApiEnv } from '../principal.js';
import { providerHttpError } from '../provider-http-error.js';
import { readJsonBody } from '../read-json-body.js';
import { findNamedRepository } from '../resolve-repository.js';

const EXTERNAL_ISSUE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const bodySchema = z
  .strictObject({
    repositoryId: text(300).optional(),
    externalIssueId: z
      .union([text(200).regex(EXTERNAL_ISSUE_ID), z.int().positive()], {
        error: 'must be the issue\'s number or id at the host, like 12 or "alert-3"',
      })
      .transform(String)
      .optional(),
    url: httpUrl().optional(),
  })
  .superRefine((body, context) => {
    const byId = body.repositoryId !== undefined || body.externalIssueId !== undefined;
    if (body.url !== undefined && byId) {
      context.addIssue({ code: 'custom', message: 'must have either url or repositoryId and externalIssueId, not both' });
    } else if (body.url === undefined && (body.repositoryId === undefined || body.externalIssueId === undefined)) {
      context.addIssue({ code: 'custom', message: 'must have url, or repositoryId and externalIssueId' });
    }
  });

export function linkIssueRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/projects/:projectId/issues/:issueId/link', async (c) => {
    const project = await findProject(deps, c.get('principal'), c.req.param('projectId'), 'member', 'link issues');
    const body = await readJsonBody(c, bodySchema);
    const issueId = c.req.param('issueId');
    const issue = isId(issueId) ? await findIssue(deps.db, project.id, issueId) : null;
    if (!issue) throw issueNotFound(project.slug, issueId);

    const target = body.url === undefined ? { repositoryId: body.repositoryId!, externalIssueId: body.externalIssueId! } : fromUrl(body.url);
    const { repository } = await findTargetRepository(deps, project, target);
    let external: ExternalIssue | null;
    try {
      const provider = await deps.openProvider(repository);
      if (!provider.getIssue) {
        throw new HttpError(422, 'link_not_supported', `Linking is not available for ${repository.provider} repositories in this version yet.`);
      }
      external = await provider.getIssue(target.externalIssueId, c.req.raw.signal);
    } catch (error) {
      throw providerHttpError(error);
    }
    if (!external) {
      throw new HttpError(
        422,
        'external_issue_not_found',
        `${repository.fullPath} has no issue or alert "${target.externalIssueId}"; check its number at the host, or send the issue's {"url"} instead.`,
      );
    }

    const externalId = externalIdOf(external);
    const outcome = await linkIssue(deps.db, {
      projectId: project.id,
      issueId: issue.id,
      externalId,
      provider: external.provider,
      externalIssueId: external.issueId,
      repositoryId: repository.id,
      repositoryUrl: external.repositoryUrl,
    });
    if (outcome.status === 'already_linked') {
      throw new HttpError(409, 'already_linked', `Issue ${outcome.issueId} is already linked to ${externalId}; unlink it first.`, {
        issueId: outcome.issueId,
        externalId,
      });
    }
    if (outcome.status === 'not_found') throw issueNotFound(project.slug, issueId);
    deps.log.info({ issueId: issue.id, externalId }, 'issue linked over the API');
    return c.json({
      issue: await findIssue(deps.db, project.id, issue.id),
      external: { externalId, kind: external.kind, title: external.title, state: external.state, url: external.url },
    });
  });
  return app;
}

/** The repository the link names: by its id or path, or by the URL of one of its issues. */
async function findTargetRepository(
  deps: ApiDeps,
  project: { id: string; slug: string },
  target: { repositoryUrl: string } | { repositoryId: string },
): Promise<NonNullable<Awaited<ReturnType<typeof findProjectRepository>>>> {
  if ('repositoryUrl' in target) {
    const found = await findProjectRepository(deps.db, project.id, { url: target.repositoryUrl });
    if (found) return found;
    throw new HttpError(
      422,
      'unknown_repository',
      `Project ${project.slug} has no repository at ${target.repositoryUrl}; connect it first ` +
        `(POST ${repositoriesUrlOf(project.slug)}, issue-sync repos add, or the GitHub App).`,
    );
  }
  return findNamedRepository(deps, project, target.repositoryId, { status: 422, code: 'unknown_repository' });
}

function fromUrl(url: string): { repositoryUrl: string; externalIssueId: string } {
  const parsed = parseItemUrl(url);
  if (parsed === 'pull_request') throw new HttpError(422, 'not_an_issue', 'Pull and merge requests are not synced; link an issue or a security alert.');
  if (!parsed) {
    throw new HttpError(400, 'invalid_body', 'url must point at an issue or a security alert, like https://github.com/octo/hello/issues/12.');
  }
  return { repositoryUrl: parsed.repositoryUrl, externalIssueId: parsed.issueId };
}
