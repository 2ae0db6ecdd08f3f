/**
 * `POST /api/projects/:projectId/repositories`: an admin connects a repository read with a token
 * `{provider, repo, token, apiUrl?}`. The token is checked with the host first (a bad token or an
 * unknown repository is refused here, not at the first sync) and stored encrypted; the host's
 * canonical path and URL are stored. Meant for GitLab and Bitbucket; GitHub repositories normally
 * come from the GitHub App, but a GitHub repository with a token (GitHub Enterprise, or no App) is
 * accepted too, as `issue-sync repos add` does. 201 for a new connection, 200 for a refreshed one.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { PROVIDER_KINDS } from '../../domain/items.js';
import { errorMessage, ProviderError } from '../../errors.js';
import { normalizeRepository } from '../../providers/index.js';
import type { RepositoryRecord } from '../../store/issue-store.js';
import { HttpError } from '../http-error.js';
import type { ApiDeps } from '../api-deps.js';
import { findProject } from '../find-project.js';
import { httpUrl, oneOf, text } from '../plain-schemas.js';
import type { ApiEnv } from '../principal.js';
import { providerHttpError } from '../provider-http-error.js';
import { readJsonBody } from '../read-json-body.js';

const bodySchema = z.strictObject({
  provider: oneOf(PROVIDER_KINDS),
  repo: text(300),
  // A token pasted with the line around it is trimmed; one with a space, a line break or a control
  // character inside is refused here, before it could reach a header (and an error message).
  token: text(2000)
    .trim()
    .refine((value) => value.length > 0, 'must not be empty')
    .refine((value) => !/[\s\p{Cc}]/u.test(value), 'must be the token alone, without spaces, line breaks or control characters'),
  apiUrl: httpUrl().optional(),
});

export function connectRepositoryRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/projects/:projectId/repositories', async (c) => {
    const project = await findProject(deps, c.get('principal'), c.req.param('projectId'), 'admin', 'connect a repository');
    const body = await readJsonBody(c, bodySchema);
    let repo: string;
    try {
      repo = normalizeRepository(body.provider, body.repo, 'repo');
    } catch (error) {
      throw new HttpError(400, 'invalid_body', errorMessage(error));
    }
    const apiUrl = body.apiUrl?.replace(/\/+$/, '') ?? null;
    const encryptedToken = deps.cipher.encrypt(body.token);
    // The connection as it would be stored, so the check reads the host exactly as later syncs will.
    const candidate: RepositoryRecord = {
      id: '',
      projectId: project.id,
      provider: body.provider,
      fullPath: repo,
      url: '',
      apiUrl,
      encryptedToken,
      installationId: null,
      active: true,
      lastSyncAt: null,
      issuesWatermark: null,
      alertsWatermark: null,
      version: null,
    };
    let info;
    try {
      const provider = await deps.openProvider(candidate);
      info = await provider.repository(c.req.raw.signal);
    } catch (error) {
      // Here the host is the caller's choice (apiUrl, or the configured one): one that cannot be
      // reached is theirs to fix, not a failure of this service.
      if (error instanceof ProviderError && error.code === 'unreachable') {
        throw new HttpError(422, 'provider_unreachable', `${error.message} Check apiUrl.`, { provider: error.provider });
      }
      throw providerHttpError(error);
    }
    const existing = await deps.stores.repositories.findByPath(project.id, body.provider, info.fullName);
    const connection = await deps.stores.repositories.connect({
      projectId: project.id,
      provider: body.provider,
      fullPath: existing?.fullPath ?? info.fullName,
      url: info.url,
      apiUrl,
      externalRepoId: info.id,
      encryptedToken,
    });
    deps.log.info({ repositoryId: connection.id, provider: body.provider, repo: connection.fullPath }, 'repository connected over the API');
    return c.json(
      {
        repository: {
          id: connection.id,
          provider: connection.provider,
          fullPath: connection.fullPath,
          url: connection.url,
          apiUrl: connection.apiUrl,
          active: connection.active,
        },
      },
      existing ? 200 : 201,
    );
  });
  return app;
}
