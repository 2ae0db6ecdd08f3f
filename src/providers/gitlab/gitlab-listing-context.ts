/**
 * What the GitLab listings share, built once per provider by `createGitLabProvider`.
 */
import type { RepositoryInfo } from '../provider.js';
import type { GitLabHttp } from './gitlab-http.js';

export interface GitLabProjectInfo extends RepositoryInfo {
  /**
   * The token user's role on the project (10 Guest … 30 Developer … 50 Owner), the higher of its
   * project and group membership; null when GitLab shows neither (not a member, or an administrator).
   */
  accessLevel: number | null;
  /** False when the project has its issues feature turned off. */
  issuesEnabled: boolean;
}

export interface GitLabListingContext {
  /** The repository as given (`group/sub/name` or an id), for messages. */
  repo: string;
  /** `/projects/<id or encoded path>`, the prefix of every project route. */
  projectPath: string;
  http: GitLabHttp;
  /** The project, read once per provider and then cached (its `web_url` is every item's repositoryUrl). */
  project(signal?: AbortSignal): Promise<GitLabProjectInfo>;
}
