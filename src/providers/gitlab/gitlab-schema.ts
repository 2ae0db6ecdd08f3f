/**
 * Permissive schemas for the GitLab bodies issue-sync reads: only the fields it uses, so whatever
 * else GitLab adds or drops never breaks a sync, and a body that lacks what we need becomes a
 * `bad_response` that names the field instead of a crash further down.
 */
import { z } from 'zod';
import { parseHostBody } from '../parse-body.js';

const accessSchema = z.object({ access_level: z.number() }).nullable().optional();

export const gitLabProjectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  web_url: z.string(),
  default_branch: z.string().nullable().optional(),
  visibility: z.string().optional(),
  open_issues_count: z.number().nullable().optional(),
  issues_enabled: z.boolean().optional(),
  permissions: z.object({ project_access: accessSchema, group_access: accessSchema }).nullable().optional(),
});
export type GitLabProject = z.infer<typeof gitLabProjectSchema>;

const userSchema = z.object({ username: z.string() });

export const gitLabIssueSchema = z.object({
  id: z.number(),
  iid: z.number(),
  title: z.string(),
  description: z.string().nullable().optional(),
  state: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullable().optional(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).optional(),
  milestone: z.object({ title: z.string() }).nullable().optional(),
  assignees: z.array(userSchema).nullable().optional(),
  author: userSchema.nullable().optional(),
  confidential: z.boolean().optional(),
  issue_type: z.string().nullable().optional(),
  web_url: z.string(),
});
export type GitLabIssue = z.infer<typeof gitLabIssueSchema>;

export const gitLabIssueListSchema = z.array(gitLabIssueSchema);

export const gitLabHookSchema = z.object({
  id: z.number(),
  url: z.string().optional(),
  alert_status: z.string().optional(),
  disabled_until: z.string().nullable().optional(),
});

export const gitLabHookListSchema = z.array(gitLabHookSchema);

export const gitLabVulnerabilitySchema = z.object({
  id: z.string(),
  uuid: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  state: z.string(),
  severity: z.string().nullable().optional(),
  reportType: z.string().nullable().optional(),
  detectedAt: z.string(),
  updatedAt: z.string().nullable().optional(),
  webUrl: z.string().nullable().optional(),
  project: z.object({ fullPath: z.string() }).nullable().optional(),
});
export type GitLabVulnerability = z.infer<typeof gitLabVulnerabilitySchema>;

const graphQlErrorsSchema = z.array(z.object({ message: z.string() })).optional();

export const vulnerabilityPageSchema = z.object({
  data: z
    .object({
      project: z
        .object({
          vulnerabilities: z
            .object({
              pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable().optional() }),
              nodes: z.array(gitLabVulnerabilitySchema),
            })
            .nullable()
            .optional(),
        })
        .nullable(),
    })
    .nullable()
    .optional(),
  errors: graphQlErrorsSchema,
});

export const singleVulnerabilitySchema = z.object({
  data: z.object({ vulnerability: gitLabVulnerabilitySchema.nullable().optional() }).nullable().optional(),
  errors: graphQlErrorsSchema,
});

export function parseGitLabBody<T>(schema: z.ZodType<T>, data: unknown, context: { repo: string; what: string }): T {
  return parseHostBody({ kind: 'gitlab', label: 'GitLab' }, schema, data, context);
}
