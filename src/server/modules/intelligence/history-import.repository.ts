import { sql } from 'kysely';
import type { AppContext } from '../../context';
import type { Tx } from '../../core/db/database';
import { writeSearchDocuments, type SearchDocument } from '../../core/search';
import { formatRequestNumber } from '../requests/request-rules';
import { addRollupDeltas, insertBulkRows, rollupOf } from '../requests/requests.bulk';
import type { RequestRow } from '../requests/requests.repository';

/** `requests.source` of imported rows (their source_ref says which row of which file). */
export const IMPORT_SOURCE = 'import';

/**
 * The bulk write of imported requests, inside the caller's transaction: ids and day numbers are taken
 * in that transaction (PostgreSQL: from the identity sequence; numbering: the day counter rows, bumped
 * by the batch's count), so live intake can go on while an import runs and numbers stay gap-free per day.
 * Rows, 'import' timeline events, search-index rows and the batch's KPI rollup deltas go through the bulk
 * writer of requests.bulk (prepared statements on SQLite, `insert … select from unnest(…)` on PostgreSQL).
 */

/** An imported request before it has an id and a number. */
export type NewRequest = Omit<RequestRow, 'id' | 'number'>;

/** `n` request ids that no one else will take: the identity sequence on PostgreSQL, max + 1 on SQLite (one writer at a time). */
async function reserveRequestIds(ctx: AppContext, trx: Tx, n: number): Promise<number[]> {
  if (ctx.dialect === 'postgres') {
    const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('requests', 'id')) as id from generate_series(1, ${n})`.execute(trx);
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }
  const row = await trx.selectFrom('requests').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  const first = Number(row?.m ?? 0) + 1;
  return Array.from({ length: n }, (_, i) => first + i);
}

/**
 * The next `count` sequence numbers of each day, taken in the caller's transaction: one upsert per chunk
 * of days adds the batch's count to the day's counter (PostgreSQL locks the counter rows until commit).
 */
async function reserveDayNumbers(trx: Tx, counts: Map<string, number>): Promise<Map<string, number>> {
  const firstSeq = new Map<string, number>();
  const days = [...counts.entries()].map(([day, n]) => ({ day, last_seq: n }));
  for (let i = 0; i < days.length; i += 200) {
    const part = days.slice(i, i + 200);
    const rows = await trx.insertInto('request_counters').values(part)
      .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ last_seq: eb('request_counters.last_seq', '+', eb.ref('excluded.last_seq')) })))
      .returning(['day', 'last_seq']).execute();
    for (const r of rows) firstSeq.set(r.day, r.last_seq - counts.get(r.day)! + 1);
  }
  return firstSeq;
}

/** Which of these source references are already in the database (an earlier import of the same rows). */
export async function existingSourceRefs(trx: Tx, refs: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < refs.length; i += 500) {
    const rows = await trx.selectFrom('requests').select('source_ref').where('source', '=', IMPORT_SOURCE).where('source_ref', 'in', refs.slice(i, i + 500)).execute();
    for (const r of rows) if (r.source_ref) out.add(r.source_ref);
  }
  return out;
}

/**
 * Writes one batch: requests with their numbers, one 'import' timeline event each, their search-index
 * rows, the KPI rollup deltas. Returns the ids in the order of `requests`.
 */
export async function insertImportedRequests(ctx: AppContext, trx: Tx, requests: NewRequest[], docs: SearchDocument[], event: { actorId: number | null; actorName: string; payload: Record<string, unknown> }): Promise<number[]> {
  if (!requests.length) return [];
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.local_date, (counts.get(r.local_date) ?? 0) + 1);
  const [ids, firstSeq] = [await reserveRequestIds(ctx, trx, requests.length), await reserveDayNumbers(trx, counts)];
  const nextSeq = new Map(firstSeq);
  const rows: RequestRow[] = requests.map((r, i) => {
    const seq = nextSeq.get(r.local_date)!;
    nextSeq.set(r.local_date, seq + 1);
    // Five digits per day (formatRequestNumber): the 100 000th request of one day has no number.
    if (seq > 99_999) throw new Error(`more than 99 999 requests on ${r.local_date}`);
    return { id: ids[i], number: formatRequestNumber(r.local_date, seq), ...r };
  });
  const payload = JSON.stringify(event.payload);
  // The same writer as generated history (requests.bulk): rows and their timeline, then index and rollup.
  await insertBulkRows(ctx.database, trx, {
    requests: rows,
    events: rows.map((r) => ({
      entity: 'request', entity_id: r.id, action: 'import', from_state: null, to_state: r.status, actor_id: event.actorId, actor_name: event.actorName,
      unit_id: null, at: r.accepted_at, payload,
    })),
  });
  await writeSearchDocuments(trx, ctx, rows.map((r, i) => ({ id: r.id, doc: docs[i] })), { replace: false });
  await addRollupDeltas(ctx.database, trx, rollupOf(rows, []));
  return ids;
}
