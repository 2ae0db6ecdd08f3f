/**
 * Where a GitLab issue listing stands between pages, as an opaque cursor (base64url JSON).
 *
 * Keyset paging (GitLab 18.3+ for project issues) is the default: the position is the query of the
 * `Link rel="next"` GitLab sent (its `cursor` included), so resuming fetches exactly the next page.
 * Sorted by `id`, or by `updated_at` for a listing since a watermark, keyset pages never skip a row
 * when issues are edited mid-walk: the next page starts after the last row seen, not at an offset.
 *
 * A server without keyset falls back to offset pages, which do skip rows when the sort key moves or
 * a row before the offset disappears (docs/providers.md, pitfall 4). So the fallback is a window
 * walk: each request asks for rows at or after (`created_after` / `updated_after`, both inclusive)
 * the last timestamp seen, page 1, and drops the rows at exactly that instant that were already
 * yielded. Only when a whole page shares one instant does it page by number within that instant.
 */
import { z } from 'zod';
import { UsageError } from '../../errors.js';

const keysetSchema = z.object({
  mode: z.literal('keyset'),
  query: z.record(z.string(), z.string()),
});

const windowSchema = z.object({
  mode: z.literal('window'),
  field: z.enum(['created_at', 'updated_at']),
  state: z.enum(['opened', 'closed', 'all']),
  /** ISO instant of the window's inclusive lower bound; null for the first page of a full walk. */
  after: z.string().nullable(),
  page: z.number().int().min(1),
  /** iids already yielded whose timestamp is exactly `after`. */
  seen: z.array(z.number().int()),
  /** Issues yielded before this position, for the progress total. */
  yielded: z.number().int().min(0),
});

const issueCursorSchema = z.discriminatedUnion('mode', [keysetSchema, windowSchema]);
const vulnerabilityCursorSchema = z.object({ after: z.string() });

export type KeysetPosition = z.infer<typeof keysetSchema>;
export type WindowPosition = z.infer<typeof windowSchema>;
export type IssuePosition = z.infer<typeof issueCursorSchema>;

export function encodeCursor(position: IssuePosition | { after: string }): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeIssueCursor(cursor: string): IssuePosition {
  return decode(cursor, issueCursorSchema);
}

export function decodeVulnerabilityCursor(cursor: string): { after: string } {
  return decode(cursor, vulnerabilityCursorSchema);
}

function decode<T>(cursor: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new UsageError('The saved GitLab listing position (cursor) is unreadable; sync again without it.', { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError('The saved GitLab listing position (cursor) is not one this provider wrote; sync again without it.', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The query of the `rel="next"` link of an RFC 8288 `Link` header, or null. */
export function nextLinkQuery(value: string | null): Record<string, string> | null {
  if (!value) return null;
  for (const match of value.matchAll(/<([^>]+)>\s*;\s*rel="([^"]+)"/g)) {
    if (!match[2]!.split(/\s+/).includes('next')) continue;
    try {
      // Only the query is kept: the request goes to our own project route, whatever host the link names.
      return Object.fromEntries(new URL(match[1]!).searchParams);
    } catch {
      return null;
    }
  }
  return null;
}

/** Tells the rows of a window page that were already yielded because they sit on its lower bound. */
export function overlapWith(position: WindowPosition): (row: { iid: number; at: number }) => boolean {
  if (position.after === null || position.seen.length === 0) return () => false;
  const boundary = Date.parse(position.after);
  const seen = new Set(position.seen);
  return (row) => seen.has(row.iid) && row.at === boundary;
}

/** The position after a window page (the whole page as GitLab sent it), or null when the walk is over. */
export function nextWindowPosition(
  position: WindowPosition,
  rows: ReadonlyArray<{ iid: number; at: number }>,
  perPage: number,
  yieldedNow: number,
): WindowPosition | null {
  const last = rows.at(-1);
  if (!last || rows.length < perPage) return null;
  const atLast = rows.filter((row) => row.at === last.at).map((row) => row.iid);
  const yielded = position.yielded + yieldedNow;
  if (position.after !== null && Date.parse(position.after) === last.at) {
    // The whole page shares the bound's instant: the bound cannot move, so page within that instant.
    return { ...position, page: position.page + 1, seen: [...new Set([...position.seen, ...atLast])], yielded };
  }
  return { ...position, after: new Date(last.at).toISOString(), page: 1, seen: atLast, yielded };
}
