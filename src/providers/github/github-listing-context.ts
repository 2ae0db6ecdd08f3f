/**
 * What the GitHub listings share, built once per provider by `createGitHubProvider`.
 */
import type { RepositoryInfo } from '../provider.js';
import type { GitHubGet } from './github-request.js';

export interface GitHubListingContext {
  /** `owner/name`, for messages. */
  repo: string;
  /** The path parameters of every `/repos/{owner}/{repo}/…` route. */
  route: { owner: string; repo: string };
  get: GitHubGet;
  /** The repository, fetched once per provider and then cached (its `url` is every item's repositoryUrl). */
  repository(signal?: AbortSignal): Promise<RepositoryInfo>;
}
