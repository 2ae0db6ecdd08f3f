/**
 * The jobId of an operation that runs on pg-boss: `pgboss:<job id>` while its job waits in the
 * queue, `pgboss:<job id>@serve:<host>:<pid>` while a worker of that process runs it. The queue's job
 * tells whether the operation is still on its way; the process part tells at once, on the same host,
 * that the worker died.
 */
const PREFIX = 'pgboss:';

export interface JobRef {
  /** The pg-boss job id. */
  jobId: string;
  /** `serve:<host>:<pid>` of the worker running it; null while queued. */
  owner: string | null;
}

export function queuedJobRef(jobId: string): string {
  return `${PREFIX}${jobId}`;
}

export function runningJobRef(jobId: string, owner: string): string {
  return `${PREFIX}${jobId}@${owner}`;
}

/** The pg-boss job behind an operation's jobId, or null for an in-process owner (`cli:…`, `serve:…`). */
export function parseJobRef(ref: string | null): JobRef | null {
  if (!ref?.startsWith(PREFIX)) return null;
  const rest = ref.slice(PREFIX.length);
  const at = rest.indexOf('@');
  return at < 0 ? { jobId: rest, owner: null } : { jobId: rest.slice(0, at), owner: rest.slice(at + 1) };
}
