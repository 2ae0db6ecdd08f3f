/**
 * Checks a host's response body against its schema; a body we cannot read becomes a `bad_response`
 * error that says which host, which answer and which field, not a crash further down.
 */
import type { z } from 'zod';
import type { ProviderKind } from '../domain/items.js';
import { ProviderError } from '../errors.js';

export function parseHostBody<T>(
  host: { kind: ProviderKind; label: string },
  schema: z.ZodType<T>,
  data: unknown,
  context: { repo: string; what: string },
): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  throw new ProviderError(
    'bad_response',
    `${host.label} sent ${context.what} for ${context.repo} that cannot be read${where}: ${first?.message ?? 'unexpected shape'}.`,
    { provider: host.kind, repo: context.repo, cause: parsed.error },
  );
}
