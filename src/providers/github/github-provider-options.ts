/**
 * What `createGitHubProvider` accepts. Everything with a side effect (HTTP, time, logging) is
 * injected, so tests and the benchmark can drive the provider against a local simulator.
 */
import type { Octokit } from '@octokit/core';
import type { ProviderOptions } from '../definition.js';

export type { ProviderLog, Sleep } from '../http/polite-http.js';

/**
 * What the provider needs of a client: `request` (and its defaults, for an injected client's base URL
 * and fetch). The provider's own client and the GitHub App's installation clients (Probot's) both fit.
 */
export type GitHubOctokit = Pick<Octokit, 'request'>;

export interface GitHubProviderOptions extends ProviderOptions {
  /** `owner/name`. */
  repo: string;
  /** `https://api.github.com` (default), `https://HOST/api/v3` for GHES, or a local simulator. */
  apiUrl?: string;
  /** An already authenticated client (the GitHub App's installation client); `token` is then ignored. */
  octokit?: GitHubOctokit;
  /** Base of plugin-retry's backoff for 5xx and network errors: waits 1, 4, 9 × this (default 500 ms). */
  retryBaseMs?: number;
}
