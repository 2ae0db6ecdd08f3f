/**
 * Bitbucket Cloud: repositories `workspace/repo`. Its issue tracker was removed on 2026-08-20 (the
 * API answers 410), so an issues sync ends with that explanation; security findings come from Code
 * Insights reports on the main branch's head commit. Push hooks at /api/bitbucket/webhooks refresh
 * them; polled on `POLL_INTERVAL_S`.
 */
import type { ProviderDefinition } from '../definition.js';

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const bitbucketDefinition: ProviderDefinition = {
  kind: 'bitbucket',
  label: 'Bitbucket',
  repositoryShape: 'workspace/repo',
  normalizeRepository(input) {
    const trimmed = input.trim().replace(/^\/+|\/+$/g, '');
    return REPOSITORY.test(trimmed) ? trimmed : null;
  },
  parseItemPath(_origin, path) {
    // Findings have no page of their own; a pull request is not an issue.
    return /^\/[^/]+\/[^/]+\/pull-requests\/\d+/.test(path) ? 'pull_request' : null;
  },
  apiUrlVariable: 'BITBUCKET_API_URL',
  defaultApiUrl: 'https://api.bitbucket.org/2.0',
  webhookSecretVariable: 'BITBUCKET_WEBHOOK_SECRET',
  webhookPath: '/api/bitbucket/webhooks',
  // Only findings: the issue tracker is gone (410), so polling it would spend a request on nothing.
  pollSyncType: 'security',
  pollOnlyWhenVersionChanged: true,
  webhookDeliversItems: false,
  async createProvider(options) {
    const { createBitbucketProvider } = await import('./bitbucket-provider.js');
    return createBitbucketProvider(options);
  },
  async webhookHandler(deps) {
    const { bitbucketWebhookHandler } = await import('./bitbucket-webhooks.js');
    return bitbucketWebhookHandler(deps);
  },
};
