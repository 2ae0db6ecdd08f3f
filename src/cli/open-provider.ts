/**
 * The provider for a CLI command: the token given on the command line, else the connection's stored
 * (encrypted) token; the API URL given, else the connection's, else the configured host.
 */
import type { ProviderKind } from '../domain/items.js';
import { createProvider } from '../providers/index.js';
import type { Provider } from '../providers/provider.js';
import type { RepositoryRecord } from '../store/issue-store.js';
import type { Runtime } from '../runtime.js';

export function openProvider(
  runtime: Pick<Runtime, 'config' | 'cipher' | 'log'>,
  input: {
    kind: ProviderKind;
    repo: string;
    token: string | undefined;
    apiUrl: string | undefined;
    known?: RepositoryRecord | null;
  },
): Promise<Provider> {
  const stored = input.known?.encryptedToken;
  const token = input.token ?? (stored ? runtime.cipher.decrypt(stored) : undefined);
  return createProvider(input.kind, {
    repo: input.repo,
    apiUrl: input.apiUrl ?? input.known?.apiUrl ?? runtime.config.hosts[input.kind].apiUrl,
    ...(token ? { token } : {}),
    log: runtime.log,
  });
}
