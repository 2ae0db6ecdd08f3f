/**
 * The part of a `repo:push` payload the webhook handler reads: the repository and which branches
 * moved. Permissive: a delivery of another shape is ignored, never refused.
 */
import { z } from 'zod';

const reference = z
  .object({ type: z.string().nullish(), name: z.string().nullish() })
  .nullish();

export const bitbucketPushSchema = z.object({
  repository: z.object({ full_name: z.string(), uuid: z.string().nullish() }),
  push: z.object({ changes: z.array(z.object({ new: reference, old: reference }).passthrough()) }),
});

export type BitbucketPush = z.infer<typeof bitbucketPushSchema>;

/** The branches the push moved or created (a deleted branch has no `new`; tags are not branches). */
export function pushedBranches(push: BitbucketPush): string[] {
  const names = push.push.changes
    .map((change) => change.new)
    .filter((target) => target?.type === 'branch' && typeof target.name === 'string')
    .map((target) => target!.name!);
  return [...new Set(names)];
}
