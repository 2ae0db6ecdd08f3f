/**
 * The one switch from a provider kind to its implementation. The map is typed by `ProviderKind`,
 * so adding a kind without a factory does not compile.
 */
import { ProviderError } from '../errors.js';
import type { Provider, ProviderKind } from './provider.js';
import type { GitHubProviderOptions } from './github-provider-options.js';
import { createGitHubProvider } from './github.js';

/** What every provider accepts; host-specific extras (e.g. a GitHub App client) are optional. */
export type ProviderOptions = GitHubProviderOptions;

const notYet = (host: string) => (options: ProviderOptions): Provider => {
  throw new ProviderError('unavailable', `${host} support is not available in this version yet.`, {
    provider: host.toLowerCase(),
    repo: options.repo,
  });
};

const factories: Record<ProviderKind, (options: ProviderOptions) => Provider> = {
  github: createGitHubProvider,
  gitlab: notYet('GitLab'),
  bitbucket: notYet('Bitbucket'),
};

export function createProvider(kind: ProviderKind, options: ProviderOptions): Provider {
  return factories[kind](options);
}
