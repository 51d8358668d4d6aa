import type { Database } from './database';

const running = new WeakMap<Database, Map<string, Promise<unknown>>>();

/**
 * One query for the callers that arrive together: while a read under `key` is on its way, a caller with
 * the same key waits for that read's answer instead of sending its own. Nothing outlives the read — the
 * next caller after it settles reads again — so no instance holds state another would need, and what a
 * caller gets was read at most one round trip before it asked (a change committed in that moment shows on
 * the next read).
 *
 * For small reads that every request makes and that rarely change (the dictionary's signature, the
 * auto-dispatch setting, the caller's API token or session): under load one query serves a whole burst of
 * requests. A read may end with the idempotent bookkeeping write every caller would otherwise repeat (a token's
 * or a session's last use). Not inside a transaction (the read runs on a connection of its own), and not for
 * answers that must follow the caller's own write.
 */
export function sharedRead<T>(database: Database, key: string, read: () => Promise<T>): Promise<T> {
  let reads = running.get(database);
  if (!reads) running.set(database, (reads = new Map()));
  const inFlight = reads.get(key);
  if (inFlight) return inFlight as Promise<T>;
  const own = reads;
  const p = read().finally(() => {
    if (own.get(key) === p) own.delete(key);
  });
  own.set(key, p);
  return p;
}
