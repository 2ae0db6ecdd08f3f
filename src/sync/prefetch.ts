/**
 * Overlaps network and database: while the consumer handles item n, item n + 1 is already being
 * fetched. Never more than one item in flight, so memory stays at two pages.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  // The rejection is observed by the `await` below; this only keeps it from being reported as unhandled
  // while the consumer is still busy with the previous item.
  pending.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const result = await pending;
      if (result.done) {
        finished = true;
        return;
      }
      pending = iterator.next();
      pending.catch(() => undefined);
      yield result.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    if (!finished) {
      // The consumer stopped early: let the fetch in flight settle, then close the source.
      const last = await pending.catch(() => ({ done: true as const, value: undefined }));
      if (!last.done) await iterator.return?.();
    }
  }
}
