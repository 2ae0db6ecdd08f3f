/**
 * What a Git host brings to issue-sync: one `ProviderDefinition` per host, in
 * `src/providers/<host>/definition.ts`, listed by `src/providers/index.ts`. Everything outside
 * `src/providers/` reaches a host through these (only the GitHub App knows GitHub by name).
 *
 * A definition module stays light (parsing and names): the provider itself and the webhook routes
 * are loaded on first use, so a command that never talks to a host does not pay for its client.
 */
import type { Context } from 'hono';
import type { ProviderKind } from '../domain/items.js';
import type { Provider } from './provider.js';
import type { ProviderLog, QuotaGates, RequestObserver, Sleep } from './http/polite-http.js';
import type { HostWebhookDeps } from './webhook-deps.js';
import type { OperationListener } from '../jobs/sync-jobs.js';

/** Answers one webhook delivery. */
export type WebhookHandler = (c: Context) => Promise<Response>;

/** Where a web URL of an item points: its repository and the item's `issueId`. */
export interface ItemLocation {
  repositoryUrl: string;
  issueId: string;
}

/** What every provider accepts; all side effects can be injected for tests and the benchmark. */
export interface ProviderOptions {
  /** The repository as the host names it (`owner/name`, `group/sub/name` or a GitLab id, `workspace/repo`). */
  repo: string;
  /** The host's API base (the definition's default when unset). */
  apiUrl?: string;
  /** A token; how it is sent is the host's business (Bitbucket: `email:token` is Basic, anything else Bearer). */
  token?: string;
  fetch?: typeof fetch;
  sleep?: Sleep;
  clock?: () => Date;
  log?: ProviderLog;
  /** Longest rate-limit wait accepted inside a sync (60 s); longer ones pause the job until the reset. */
  maxRateLimitWaitMs?: number;
  /** Base of the backoff between retries of 5xx and network failures. */
  retryBaseMs?: number;
  /** Timeout of each HTTP attempt (30 s). */
  timeoutMs?: number;
  /** Rate-limit holds shared by the providers of one process, per host and token (GitLab, Bitbucket). */
  quotaGates?: QuotaGates;
  /** Told about every request sent (host, status, quota left), for the service's metrics. */
  observeRequest?: RequestObserver;
}

/** What a host's webhook health check found (GitLab: the hook's `alert_status`). */
export interface HookHealth {
  status: 'active' | 'stale' | 'inactive';
  /** In plain words, for the API, doctor and the logs. */
  reason: string;
  /** The host's id of the hook it found, when it had to look for it (stored, so the next check reads it directly). */
  webhookId?: string;
}

export interface ProviderDefinition {
  kind: ProviderKind;
  /** The host's name for people: `GitLab`. */
  label: string;
  /** How a repository is written, for messages: `group/sub/name or a numeric project id`. */
  repositoryShape: string;
  /** The repository as the host's API takes it, or null when `input` cannot be one. */
  normalizeRepository(input: string): string | null;
  /** The repository and issueId a web URL's path points at; `pull_request` for pull/merge requests. */
  parseItemPath(origin: string, path: string): ItemLocation | 'pull_request' | null;
  /** The environment variable naming the host's API (or instance) URL, and its default. */
  apiUrlVariable: string;
  defaultApiUrl: string;
  /** The environment variable holding its webhook secret (comma-separated during a rotation). */
  webhookSecretVariable: string;
  /** Where its webhooks are received; absent for a host whose webhooks another part of the service takes. */
  webhookPath?: string;
  createProvider(options: ProviderOptions): Promise<Provider>;
  /**
   * The handler of `POST <webhookPath>` (loaded on first use). Refusals are thrown as `HttpError`
   * (src/http/http-error.ts), which the app answers with the contract's JSON; the app limits the body size.
   */
  webhookHandler?(deps: HostWebhookDeps): Promise<WebhookHandler>;
  /**
   * Told about every operation this process runs (loaded at start): the host's answer to a /sync
   * command it started, edited with progress and the result (GitLab's reply note).
   */
  operationListener?(deps: HostWebhookDeps): Promise<OperationListener>;
  /**
   * The host's own word on a repository's webhook, when it has one (GitLab's `alert_status`);
   * null when the host says nothing and only deliveries tell.
   */
  checkHook?(input: { options: ProviderOptions; webhookId: string | null; signal?: AbortSignal }): Promise<HookHealth | null>;
  /**
   * What the poller syncs every `POLL_INTERVAL_S` (incrementally, from the watermarks), or null for a
   * host that is not polled (GitHub: its App's deliveries and redeliveries keep it current).
   */
  pollSyncType: 'issues' | 'security' | 'all' | null;
  /**
   * A poll first asks `freshness` and syncs only when its `version` differs from the one the last
   * completed sync read: for a host whose listings are whole every time (Bitbucket's findings of the
   * head commit), that costs far fewer requests than a sync of an unchanged repository.
   */
  pollOnlyWhenVersionChanged?: boolean;
  /**
   * The host's webhook deliveries carry the changed items (GitLab's issue hooks), so a poll that
   * stores changes shows deliveries were missed (the webhook is stale). Bitbucket's push hooks only
   * ask for a refresh, and its scanners report after the push: changes a poll finds say nothing there.
   */
  webhookDeliversItems: boolean;
  /**
   * When the change a webhook payload carries happened, by the payload's own clock (the delivery
   * lag): GitHub's issue, comment or alert `updated_at`, GitLab's `object_attributes.updated_at`.
   * Null when the payload does not say; absent for a host whose payloads never do (a Bitbucket push
   * says when its commits were made, not when they were pushed).
   */
  webhookEventTime?(payload: Record<string, unknown>): Date | null;
}

/** The `updated_at` of those of `objects` that have a readable one, the newest; null when none has. */
export function newestUpdatedAt(objects: readonly unknown[], parse: (value: string) => Date): Date | null {
  let newest: Date | null = null;
  for (const object of objects) {
    const updatedAt = typeof object === 'object' && object !== null ? (object as { updated_at?: unknown }).updated_at : undefined;
    if (typeof updatedAt !== 'string') continue;
    let time: Date;
    try {
      time = parse(updatedAt);
    } catch {
      continue;
    }
    if (!Number.isNaN(time.getTime()) && (!newest || time > newest)) newest = time;
  }
  return newest;
}
