/**
 * Permissive schemas for the webhook payloads the App acts on: only the fields it reads, so new or
 * missing extra fields never break a delivery. A delivery is checked against its event's schema
 * before anything is recorded, so a payload of the wrong shape is answered 400 and stores nothing.
 */
import { z } from 'zod';
import { dependabotAlertSchema, gitHubIssueSchema } from '../providers/github/github-schema.js';

const id = z.number().int().positive();
const fullName = z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be owner/name');

/** `installation` as it comes with repository events: the id is all there is. */
const installationRef = z.object({ id });

export const repositoryRefSchema = z.object({
  id,
  full_name: fullName,
  html_url: z.string().optional(),
});
export type RepositoryRef = z.infer<typeof repositoryRefSchema>;

/** Repositories as installation events list them (no URLs). */
const installedRepository = z.object({ id, full_name: fullName });
export type InstalledRepository = z.infer<typeof installedRepository>;

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
    .optional(),
});
export type InstallationPayload = z.infer<typeof installation>;

const action = z.string().min(1);

export const issuesEventSchema = z.object({
  action,
  issue: gitHubIssueSchema,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
  changes: z.object({ new_issue: z.object({ html_url: z.string() }).optional() }).optional(),
});

export const issueCommentEventSchema = z.object({
  action,
  issue: gitHubIssueSchema,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
});

export const dependabotAlertEventSchema = z.object({
  action,
  alert: dependabotAlertSchema,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
});

export const installationEventSchema = z.object({
  action,
  installation,
  repositories: z.array(installedRepository).nullable().optional(),
});

export const installationRepositoriesEventSchema = z.object({
  action,
  installation,
  repositories_added: z.array(installedRepository),
  repositories_removed: z.array(installedRepository.partial({ full_name: true })),
});

export const repositoryEventSchema = z.object({
  action,
  repository: repositoryRefSchema,
  installation: installationRef.optional(),
});

/** The events the App acts on, by `X-GitHub-Event`; others are acknowledged and left alone. */
export const webhookPayloadSchemas: Readonly<Record<string, z.ZodType>> = {
  issues: issuesEventSchema,
  issue_comment: issueCommentEventSchema,
  dependabot_alert: dependabotAlertEventSchema,
  installation: installationEventSchema,
  installation_repositories: installationRepositoriesEventSchema,
  repository: repositoryEventSchema,
};
