import { ProviderError } from '../../errors.js';
import type { ProviderOptions } from '../definition.js';
import type { Provider } from '../provider.js';

export function createBitbucketProvider(options: ProviderOptions): Provider {
  throw new ProviderError('unavailable', 'Bitbucket support is being built.', { provider: 'bitbucket', repo: options.repo });
}
