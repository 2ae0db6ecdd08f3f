import { ProviderError } from '../../errors.js';
import type { ProviderOptions } from '../definition.js';
import type { Provider } from '../provider.js';

export function createGitLabProvider(options: ProviderOptions): Provider {
  throw new ProviderError('unavailable', 'GitLab support is being built.', { provider: 'gitlab', repo: options.repo });
}
