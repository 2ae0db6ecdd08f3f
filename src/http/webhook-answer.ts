/**
 * A webhook route's 2xx answer: the JSON body the host receives (`status` is what the delivery came
 * to: processed, duplicate, ignored or queued), noted on the request for the delivery metrics with
 * the payload as the route parsed it. The metrics middleware then neither clones the answer to read
 * its status nor parses the body a second time for the event's time; at hundreds of deliveries a
 * second, both showed in the profile.
 */
import type { Context } from 'hono';

export type WebhookOutcome = 'processed' | 'duplicate' | 'ignored' | 'queued';

export interface WebhookAnswerNote {
  outcome: WebhookOutcome;
  /** The delivery's body as parsed by the route; null when it was not parsed (or not an object). */
  payload: Record<string, unknown> | null;
}

const notes = new WeakMap<Context, WebhookAnswerNote>();

export function answerWebhook(
  c: Context,
  answer: { status: WebhookOutcome } & Record<string, unknown>,
  options: { payload?: unknown; httpStatus?: 200 | 202 } = {},
): Response {
  const payload = options.payload;
  notes.set(c, {
    outcome: answer.status,
    payload: typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null,
  });
  return c.json(answer, options.httpStatus ?? 200);
}

/** What the route noted with its answer; undefined for an error answer (or a route that noted nothing). */
export function webhookAnswerNote(c: Context): WebhookAnswerNote | undefined {
  return notes.get(c);
}
