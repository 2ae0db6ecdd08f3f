/**
 * GitLab (gitlab.com or self-managed, `GITLAB_URL`): projects by path `group/sub/name` or numeric id,
 * issues and (Ultimate) vulnerabilities, Issue and Note hooks at /api/gitlab/webhooks, polled on
 * `POLL_INTERVAL_S`. The definition is light; the provider and the routes load on first use.
 */
import { newestUpdatedAt, type ProviderDefinition } from '../definition.js';
import { parseGitLabDate } from './gitlab-webhook-issue.js';

const PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;

export const gitlabDefinition: ProviderDefinition = {
  kind: 'gitlab',
  label: 'GitLab',
  repositoryShape: 'group/sub/name or a numeric project id',
  normalizeRepository(input) {
    const trimmed = input.trim().replace(/^\/+|\/+$/g, '');
    return /^\d+$/.test(trimmed) || PATH.test(trimmed) ? trimmed : null;
  },
  parseItemPath(origin, path) {
    const match = /^\/(.+?)\/-\/(issues|work_items|security\/vulnerabilities|merge_requests)\/(\d{1,20})(\/.*)?$/.exec(path);
    if (!match) return null;
    if (match[2] === 'merge_requests') return 'pull_request';
    if (match[4]) return null;
    const repositoryUrl = `${origin}/${match[1]}`;
    return { repositoryUrl, issueId: match[2] === 'security/vulnerabilities' ? `vuln-${match[3]}` : match[3]! };
  },
  apiUrlVariable: 'GITLAB_URL',
  defaultApiUrl: 'https://gitlab.com',
  webhookSecretVariable: 'GITLAB_WEBHOOK_SECRET',
  webhookPath: '/api/gitlab/webhooks',
  pollSyncType: 'all',
  webhookDeliversItems: true,
  webhookEventTime: (payload) => newestUpdatedAt([payload.object_attributes], parseGitLabDate),
  async createProvider(options) {
    const { createGitLabProvider } = await import('./gitlab-provider.js');
    return createGitLabProvider(options);
  },
  async webhookHandler(deps) {
    const { gitlabWebhookHandler } = await import('./gitlab-webhooks.js');
    return gitlabWebhookHandler(deps);
  },
  async operationListener(deps) {
    const { createGitLabReplyListener } = await import('./gitlab-reply-listener.js');
    return createGitLabReplyListener(deps);
  },
  async checkHook(input) {
    const { checkGitLabHook } = await import('./gitlab-hook-health.js');
    return checkGitLabHook(input);
  },
};
