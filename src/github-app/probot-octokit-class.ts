/**
 * The Octokit class the GitHub App hands to Probot (`new Probot({ Octokit })`): Probot's Octokit
 * with our throttling and retry policy (src/providers/github-octokit-policy.ts), so installation
 * clients wait out rate limits as the provider's own client does, and, when the service counts
 * requests, with every attempt told to the metrics (observe-octokit-requests.ts). Here and not in
 * src/providers, so that only the App loads `probot`.
 *
 * Probot builds a client for every event it dispatches (`auth({ type: 'event-octokit' })` on the
 * App's client), a tenth of a millisecond each, though most handlers never use it. The App's client
 * here keeps the last EVENT_CLIENTS of them, one per installation, and hands the same one to every
 * event of that installation. Sharing is safe: a client keeps nothing of an event, and its
 * installation token comes from the App's token cache before each request, as in a new client.
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

/** Event clients kept per App client, the least recently used dropped first. */
export const EVENT_CLIENTS = 500;

type AuthOptions = { type?: unknown; event?: { name?: unknown; payload?: { action?: unknown; installation?: { id?: unknown } | null } } };

export function createProbotOctokitClass(policy: GitHubOctokitPolicy, observers?: AppRequestObservers): typeof ProbotOctokit {
  const withPolicy = withGitHubOctokitPolicy(policy);
  const Base = ProbotOctokit.defaults(<T extends OctokitOptions>(options: T) => withPolicy(observers ? withObservedFetch(options, observers) : options));
  return class extends Base {
    constructor(...args: ConstructorParameters<typeof Base>) {
      super(...args);
      const auth = this.auth.bind(this) as (options?: AuthOptions) => Promise<unknown>;
      const clients = new Map<number, Promise<unknown>>();
      this.auth = ((options?: AuthOptions) => {
        const installationId = reusableEventInstallation(options);
        if (installationId === null) return auth(options);
        let client = clients.get(installationId);
        if (client) {
          clients.delete(installationId);
        } else {
          client = auth(options);
          // A failed build is not kept: the next event tries again.
          client.catch(() => clients.delete(installationId));
        }
        clients.set(installationId, client);
        if (clients.size > EVENT_CLIENTS) clients.delete(clients.keys().next().value!);
        return client;
      }) as typeof this.auth;
    }
  } as typeof ProbotOctokit;
}

/**
 * The installation whose event client may be shared: an event with a numeric installation id, other
 * than the App's own removal or suspension (for which octokit-auth-probot builds an unauthenticated
 * client that says why). Null for anything else.
 */
function reusableEventInstallation(options: AuthOptions | undefined): number | null {
  if (options?.type !== 'event-octokit') return null;
  const event = options.event;
  const id = event?.payload?.installation?.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  if (event?.name === 'installation' && ['suspend', 'deleted'].includes(String(event.payload?.action))) return null;
  return id;
}
