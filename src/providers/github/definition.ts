/**
 * GitHub as issue-sync knows it: repositories `owner/name`, issues and Dependabot alerts. Its
 * webhooks are the GitHub App's (src/github-app), so this definition has no webhook routes, and it is
 * not polled: the App's deliveries keep it current.
 */
import { newestUpdatedAt, type ProviderDefinition } from '../definition.js';

const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

export const githubDefinition: ProviderDefinition = {
  kind: 'github',
  label: 'GitHub',
  repositoryShape: 'owner/name',
  normalizeRepository(input) {
    const trimmed = input.trim().replace(/^\/+|\/+$/g, '');
    return REPOSITORY.test(trimmed) ? trimmed : null;
  },
  parseItemPath(origin, path) {
    const match = /^\/([^/]+\/[^/]+)\/(issues|security\/dependabot|pull)\/(\d{1,10})(\/.*)?$/.exec(path);
    if (!match || match[1]!.endsWith('/-')) return null;
    if (match[2] === 'pull') return 'pull_request';
    if (match[4]) return null;
    const repositoryUrl = `${origin}/${match[1]}`;
    return { repositoryUrl, issueId: match[2] === 'issues' ? match[3]! : `alert-${match[3]}` };
  },
  apiUrlVariable: 'GITHUB_API_URL',
  defaultApiUrl: 'https://api.github.com',
  webhookSecretVariable: 'WEBHOOK_SECRET',
  webhookPath: '/api/github/webhooks',
  pollSyncType: null,
  webhookDeliversItems: true,
  // GitHub's delivery headers carry no time: the item the event is about says when it changed.
  webhookEventTime: (payload) => newestUpdatedAt([payload.issue, payload.comment, payload.alert], (value) => new Date(value)),
  async createProvider(options) {
    const { createGitHubProvider } = await import('./github-provider.js');
    return createGitHubProvider(options);
  },
};
