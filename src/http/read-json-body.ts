/**
 * The JSON body of a request, checked with the route's zod schema: 415 unless it is sent as
 * `application/json`, 400 for text that is not JSON or a body the schema refuses. The body size
 * limit is the route's middleware (api-routes.ts), so this never reads more than that.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { HttpError } from './http-error.js';
import { plainZodMessage } from './plain-zod-message.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
  options: { optional?: boolean } = {},
): Promise<z.output<T>> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (options.optional) return parseInput(schema, {}, 'The body');
    throw new HttpError(400, 'invalid_body', 'The body is empty: send a JSON object with Content-Type: application/json.');
  }
  const type = c.req.header('content-type');
  if (!type || !JSON_TYPE.test(type)) {
    throw new HttpError(415, 'unsupported_content_type', 'Send the body as JSON with Content-Type: application/json.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON; send one JSON object, with double-quoted names and strings.');
  }
  return parseInput(schema, value, 'The body');
}

/** Validates input (a body or a query) and answers 400 with the first problems in plain words. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, subject: 'The body' | 'The query'): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const code = subject === 'The body' ? 'invalid_body' : 'invalid_query';
  throw new HttpError(400, code, plainZodMessage(parsed.error, subject));
}
