/**
 * The provider for a connected repository: the GitHub App's installation client for repositories
 * that came with an installation (`installationProvider`), otherwise the connection's stored token,
 * decrypted only here, against the connection's API URL or the host's configured one.
 */
import type { Config } from '../config.js';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Logger } from '../logger.js';
import { tokenRequestObserver, type ObserveRequests } from '../metrics/quota-label.js';
import { createProvider } from '../providers/index.js';
import type { QuotaGates } from '../providers/http/polite-http.js';
import type { Provider } from '../providers/provider.js';
import type { RepositoryRecord } from '../store/issue-store.js';

export interface RepositoryProviderDeps {
  config: Config;
  cipher: TokenCipher;
  log: Logger;
  /** The provider through an App installation's client, or null when the repository has none. */
  installationProvider?: (repository: RepositoryRecord) => Promise<Provider> | null;
  /** The metrics' observer of the requests sent with this token (the App's clients count their own). */
  observeRequests?: ObserveRequests;
}

export function createRepositoryProviderOpener(deps: RepositoryProviderDeps) {
  // Syncs of several repositories read with one token hold back together when its quota is spent.
  const quotaGates: QuotaGates = new Map();
  return async (repository: RepositoryRecord): Promise<Provider> => {
    const viaInstallation = deps.installationProvider?.(repository);
    if (viaInstallation) return viaInstallation;
    const log = deps.log.child({ provider: repository.provider, repo: repository.fullPath });
    const token = repository.encryptedToken ? deps.cipher.decrypt(repository.encryptedToken) : undefined;
    return createProvider(repository.provider, {
      repo: repository.fullPath,
      apiUrl: repository.apiUrl ?? deps.config.hosts[repository.provider].apiUrl,
      ...(token ? { token } : {}),
      log,
      quotaGates,
      ...tokenRequestObserver(deps.observeRequests, repository.provider, token),
    });
  };
}
