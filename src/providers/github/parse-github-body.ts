/** A GitHub response body checked against its schema (see parse-body.ts). */
import type { z } from 'zod';
import { parseHostBody } from '../parse-body.js';

export function parseGitHubBody<T>(schema: z.ZodType<T>, data: unknown, context: { repo: string; what: string }): T {
  return parseHostBody({ kind: 'github', label: 'GitHub' }, schema, data, context);
}
