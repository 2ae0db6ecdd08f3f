/**
 * The host-neutral HTTP client of the GitLab and Bitbucket providers: JSON over `fetch`, polite to
 * the host and honest about failures.
 *
 * - Every attempt is counted (`requestCount`, the `requests` of a sync) and has its own timeout.
 * - 429, and 403 with the quota spent, wait for `Retry-After`, else the host's reset time, else a
 *   backoff; a wait longer than `maxRateLimitWaitMs` is not waited out here: it becomes
 *   `ProviderError('rate_limited', resetAt)`, which a job queue turns into a job that starts again
 *   at the reset (the sync engine's `pauseOnRateLimit`) instead of holding a worker for an hour.
 * - A response that says the quota is spent (remaining 0), or a 429's wait, holds back the next
 *   request of every client sharing the `quotaGates` and using the same token on the same host until
 *   then, so the host is never asked while it has said no, and parallel syncs with one token do not
 *   each find out with a 429 of their own (docs/providers.md, pitfall 2).
 * - 5xx answers and network failures (reset, refused, timeout, a body cut off after the headers)
 *   are retried with full jitter on an exponential backoff, capped; a 5xx whose Retry-After is longer
 *   than `maxRateLimitWaitMs` (maintenance) fails at once with that time instead of holding a worker.
 * - Waits are abortable: a cancelled sync stops waiting at once.
 *
 * MAX_ATTEMPTS is the worst case for one request on these hosts: nothing else retries beneath
 * (our requests do not go through @gitbeaker's requester, whose own retries ignore Retry-After).
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ProviderError, type ProviderErrorCode } from '../../errors.js';
import type { ProviderKind, RateLimitInfo } from '../../domain/items.js';

/** Attempts of one request at most, the first included. */
export const MAX_ATTEMPTS = 4;

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface ProviderLog {
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/**
 * Told about every attempt a provider sends, for the service's metrics: the host it went to, the
 * HTTP status (null when no answer came: refused, reset, timed out or cancelled), and what is left
 * of the quota when the answer says so (`resource`: GitHub's `x-ratelimit-resource`, else null).
 */
export type RequestObserver = (request: { host: string; status: number | null; remaining: number | null; resource: string | null }) => void;

export interface PoliteHttpOptions {
  provider: ProviderKind;
  /** The host's name in messages: `GitLab`. */
  label: string;
  /** The repository, for messages and errors. */
  repo: string;
  /** Base of relative paths, e.g. `https://gitlab.com/api/v4`. */
  baseUrl: string;
  /** Sent with every request (authentication, Accept). */
  headers?: Record<string, string>;
  /** The host's quota headers → what is left; null when the response carries none. */
  rateLimitOf?: (headers: Headers, clock: () => Date) => RateLimitInfo | null;
  /** What to tell a person for a refusal, by status; undefined falls back to the generic text. */
  describe?: (failure: { status: number; operation: string; body: unknown }) => string | undefined;
  fetch?: typeof fetch;
  sleep?: Sleep;
  clock?: () => Date;
  random?: () => number;
  log?: ProviderLog;
  /** Longest rate-limit wait accepted here (60 s); longer ones fail with `rate_limited` and its reset. */
  maxRateLimitWaitMs?: number;
  /** Backoff of 5xx and network retries: full jitter up to base × 2^attempt, at most `retryCapMs`. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Timeout of each attempt (30 s). */
  timeoutMs?: number | undefined;
  /** Holds shared with other clients (see QuotaGates); default: this client's own. */
  quotaGates?: QuotaGates | undefined;
  observeRequest?: RequestObserver | undefined;
}

export interface RequestOptions {
  /** What is being done, for messages: `listing issues`. */
  operation: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Statuses returned to the caller instead of thrown (e.g. 304, 404, 410). */
  allow?: readonly number[];
}

export interface PoliteResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; null for an empty body. */
  body: unknown;
  rateLimit: RateLimitInfo | null;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface PoliteHttp {
  /** `path` is relative to the base URL (`/projects/1/issues`) or absolute (a `next` link). */
  request(path: string, options: RequestOptions): Promise<PoliteResponse>;
  requestCount(): number;
  lastRateLimit(): RateLimitInfo | null;
}

/** What a provider's options inject into its polite client (see ProviderOptions): the side effects and limits. */
export function injectedInto(options: {
  fetch?: typeof fetch | undefined;
  sleep?: Sleep | undefined;
  clock?: (() => Date) | undefined;
  log?: ProviderLog | undefined;
  maxRateLimitWaitMs?: number | undefined;
  retryBaseMs?: number | undefined;
  timeoutMs?: number | undefined;
  quotaGates?: QuotaGates | undefined;
  observeRequest?: RequestObserver | undefined;
}): Pick<
  PoliteHttpOptions,
  'fetch' | 'sleep' | 'clock' | 'log' | 'maxRateLimitWaitMs' | 'retryBaseMs' | 'timeoutMs' | 'quotaGates' | 'observeRequest'
> {
  const { fetch, sleep, clock, log, maxRateLimitWaitMs, retryBaseMs, timeoutMs, quotaGates, observeRequest } = options;
  return { fetch, sleep, clock, log, maxRateLimitWaitMs, retryBaseMs, timeoutMs, quotaGates, observeRequest };
}

/**
 * When each token may be used again on each host (ms), keyed by the host and a digest of the
 * credentials; an entry goes once its time has passed. One is shared by every provider the service
 * opens (src/jobs/open-repository-provider.ts); a client given none keeps its own.
 */
export type QuotaGates = Map<string, number>;

function gateKeyOf(baseUrl: string, headers: Record<string, string> | undefined): string {
  const credentials = Object.entries(headers ?? {})
    .filter(([name]) => /^(authorization|private-token)$/i.test(name))
    .map(([, value]) => value)
    .join('\n');
  return `${new URL(baseUrl).origin} ${createHash('sha256').update(credentials).digest('hex').slice(0, 24)}`;
}

const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};
const quiet: ProviderLog = { warn: () => undefined, debug: () => undefined };

