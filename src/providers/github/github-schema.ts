/**
 * Permissive schemas for the GitHub REST bodies we read. Each lists only the fields the provider
 * uses; everything else GitHub sends is ignored, so new or missing extra fields never break a sync.
 */
import { z } from 'zod';

const login = z.object({ login: z.string() }).nullable().optional();

export const gitHubRepositorySchema = z.object({
  id: z.number(),
  full_name: z.string(),
  html_url: z.string(),
  default_branch: z.string().nullable().optional(),
  private: z.boolean().optional(),
  open_issues_count: z.number().nullable().optional(),
});
export type GitHubRepository = z.infer<typeof gitHubRepositorySchema>;

export const gitHubIssueSchema = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  state_reason: z.string().nullable().optional(),
  html_url: z.string(),
  user: login,
  labels: z.array(z.union([z.string(), z.object({ name: z.string().nullable().optional() })])).optional(),
  assignees: z.array(z.object({ login: z.string() })).nullable().optional(),
  milestone: z.object({ title: z.string() }).nullable().optional(),
  comments: z.number().optional(),
  locked: z.boolean().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullable().optional(),
  pull_request: z.unknown().optional(),
});
export type GitHubIssue = z.infer<typeof gitHubIssueSchema>;

export const gitHubIssueListSchema = z.array(gitHubIssueSchema);

export const dependabotAlertSchema = z.object({
  number: z.number(),
  state: z.string(),
  html_url: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  fixed_at: z.string().nullable().optional(),
  dismissed_at: z.string().nullable().optional(),
  auto_dismissed_at: z.string().nullable().optional(),
  dismissed_reason: z.string().nullable().optional(),
  dependency: z
    .object({
      package: z.object({ name: z.string().optional(), ecosystem: z.string().optional() }).nullable().optional(),
      manifest_path: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  security_advisory: z
    .object({
      ghsa_id: z.string().nullable().optional(),
      cve_id: z.string().nullable().optional(),
      summary: z.string().nullable().optional(),
      description: z.string().nullable().optional(),
      severity: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  security_vulnerability: z.object({ severity: z.string().nullable().optional() }).nullable().optional(),
});
export type DependabotAlert = z.infer<typeof dependabotAlertSchema>;

export const dependabotAlertListSchema = z.array(dependabotAlertSchema);
