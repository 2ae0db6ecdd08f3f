/**
 * The provider for a connected repository: the GitHub App's installation client for repositories
 * that came with an installation, otherwise the connection's stored token, decrypted only here.
 */
import { apiUrlOf, type Config } from '../config.js';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Logger } from '../logger.js';
import { createProvider } from '../providers/index.js';
import type { GitHubOctokit } from '../providers/github-provider-options.js';
import type { Provider } from '../providers/provider.js';
import type { RepositoryRecord } from '../store/issue-store.js';

export interface RepositoryProviderDeps {
  config: Config;
  cipher: TokenCipher;
  log: Logger;
  /** An authenticated client for an Installation row id; absent when the GitHub App is not configured. */
  installationOctokit?: (installationId: string) => Promise<GitHubOctokit>;
}

export function createRepositoryProviderOpener(deps: RepositoryProviderDeps) {
  return async (repository: RepositoryRecord): Promise<Provider> => {
    const log = deps.log.child({ provider: repository.provider, repo: repository.fullPath });
    if (repository.provider === 'github' && repository.installationId && deps.installationOctokit) {
      const octokit = await deps.installationOctokit(repository.installationId);
      return createProvider('github', { repo: repository.fullPath, octokit, log });
    }
    const token = repository.encryptedToken ? deps.cipher.decrypt(repository.encryptedToken) : undefined;
    return createProvider(repository.provider, {
      repo: repository.fullPath,
      apiUrl: repository.apiUrl ?? apiUrlOf(deps.config, repository.provider),
      ...(token ? { token } : {}),
      log,
    });
  };
}
