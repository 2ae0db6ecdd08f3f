/**
 * The registry of Git hosts: every `ProviderDefinition`, typed by `ProviderKind`, so a kind without
 * a definition does not compile. Code outside `src/providers/` reaches a host only through here.
 */
import { UsageError } from '../errors.js';
import type { ProviderKind } from '../domain/items.js';
import type { ProviderDefinition, ProviderOptions } from './definition.js';
import type { Provider } from './provider.js';
import { githubDefinition } from './github/definition.js';
import { gitlabDefinition } from './gitlab/definition.js';
import { bitbucketDefinition } from './bitbucket/definition.js';

export type { ProviderDefinition, ProviderOptions } from './definition.js';

const DEFINITIONS: Record<ProviderKind, ProviderDefinition> = {
  github: githubDefinition,
  gitlab: gitlabDefinition,
  bitbucket: bitbucketDefinition,
};

export const PROVIDER_DEFINITIONS: readonly ProviderDefinition[] = Object.values(DEFINITIONS);

export function providerDefinition(kind: ProviderKind): ProviderDefinition {
  return DEFINITIONS[kind];
}

export function createProvider(kind: ProviderKind, options: ProviderOptions): Promise<Provider> {
  return DEFINITIONS[kind].createProvider(options);
}

/** The repository in the host's own form, or a UsageError that says how it is written there. */
export function normalizeRepository(kind: ProviderKind, input: string, what = 'The repository'): string {
  const definition = DEFINITIONS[kind];
  const normalized = definition.normalizeRepository(input);
  if (normalized === null) {
    throw new UsageError(`${what} for ${kind} must look like ${definition.repositoryShape} (got "${input}")`);
  }
  return normalized;
}

/**
 * The repository URL and issueId an item's web URL points at, whichever host it is on; a pull or
 * merge request is `pull_request`; anything else null.
 */
export function parseItemUrl(value: string): { repositoryUrl: string; issueId: string } | 'pull_request' | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const path = url.pathname.replace(/\/+$/, '');
  let pullRequest = false;
  for (const definition of PROVIDER_DEFINITIONS) {
    const found = definition.parseItemPath(url.origin, path);
    if (found === 'pull_request') pullRequest = true;
    else if (found) return found;
  }
  return pullRequest ? 'pull_request' : null;
}
