/**
 * What `createGitHubProvider` accepts. Everything with a side effect (HTTP, time, logging) is
 * injected, so tests and the benchmark can drive the provider against a local simulator.
 */
import type { Octokit } from '@octokit/core';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The two pino methods the provider uses (a pino `Logger` fits). */
export interface ProviderLog {
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/**
 * What the provider needs of a client: `request` (and its defaults, for an injected client's base URL
 * and fetch). The provider's own client and the GitHub App's installation clients (Probot's) both fit.
 */
export type GitHubOctokit = Pick<Octokit, 'request'>;

export interface GitHubProviderOptions {
  /** `owner/name`. */
  repo: string;
  /** `https://api.github.com` (default), `https://HOST/api/v3` for GHES, or a local simulator. */
  apiUrl?: string;
  /** A personal access token or installation token; omitted means anonymous requests. */
  token?: string;
  /** An already authenticated client (the GitHub App's installation client); `token` is then ignored. */
  octokit?: GitHubOctokit;
  fetch?: typeof fetch;
  sleep?: Sleep;
  clock?: () => Date;
  log?: ProviderLog;
  /** Longest rate-limit wait accepted before failing with `rate_limited` (default 60 s). */
  maxRateLimitWaitMs?: number;
  /** Base of plugin-retry's backoff for 5xx and network errors: waits 1, 4, 9 × this (default 500 ms). */
  retryBaseMs?: number;
  /** Timeout of each HTTP attempt (default 30 s). */
  timeoutMs?: number;
}
