/**
 * The provider for a CLI command: the token given on the command line, else the connection's stored
 * (encrypted) token; the API URL given, else the connection's, else the configured host.
 */
import { apiUrlOf } from '../config.js';
import { createProvider } from '../providers/index.js';
import type { Provider, ProviderKind } from '../providers/provider.js';
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
): Provider {
  const stored = input.known?.encryptedToken;
  const token = input.token ?? (stored ? runtime.cipher.decrypt(stored) : undefined);
  return createProvider(input.kind, {
    repo: input.repo,
    apiUrl: input.apiUrl ?? input.known?.apiUrl ?? apiUrlOf(runtime.config, input.kind),
    ...(token ? { token } : {}),
    log: runtime.log,
  });
}
