/**
 * Permissive schemas for the webhook payloads the App acts on. A signed delivery is never refused for
 * its shape (GitHub would record a failure that no redelivery can fix), so each event has two levels:
 * the envelope, only what is needed to know which item of which repository of which installation the
 * event is about (without it the event is ignored and logged), and the item itself, checked apart
 * (`gitHubIssueSchema`, `dependabotAlertSchema`) so an item we cannot use is read from the API instead.
 */
import { z } from 'zod';

const id = z.number().int().positive();
const fullName = z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be owner/name');
/** A timestamp `new Date` can read. */
const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date');

/** `installation` as it comes with repository events: the id is all there is. */
const installationRef = z.object({ id });

export const repositoryRefSchema = z.object({
  id,
  full_name: fullName,
  html_url: z.string().optional().catch(undefined),
});
export type RepositoryRef = z.infer<typeof repositoryRefSchema>;

/** Repositories as installation events list them (no URLs). */
export const installedRepositorySchema = z.object({ id, full_name: fullName });
export type InstalledRepository = z.infer<typeof installedRepositorySchema>;

const installation = z.object({
  id,
  account: z
    .object({
      login: z.string().min(1).optional(),
      /** Enterprise accounts have a slug instead of a login. */
      slug: z.string().min(1).optional(),
      type: z.string().optional(),
      html_url: z.string().optional(),
    })
    .nullable()
    .optional()
    .catch(null),
});
export type InstallationPayload = z.infer<typeof installation>;

const action = z.string().min(1);

/** The issue an event is about, whatever else its payload carries or lacks. */
const issueRef = z.object({
  number: id,
  pull_request: z.unknown().optional(),
  updated_at: timestamp.optional().catch(undefined),
});

export const issuesEventSchema = z.object({
  action,
  issue: issueRef,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
  changes: z
    .object({ new_issue: z.object({ html_url: z.string() }).optional() })
    .optional()
    .catch(undefined),
});

export const issueCommentEventSchema = z.object({
  action,
  issue: issueRef,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
});

export const dependabotAlertEventSchema = z.object({
  action,
  alert: z.object({ number: id }),
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
});

/** Repository lists are read entry by entry (see `usableRepositories`): one odd entry spoils none of the others. */
const repositoryList = z.array(z.unknown());

export const installationEventSchema = z.object({
  action,
  installation,
  repositories: repositoryList.nullable().optional(),
});

export const installationRepositoriesEventSchema = z.object({
  action,
  installation,
  repositories_added: repositoryList,
  repositories_removed: repositoryList,
});

export const repositoryEventSchema = z.object({
  action,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
});

/** `path: problem` of a payload's first issue, for the log. */
export function describePayloadProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'payload';
  return `${path}: ${issue.message}`;
}
