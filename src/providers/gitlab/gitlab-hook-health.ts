import type { HookHealth, ProviderOptions } from '../definition.js';

export async function checkGitLabHook(_input: { options: ProviderOptions; webhookId: string | null; signal?: AbortSignal }): Promise<HookHealth | null> {
  return null;
}
