/**
 * Zod pieces for request input whose messages read as plain words after the field name
 * ("syncType must be one of issues, security, all"); plain-zod-message.ts puts the name in front.
 * Strings refuse NUL characters: PostgreSQL cannot store them, and they are never meaningful here.
 */
import { z } from 'zod';
import { hasNoCredentials, URL_CREDENTIALS_MESSAGE } from '../domain/url-credentials.js';

const NUL = String.fromCharCode(0);

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const list = values.join(', ');
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? `is required (one of ${list})` : `must be one of ${list}`),
  });
}

export function flag() {
  return z.boolean({ error: 'must be true or false' });
}

/** A row id: a UUID, as every id in this API is. */
export function id() {
  return z.guid({
    error: (issue) => (issue.input === undefined ? 'is required (an id)' : 'must be an id (a UUID)'),
  });
}

export function text(max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters long`)
    .refine((value) => !value.includes(NUL), 'must not contain NUL characters');
}

export function httpUrl() {
  return text(2000).pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).refine(hasNoCredentials, URL_CREDENTIALS_MESSAGE));
}

/** True for the 8-4-4-4-12 hex form PostgreSQL accepts as a uuid. */
export function isId(value: string | undefined): value is string {
  return value !== undefined && id().safeParse(value).success;
}
