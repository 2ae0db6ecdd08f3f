/**
 * A FROM item that commits its statement without waiting for the WAL flush: `set_config(…, true)`
 * sets synchronous_commit for the statement's own transaction, which its commit then reads. One
 * round trip, no disk sync. Only for writes whose loss in a crash of the database server costs
 * nothing: a delivery's claim (its issue write is durable, and applying a delivery again changes
 * nothing), a sync's batch (the checkpoint after it is flushed, and with it every earlier write; a
 * crash before that loses the checkpoint too, so the page is fetched and written again).
 */
export const WITHOUT_FLUSH = `(SELECT set_config('synchronous_commit', 'off', true)) AS without_flush`;
