/**
 * The HTTP API under `/api/projects`, `/api/sync-operations` and `/api/admin`: every request is
 * size-limited (1 MB, 413) and authenticated (401) before a route sees it; each route checks the
 * caller's role in its project and validates its input with zod.
 */
import { Hono } from 'hono';
import { createApiTokenStore } from '../store/prisma-api-token-store.js';
import type { ApiDeps } from './api-deps.js';
import { HttpError } from './http-error.js';
import { authenticate } from './middleware/authenticate.js';
import type { ApiEnv } from './principal.js';
import { adminBackfillRoutes } from './routes/admin-backfill.js';
import { cancelSyncOperationRoutes } from './routes/cancel-sync-operation.js';
import { connectRepositoryRoutes } from './routes/connect-repository.js';
import { linkIssueRoutes } from './routes/link-issue.js';
import { listProjectIssuesRoutes } from './routes/list-project-issues.js';
import { listProjectsRoutes } from './routes/list-projects.js';
import { listRepositoriesRoutes } from './routes/list-repositories.js';
import { startSyncRoutes } from './routes/start-sync.js';
import { syncOperationStatusRoutes } from './routes/sync-operation-status.js';
import { unlinkIssueRoutes } from './routes/unlink-issue.js';
import { bodySizeLimit } from './middleware/body-size-limit.js';

export const MAX_API_BODY_BYTES = 1024 * 1024;

const PROTECTED = ['/api/projects', '/api/projects/*', '/api/sync-operations/*', '/api/admin/*'];

export function apiRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const limit = bodySizeLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: () => {
      throw new HttpError(413, 'payload_too_large', `Request bodies are limited to ${MAX_API_BODY_BYTES} bytes; send less in one request.`);
    },
  });
  const auth = authenticate({ tokens: createApiTokenStore(deps.db), adminToken: deps.adminToken, log: deps.log, ...(deps.clock ? { clock: deps.clock } : {}) });
  for (const path of PROTECTED) app.use(path, limit, auth);
  for (const routes of [
    listProjectsRoutes,
    startSyncRoutes,
    syncOperationStatusRoutes,
    cancelSyncOperationRoutes,
    listRepositoriesRoutes,
    connectRepositoryRoutes,
    listProjectIssuesRoutes,
    linkIssueRoutes,
    unlinkIssueRoutes,
    adminBackfillRoutes,
  ]) {
    app.route('/', routes(deps));
  }
  return app;
}
