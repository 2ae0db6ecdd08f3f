/**
 * The provider's own client: @octokit/core with the throttling and retry plugins and our policy
 * (github-octokit-policy.ts). Not Probot's Octokit: loading `probot` costs about half a second, which
 * the CLI and a `serve` without the GitHub App would pay for nothing. The provider only calls
 * `octokit.request` (it pages by itself), so neither the REST methods nor the pagination plugin is loaded.
 */
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { withGitHubOctokitPolicy, type GitHubOctokitPolicy } from './github-octokit-policy.js';
import type { GitHubOctokit, ProviderLog } from './github-provider-options.js';

const ProviderOctokit = Octokit.plugin(throttling, retry);

export function createGitHubOctokit(
  options: GitHubOctokitPolicy & { apiUrl: string; token: string | undefined; fetch: typeof fetch; repo: string },
): GitHubOctokit {
  const withPolicy = withGitHubOctokitPolicy(options);
  return new ProviderOctokit(
    withPolicy({
      baseUrl: options.apiUrl,
      // plugin-throttling keeps its limiters at module scope, keyed by this id: without one, every
      // client in the process would share a single "no-id" queue of 10 concurrent requests.
      throttle: { id: `${new URL(options.apiUrl).host}/${options.repo}` },
      // @octokit/core's own strategy: a token authenticates every request, no token means anonymous.
      ...(options.token ? { auth: options.token } : {}),
      request: { fetch: options.fetch },
      log: octokitLog(options.log),
    }),
  );
}

/**
 * Octokit's plugins log both ways, `(message, detail)` and pino's `(fields, message)`; both end up
 * as pino-style calls. Octokit also fills in missing methods by mutating the object, so it gets its own.
 */
function octokitLog(log: ProviderLog) {
  const adapt =
    (write: (fields: object, message: string) => void) =>
    (first: unknown, second?: unknown): void => {
      if (typeof first === 'string') write(second instanceof Error ? { err: second } : { detail: second }, first);
      else write(typeof first === 'object' && first !== null ? first : {}, String(second ?? ''));
    };
  const debug = adapt(log.debug.bind(log));
  const warn = adapt(log.warn.bind(log));
  return { debug, info: debug, warn, error: warn };
}
