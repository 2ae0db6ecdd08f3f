/**
 * The requests of the App's own Octokit clients, told to the metrics: each attempt that leaves
 * through the client's `fetch` (retries included, as the providers count them), including the
 * installation token requests and the App's delivery log, which no provider sees. A request signed
 * with the App's JWT counts against the App's quota; any other from an installation's client,
 * against that installation's.
 *
 * Probot builds installation clients from the App client's options, so the `fetch` given here may
 * already be an observing one: it is unwrapped first, and each attempt is told once.
 */
import type { RequestObserver } from '../providers/http/polite-http.js';
import { observeGitHubAnswer } from '../providers/github/counting-fetch.js';
import type { OctokitOptions } from '../providers/github/github-octokit-policy.js';

export interface AppRequestObservers {
  /** Requests signed with the App's JWT. */
  app: RequestObserver;
  /** Requests with an installation's token, by GitHub's installation id. */
  installation(githubInstallationId: string): RequestObserver;
}

const UNOBSERVED = Symbol('unobserved fetch');
type ObservedFetch = typeof fetch & { [UNOBSERVED]?: typeof fetch };

export function withObservedFetch<T extends OctokitOptions>(options: T, observers: AppRequestObservers): T {
  const request = (options.request ?? {}) as { fetch?: ObservedFetch };
  const given = request.fetch ?? globalThis.fetch;
  const base = (given as ObservedFetch)[UNOBSERVED] ?? given;
  const installationId = (options.auth as { installationId?: unknown } | undefined)?.installationId;
  const installation = installationId === undefined || installationId === null ? null : observers.installation(String(installationId));
  const observed: ObservedFetch = async (input, init) => {
    const observe = installation && !signedAsApp(init?.headers) ? installation : observers.app;
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      observeGitHubAnswer(observe, input, null);
      throw error;
    }
    observeGitHubAnswer(observe, input, response);
    return response;
  };
  observed[UNOBSERVED] = base;
  return { ...options, request: { ...request, fetch: observed } };
}

/** `authorization: bearer <JWT>` is the App speaking; an installation's is `token <token>`. */
function signedAsApp(headers: RequestInit['headers']): boolean {
  const authorization = new Headers(headers ?? {}).get('authorization') ?? '';
  return /^bearer [^.\s]+\.[^.\s]+\.[^.\s]+$/i.test(authorization);
}
