/**
 * The Octokit class the GitHub App hands to Probot (`new Probot({ Octokit })`): Probot's Octokit
 * with our throttling and retry policy (src/providers/github-octokit-policy.ts), so installation
 * clients wait out rate limits as the provider's own client does, and, when the service counts
 * requests, with every attempt told to the metrics (observe-octokit-requests.ts). Here and not in
 * src/providers, so that only the App loads `probot`.
 *
 * Only the function form of `defaults` works here: Probot's own defaults (and the installation
 * clients Probot builds with `getProbotOctokitWithDefaults`) merge their `throttle` options over an
 * object given to `defaults`, while a function runs last and sees what they set, so its handlers win.
 */
import { ProbotOctokit } from 'probot';
import { withGitHubOctokitPolicy, type GitHubOctokitPolicy, type OctokitOptions } from '../providers/github/github-octokit-policy.js';
import { withObservedFetch, type AppRequestObservers } from './observe-octokit-requests.js';

/** An installation client with the REST methods (slash command replies, permission checks). */
export type AppOctokit = InstanceType<typeof ProbotOctokit>;

export function createProbotOctokitClass(policy: GitHubOctokitPolicy, observers?: AppRequestObservers): typeof ProbotOctokit {
  const withPolicy = withGitHubOctokitPolicy(policy);
  return ProbotOctokit.defaults(<T extends OctokitOptions>(options: T) => withPolicy(observers ? withObservedFetch(options, observers) : options));
}
