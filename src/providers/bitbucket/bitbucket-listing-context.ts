/**
 * What the Bitbucket provider's listings share: its HTTP client, the repository (read once) and the
 * main branch's head commit.
 */
import type { RepositoryInfo } from '../provider.js';
import type { PoliteHttp } from '../http/polite-http.js';

export interface HeadCommit {
  hash: string;
  /** The commit's date, as Bitbucket gives it; null when absent. */
  date: Date | null;
}

export interface BitbucketListingContext {
  /** `workspace/repo`. */
  repo: string;
  /** `/repositories/{workspace}/{repo}`, encoded. */
  repositoryPath: string;
  http: PoliteHttp;
  /** A `next` link from an answer, checked to stay on the API's origin. */
  next(link: string | null | undefined): string | null;
  repository(signal?: AbortSignal): Promise<RepositoryInfo>;
  /** The main branch's head commit; null when the repository has no main branch (nothing pushed yet). */
  headCommit(signal?: AbortSignal): Promise<HeadCommit | null>;
}
