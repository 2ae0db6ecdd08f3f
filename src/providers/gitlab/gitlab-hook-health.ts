/**
 * GitLab's own word on a project webhook: `alert_status` of `GET /projects/:id/hooks/:hook_id`.
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
import { gitLabHookSchema, parseGitLabBody } from './gitlab-schema.js';

export async function checkGitLabHook(input: {
  options: ProviderOptions;
  webhookId: string | null;
  signal?: AbortSignal;
}): Promise<HookHealth | null> {
  const { options, webhookId, signal } = input;
  if (!webhookId || !/^\d+$/.test(webhookId)) return null;
  const repo = options.repo.trim().replace(/^\/+|\/+$/g, '');
  const http = createGitLabHttp(options, repo);
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
  const hook = parseGitLabBody(gitLabHookSchema, response.body, { repo, what: 'a webhook' });
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