export function createPoliteHttp(options: PoliteHttpOptions): PoliteHttp {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const log = options.log ?? quiet;
  const maxWaitMs = options.maxRateLimitWaitMs ?? 60_000;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryCapMs = options.retryCapMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const observe = options.observeRequest ?? (() => undefined);
  const base = options.baseUrl.replace(/\/+$/, '');
  let sent = 0;
  let lastRateLimit: RateLimitInfo | null = null;
  /** Set when the host said the quota is spent: nothing is sent before then. */
  const quotaGates = options.quotaGates ?? new Map<string, number>();
  const gateKey = gateKeyOf(base, options.headers);
  /** Holds every client of this token on this host back until `at` (ms). */
  const holdUntil = (at: number) => quotaGates.set(gateKey, Math.max(quotaGates.get(gateKey) ?? 0, at));
  /** The hold this client already waited out (its own 429's wait, say), not waited for twice. */
  let waitedUntil = 0;

  const fail = (code: ProviderErrorCode, message: string, extra: { status?: number; resetAt?: Date; cause?: unknown } = {}) =>
    new ProviderError(code, message, { provider: options.provider, repo: options.repo, ...extra });

  const waitOrFail = async (waitMs: number, resetAt: Date, operation: string, signal: AbortSignal | undefined, attempt: number) => {
    if (waitMs > maxWaitMs || attempt + 1 >= MAX_ATTEMPTS) {
      throw fail(
        'rate_limited',
        `${options.label}'s rate limit for ${options.repo} is used up while ${operation}; it resets at ${resetAt.toISOString()}.`,
        { resetAt, status: 429 },
      );
    }
    log.warn({ repo: options.repo, waitMs, attempt }, `${options.label} rate limit: waiting`);
    await abortable(sleep(Math.max(0, waitMs), signal), signal);
  };

  const urlOf = (path: string, query: RequestOptions['query']) => {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${base}${path.startsWith('/') ? '' : '/'}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  };

  return {
    requestCount: () => sent,
    lastRateLimit: () => lastRateLimit,
    async request(path, request) {
      const { signal, operation } = request;
      const url = urlOf(path, request.query);
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...request.headers };
      if (request.json !== undefined) headers['content-type'] = 'application/json';
      for (let attempt = 0; ; attempt += 1) {
        if (signal?.aborted) throw signal.reason;
        const heldUntil = quotaGates.get(gateKey) ?? 0;
        if (heldUntil > waitedUntil) {
          const waitMs = heldUntil - clock().getTime();
          if (waitMs > 0) await waitOrFail(waitMs, new Date(heldUntil), operation, signal, 0);
          else if (quotaGates.get(gateKey) === heldUntil) quotaGates.delete(gateKey);
          waitedUntil = heldUntil;
        }
        let response: Response;
        sent += 1;
        try {
          const timeout = AbortSignal.timeout(timeoutMs);
          response = await baseFetch(url, {
            method: request.method ?? 'GET',
            headers,
            ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
            redirect: 'follow',
          });
        } catch (error) {
          observe({ host: url.host, status: null, remaining: null, resource: null });
          if (signal?.aborted) throw signal.reason;
          if (attempt + 1 >= MAX_ATTEMPTS) {
            throw fail('unreachable', `${options.label} at ${base} could not be reached while ${operation} (${describeNetworkError(error)}).`, {
              cause: error,
            });
          }
          log.warn({ repo: options.repo, attempt, err: describeNetworkError(error) }, `${options.label} request failed; retrying`);
          await abortable(sleep(backoff(attempt), signal), signal);
          continue;
        }

        const rateLimit = options.rateLimitOf?.(response.headers, clock) ?? null;
        if (rateLimit) lastRateLimit = rateLimit;
        observe({ host: url.host, status: response.status, remaining: rateLimit?.remaining ?? null, resource: null });
        const retryAfter = retryAfterMs(response.headers, clock);
        const spent = rateLimit?.remaining === 0;
        if (response.status === 429 || (response.status === 403 && (spent || retryAfter !== null))) {
          await response.body?.cancel().catch(() => undefined);
          const resetWait = rateLimit?.resetAt ? rateLimit.resetAt.getTime() - clock().getTime() : null;
          const waitMs = retryAfter ?? (resetWait !== null && resetWait > 0 ? resetWait : backoff(attempt + 2));
          const until = clock().getTime() + waitMs;
          holdUntil(until);
          await waitOrFail(waitMs, new Date(until), operation, signal, attempt);
          waitedUntil = Math.max(waitedUntil, until);
          continue;
        }
        if (response.status >= 500) {
          await response.body?.cancel().catch(() => undefined);
          if (request.allow?.includes(response.status)) {
            return { status: response.status, headers: response.headers, body: null, rateLimit, url: response.url };
          }
          if (attempt + 1 >= MAX_ATTEMPTS) {
            throw fail('server_error', `${options.label} kept failing (HTTP ${response.status}) while ${operation} for ${options.repo}; try again later.`, {
              status: response.status,
            });
          }
          if (retryAfter !== null && retryAfter > maxWaitMs) {
            // Maintenance with a long Retry-After: not slept through inside a sync, said as it is.
            const until = new Date(clock().getTime() + retryAfter).toISOString();
            throw fail(
              'server_error',
              `${options.label} is unavailable (HTTP ${response.status}) while ${operation} for ${options.repo} and asks to come back at ${until}; try again then.`,
              { status: response.status },
            );
          }
          log.warn({ repo: options.repo, status: response.status, attempt }, `${options.label} server error; retrying`);
          await abortable(sleep(retryAfter ?? backoff(attempt), signal), signal);
          continue;
        }
        if (spent && rateLimit?.resetAt && rateLimit.resetAt > clock()) holdUntil(rateLimit.resetAt.getTime());

        let body: unknown;
        try {
          body = await readBody(response, () =>
            fail('bad_response', `${options.label} answered ${operation} for ${options.repo} with a body that is not JSON.`, {
              status: response.status,
            }),
          );
        } catch (error) {
          // The connection can drop or time out after the headers: that is a network failure too.
          if (error instanceof ProviderError) throw error;
          if (signal?.aborted) throw signal.reason;
          if (attempt + 1 >= MAX_ATTEMPTS) {
            throw fail('unreachable', `${options.label} at ${base} stopped answering while ${operation} (${describeNetworkError(error)}).`, {
              cause: error,
            });
          }
          log.warn({ repo: options.repo, attempt, err: describeNetworkError(error) }, `${options.label} answer cut off; retrying`);
          await abortable(sleep(backoff(attempt), signal), signal);
          continue;
        }
        if (response.ok || response.status === 304 || request.allow?.includes(response.status)) {
          return { status: response.status, headers: response.headers, body, rateLimit, url: response.url };
        }
        throw refusal(response.status, operation, body);
      }
    },
  };

  function backoff(attempt: number): number {
    return Math.round(random() * Math.min(retryCapMs, retryBaseMs * 2 ** attempt));
  }

  function refusal(status: number, operation: string, body: unknown): ProviderError {
    const custom = options.describe?.({ status, operation, body });
    const code: ProviderErrorCode =
      status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : status === 410 ? 'gone' : 'bad_response';
    const generic =
      status === 401
        ? `${options.label} refused the token while ${operation} for ${options.repo} (401): check that it is valid and not expired.`
        : status === 403
          ? `${options.label} denied access while ${operation} for ${options.repo} (403): the token lacks a permission.`
          : status === 404
            ? `${options.label} has no repository ${options.repo}, or the token cannot see it (404).`
            : status === 410
              ? `${options.label} no longer offers this (410) while ${operation} for ${options.repo}.`
              : `${options.label} answered HTTP ${status} while ${operation} for ${options.repo}.`;
    return fail(code, custom ?? generic, { status });
  }
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, clock: () => Date): number | null {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - clock().getTime());
}

/** A number header, or null. */
export function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

async function readBody(response: Response, notJson: () => Error): Promise<unknown> {
  const text = await response.text();
  if (text === '' || response.status === 304) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A refusal may come as an HTML page: the status says enough.
    if (!response.ok) return null;
    throw notJson();
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

/** Sleeps reject with the signal's reason when it aborts. */
async function abortable(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  try {
    await wait;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
