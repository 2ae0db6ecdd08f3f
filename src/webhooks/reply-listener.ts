/**
 * What every host's /sync reply needs (a GitHub comment, a GitLab note): an operation listener that
 * edits the reply of each operation carrying one of its kind with that operation's progress, then
 * its result. Edits of one operation run one after another, an unchanged text is not sent again,
 * and nothing is edited after the final result, so a slow progress edit can never overwrite it. An
 * edit that fails is the host's to log; it is never thrown: the sync goes on whatever happens to
 * its reply.
 */
import type { OperationListener } from '../jobs/sync-jobs.js';
import type { OperationRecord, OperationReply } from '../store/issue-store.js';

/** How many finished operations are remembered, to drop their late progress events. */
const FINISHED_KEPT = 1000;

export function createReplyListener<K extends OperationReply['kind']>(host: {
  kind: K;
  /** The reply's text for the operation as it is now. */
  text(operation: OperationRecord, reply: Extract<OperationReply, { kind: K }>): string;
  /** Sends the edit; true once the host took it (false or a throw: tried again with the next event). */
  edit(operation: OperationRecord, reply: Extract<OperationReply, { kind: K }>, body: string): Promise<boolean>;
}): OperationListener {
  const queues = new Map<string, { tail: Promise<void>; lastBody: string | null }>();
  const finished = new Set<string>();

  const edit = async (operation: OperationRecord, reply: Extract<OperationReply, { kind: K }>, queue: { lastBody: string | null }) => {
    const body = host.text(operation, reply);
    if (body === queue.lastBody) return;
    if (await host.edit(operation, reply, body).catch(() => false)) queue.lastBody = body;
  };

  return (operation, event) => {
    const reply = operation.reply;
    if (reply?.kind !== host.kind || finished.has(operation.id)) return;
    if (event === 'finished') {
      finished.add(operation.id);
      if (finished.size > FINISHED_KEPT) finished.delete(finished.values().next().value!);
    }
    const queue = queues.get(operation.id) ?? { tail: Promise.resolve(), lastBody: null };
    queue.tail = queue.tail.then(() => edit(operation, reply as Extract<OperationReply, { kind: K }>, queue));
    queues.set(operation.id, queue);
    if (event === 'progress') return queue.tail;
    return queue.tail.finally(() => queues.delete(operation.id));
  };
}
