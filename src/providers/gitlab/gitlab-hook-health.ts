/**
 * GitLab's own word on a project webhook: `alert_status` of `GET /projects/:id/hooks/:hook_id`. With
 * no hook id stored yet, the project's hooks (`GET /projects/:id/hooks`) are searched for the one
 * that delivers to issue-sync (its URL's path is /api/gitlab/webhooks); its id is returned to be stored.
 * GitLab switches a failing hook off by itself (for a minute, doubling up to a day, then for good
 * after 40 failures; docs/providers.md), so a silent hook is best explained by asking it.
 *
 * Reading a hook needs the Maintainer role. A sync token with read_api as a Developer is what most
 * people connect, and its 403 says nothing about the hook: that is `null` (deliveries alone tell,
 * as for a host without such an API) rather than a warning on every such repository. A 404 for the
 * hook (the project itself answered) means it was deleted: `inactive`, with what to do. Anything
 * else (a bad token, an unknown project, GitLab down) is thrown as the ProviderError it is, for the
 * caller to show.
 */
import type { HookHealth, ProviderOptions } from '../definition.js';
import { createGitLabHttp, projectRouteId } from './gitlab-http.js';
import { gitlabDefinition } from './definition.js';
import { gitLabHookListSchema, gitLabHookSchema, parseGitLabBody } from './gitlab-schema.js';

const WEBHOOK_PATH = gitlabDefinition.webhookPath!;

export async function checkGitLabHook(input: {
  options: ProviderOptions;
  webhookId: string | null;
  signal?: AbortSignal;
}): Promise<HookHealth | null> {
  const { options, signal } = input;
  const repo = options.repo.trim().replace(/^\/+|\/+$/g, '');
  const http = createGitLabHttp(options, repo);
  if (!input.webhookId) return findHook(http, repo, signal);
  const webhookId = input.webhookId;
  if (!/^\d+$/.test(webhookId)) return null;
  const response = await http.request(`/projects/${projectRouteId(repo)}/hooks/${webhookId}`, {
    operation: 'reading the webhook',
    signal,
    allow: [403, 404],
  });
  if (response.status === 403) {
    options.log?.debug({ repo, webhookId }, 'GitLab webhook status needs the Maintainer role; left to deliveries');
    return null;
  }
  if (response.status === 404) {
    const said = (response.body as { message?: unknown } | null)?.message;
    if (typeof said === 'string' && /project/i.test(said)) {
      // The project, not the hook, is missing: the same refusal a sync would get.
      await http.request(`/projects/${projectRouteId(repo)}`, { operation: 'reading the project', signal });
    }
    return {
      status: 'inactive',
      reason: `GitLab has no webhook ${webhookId} on ${repo} any more; add it again in the project's Settings → Webhooks.`,
    };
  }
  return healthOf(parseGitLabBody(gitLabHookSchema, response.body, { repo, what: 'a webhook' }), repo);
}

/** The hook that delivers to issue-sync, looked for among the project's hooks; its health carries its id. */
async function findHook(http: ReturnType<typeof createGitLabHttp>, repo: string, signal: AbortSignal | undefined): Promise<HookHealth | null> {
  const response = await http.request(`/projects/${projectRouteId(repo)}/hooks`, {
    operation: 'listing the webhooks',
    signal,
    query: { per_page: 100 },
    allow: [403],
  });
  // Listing hooks needs the Maintainer role too: without it, deliveries alone tell.
  if (response.status === 403) return null;
  const hooks = parseGitLabBody(gitLabHookListSchema, response.body, { repo, what: 'a webhook list' });
  const ours = hooks.find((hook) => hook.url !== undefined && isOurs(hook.url));
  // None found says little: a group hook or a proxy (another path) may deliver; deliveries tell then.
  if (!ours) return null;
  const health = healthOf(ours, repo);
  return health && { ...health, webhookId: String(ours.id) };
}

function isOurs(url: string): boolean {
  try {
    return new URL(url).pathname.replace(/\/+$/, '') === WEBHOOK_PATH;
  } catch {
    return false;
  }
}

function healthOf(hook: { id: number; alert_status?: string | undefined; disabled_until?: string | null | undefined }, repo: string): HookHealth | null {
  const webhookId = String(hook.id);
  switch (hook.alert_status) {
    case 'temporarily_disabled': {
      const until = hook.disabled_until ? ` until ${new Date(hook.disabled_until).toISOString()}` : '';
      return {
        status: 'stale',
        reason: `GitLab paused webhook ${webhookId} on ${repo}${until} after failed deliveries; it resumes by itself, and the next sync catches up what it missed.`,
      };
    }
    case 'disabled':
      return {
        status: 'inactive',
        reason: `GitLab switched webhook ${webhookId} on ${repo} off after repeated failed deliveries; send a test delivery from the project's Settings → Webhooks to turn it back on.`,
      };
    case 'executable':
      return { status: 'active', reason: `GitLab reports webhook ${webhookId} on ${repo} as working.` };
    default:
      // A GitLab too old to report alert_status says nothing about the hook.
      return null;
  }
}
