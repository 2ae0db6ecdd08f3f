/**
 * One line from a zod error that a person can act on: the field, then what is wrong with it
 * ("syncType must be one of issues, security, all"; "mode, force are not known fields").
 */
import type { z } from 'zod';

/** `subject` names the whole input when it is not an object at all: "The body", "The query". */
export function plainZodMessage(error: z.ZodError, subject: string): string {
  return error.issues.slice(0, 3).map((issue) => describe(issue, subject)).join('; ');
}

function describe(issue: z.core.$ZodIssue, subject: string): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    const where = field ? ` in ${field}` : '';
    return issue.keys.length === 1 ? `${keys} is not a known field${where}` : `${keys} are not known fields${where}`;
  }
  if (!field) {
    return issue.code === 'invalid_type' ? `${subject} must be a JSON object` : `${subject} ${issue.message}`;
  }
  return `${field} ${issue.message}`;
}
