/**
 * Where a GitHub listing stands between pages, as an opaque cursor (base64url JSON).
 *
 * Offset pages over a moving sort key lose items: when an issue already fetched is edited during a
 * walk sorted by `updated`, everything behind it shifts one place and one issue falls between two
 * pages. So issues are walked either by a key that does not move (creation order, following the
 * real `Link rel="next"`), or by update time as a keyset: the next request's `since` is the last
 * `updated_at` seen, and the items at exactly that second that were already yielded are remembered
 * so the overlap is dropped. When a whole page shares one second, `since` cannot advance, so the
 * walk pages by number within that second instead of looping.
 */
import { z } from 'zod';
import { UsageError } from '../../errors.js';

const createdOrderSchema = z.object({
  mode: z.literal('created'),
  /** The query of the `rel="next"` link GitHub sent. */
  query: z.record(z.string(), z.string()),
});

const updatedOrderSchema = z.object({
  mode: z.literal('updated'),
  /** ISO timestamp, whole seconds; null before the first page of a walk without `since`. */
  since: z.string().nullable(),
  page: z.number().int().min(1),
  /** Issue numbers already yielded whose `updated_at` is exactly `since`. */
  seen: z.array(z.number().int()),
});

const issueCursorSchema = z.discriminatedUnion('mode', [createdOrderSchema, updatedOrderSchema]);
const alertCursorSchema = z.object({ after: z.string() });

export type CreatedOrderPosition = z.infer<typeof createdOrderSchema>;
export type UpdatedOrderPosition = z.infer<typeof updatedOrderSchema>;
export type IssuePosition = z.infer<typeof issueCursorSchema>;
export type AlertPosition = z.infer<typeof alertCursorSchema>;

export function encodeCursor(position: IssuePosition | AlertPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeIssueCursor(cursor: string): IssuePosition {
  return decode(cursor, issueCursorSchema);
}

export function decodeAlertCursor(cursor: string): AlertPosition {
  return decode(cursor, alertCursorSchema);
}

function decode<T>(cursor: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new UsageError('The saved GitHub listing position (cursor) is unreadable; sync again without it.', {
      cause: error,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError('The saved GitHub listing position (cursor) is not one this provider wrote; sync again without it.', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** `rel` → URL of an RFC 8288 `Link` header as GitHub writes it. */
export function parseLinkHeader(value: string | number | undefined): Map<string, URL> {
  const links = new Map<string, URL>();
  if (typeof value !== 'string') return links;
  for (const match of value.matchAll(/<([^>]+)>\s*;\s*rel="([^"]+)"/g)) {
    const [, url, rels] = match;
    if (!url || !rels) continue;
    try {
      for (const rel of rels.split(/\s+/)) links.set(rel, new URL(url));
    } catch {
      // A link we cannot parse is a link we do not follow.
    }
  }
  return links;
}

export function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

/** GitHub's timestamps have whole seconds; so does `since`, rounded down so nothing is skipped. */
export function toSinceParameter(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function secondOf(timestamp: string): number {
  return Math.floor(Date.parse(timestamp) / 1000);
}

/** Tells the items of a page that were already yielded because they sit exactly on the `since` boundary. */
export function overlapWith(position: UpdatedOrderPosition): (item: { number: number; updated_at: string }) => boolean {
  if (position.since === null || position.seen.length === 0) return () => false;
  const boundary = secondOf(position.since);
  const seen = new Set(position.seen);
  return (item) => seen.has(item.number) && secondOf(item.updated_at) === boundary;
}

/**
 * The position after a page of the walk by update time (ascending), or null when the walk is over.
 * `items` is the whole page as GitHub sent it (pull requests included).
 */
export function nextUpdatedOrderPosition(
  position: UpdatedOrderPosition,
  items: ReadonlyArray<{ number: number; updated_at: string }>,
  perPage: number,
): UpdatedOrderPosition | null {
  const last = items.at(-1);
  if (!last || items.length < perPage) return null;
  const lastSecond = secondOf(last.updated_at);
  const atLastSecond = items.filter((item) => secondOf(item.updated_at) === lastSecond).map((item) => item.number);
  if (position.since !== null && secondOf(position.since) === lastSecond) {
    // The whole page shares the `since` second: `since` cannot move, so page within that second.
    return {
      mode: 'updated',
      since: position.since,
      page: position.page + 1,
      seen: [...new Set([...position.seen, ...atLastSecond])],
    };
  }
  return { mode: 'updated', since: toSinceParameter(new Date(lastSecond * 1000)), page: 1, seen: atLastSecond };
}
