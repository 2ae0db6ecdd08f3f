/**
 * A FROM item that commits its statement without waiting for the WAL flush: `set_config(…, true)`
 * sets synchronous_commit for the statement's own transaction, which its commit then reads. One
 * round trip, no disk sync. For writes that may be lost in a crash of the database server because
 * they are repeated anyway (a delivery GitHub redelivers, a sync page written again on resume).
 */
export const WITHOUT_FLUSH = `(SELECT set_config('synchronous_commit', 'off', true)) AS without_flush`;
