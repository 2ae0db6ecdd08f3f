/**
 * Permissive schemas for the GitLab hook payloads issue-sync acts on (Issue Hook, Note Hook and
 * their confidential twins): only the fields it reads, everything else passes through, so a field
 * GitLab adds or leaves out in some version never breaks a delivery. Dates stay strings here: GitLab
 * mixes `2013-12-03T17:15:43Z` and `2013-12-03 17:15:43 UTC` (parseGitLabDate reads both).
 */
import { z } from 'zod';

const id = z.number().int().nonnegative();
const date = z.string().min(1);

export const hookProjectSchema = z.object({
  id,
  path_with_namespace: z.string().min(1),
  web_url: z.string().min(1),
});
export type HookProject = z.infer<typeof hookProjectSchema>;

export const hookUserSchema = z.object({
  id: id.optional(),
  username: z.string().min(1),
  /** Not sent by every version; bot users are told by their username as well (gitlab-slash-bot-user.ts). */
  bot: z.boolean().optional(),
});
export type HookUser = z.infer<typeof hookUserSchema>;

const labelSchema = z.object({ title: z.string() });

export const issueHookSchema = z.object({
  project: hookProjectSchema,
  user: hookUserSchema.nullish(),
  object_attributes: z.object({
    id,
    iid: id,
    title: z.string(),
    description: z.string().nullish(),
    state: z.string(),
    action: z.string().nullish(),
    url: z.string().min(1),
    author_id: id.nullish(),
    confidential: z.boolean().nullish(),
    created_at: date,
    updated_at: date,
    closed_at: date.nullish(),
    due_date: z.string().nullish(),
    milestone_id: id.nullish(),
    /** `issue`, `incident`, `test_case`, `task` (newer versions send `type: "Issue"` as well). */
    issue_type: z.string().nullish(),
    type: z.string().nullish(),
    labels: z.array(labelSchema).nullish(),
  }),
  /** Older versions have the labels only here. */
  labels: z.array(labelSchema).nullish(),
  assignees: z.array(z.object({ username: z.string() })).nullish(),
});
export type IssueHook = z.infer<typeof issueHookSchema>;

export const noteHookSchema = z.object({
  project: hookProjectSchema,
  user: hookUserSchema,
  object_attributes: z.object({
    id,
    note: z.string(),
    noteable_type: z.string(),
    author_id: id.nullish(),
    /** `create` or `update` (16.11+); absent before. */
    action: z.string().nullish(),
    system: z.boolean().nullish(),
    /** An internal note (called confidential before 15.0). */
    internal: z.boolean().nullish(),
    confidential: z.boolean().nullish(),
  }),
  issue: z.object({ id, iid: id }).nullish(),
});
export type NoteHook = z.infer<typeof noteHookSchema>;
