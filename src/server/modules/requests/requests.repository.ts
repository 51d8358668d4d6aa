import type { Insertable, Selectable } from 'kysely';
import { runPrepared } from '../../core/db/prepared';
import type { Database, Tx } from '../../core/db/database';
import type { RequestOrdersTable, RequestsTable } from './requests.tables';

export type RequestRow = Selectable<RequestsTable>;
export type OrderRow = Selectable<RequestOrdersTable>;

export function findRequest(db: Tx, id: number): Promise<RequestRow | undefined> {
  return db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findRequestByNumber(db: Tx, number: string): Promise<RequestRow | undefined> {
  return db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirst();
}

/**
 * Reserves the day's next `count` numbers, gap-free: the counter row is bumped inside the accepting
 * transaction. Returns the first. Prepared (runPrepared): every accept runs it while it holds the day's counter.
 */
export async function reserveDailySequence(trx: Tx, database: Pick<Database, 'sqlite'>, day: string, count: number): Promise<number> {
  const [row] = await runPrepared<{ last_seq: number }>(trx, database,
    'insert into request_counters (day, last_seq) values (?, ?) on conflict (day) do update set last_seq = request_counters.last_seq + excluded.last_seq returning last_seq', [day, count]);
  return Number(row.last_seq) - count + 1;
}

export type NewRequest = Omit<Insertable<RequestsTable>, 'id'>;

const REQUEST_COLUMNS = [
  'number', 'kind', 'channel_id', 'type', 'urgency', 'title', 'content', 'category_id', 'district_unit_id', 'street_unit_id', 'address', 'lat', 'lng',
  'requester_name', 'requester_phone', 'is_anonymous', 'is_confidential', 'enterprise_name', 'enterprise_credit_code', 'status', 'version', 'accepted_at',
  'accepted_by', 'local_date', 'local_month', 'lead_unit_id', 'handling_unit_id', 'dispatched_at', 'sign_due_at', 'signed_at', 'reply_due_at', 'due_at',
  'replied_at', 'reply_result', 'reply_text', 'reviewed_at', 'callback_at', 'callback_attempts', 'callback_resolved', 'callback_satisfaction',
  'callback_unreachable', 'closed_at', 'closed_on_time', 'is_direct', 'sign_overdue', 'is_overdue', 'extension_pending', 'extension_requested_at',
  'extension_days', 'extension_reason', 'extension_days_granted', 'return_count', 'redo_count', 'urge_count', 'is_supervised', 'merged_into_id', 'source',
  'source_ref', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof NewRequest>;
// Every column but the id: adding a column to RequestsTable without adding it here fails to compile.
type MissingColumn = Exclude<keyof NewRequest, (typeof REQUEST_COLUMNS)[number]>;
const everyColumnListed: [MissingColumn] extends [never] ? true : MissingColumn = true;
void everyColumnListed;

const REQUEST_ROW = `(${REQUEST_COLUMNS.map(() => '?').join(', ')})`;

/** Inserts new requests in one statement (prepared: the accept path) and returns the rows as stored, in no particular order. */
export function insertRequests(trx: Tx, database: Pick<Database, 'sqlite'>, values: NewRequest[]): Promise<RequestRow[]> {
  const text = `insert into requests (${REQUEST_COLUMNS.join(', ')}) values ${values.map(() => REQUEST_ROW).join(', ')} returning *`;
  return runPrepared<RequestRow>(trx, database, text, values.flatMap((v) => REQUEST_COLUMNS.map((c) => v[c] ?? null)));
}

/** What an accept checks and names, read in one prepared statement: null where the row is missing or no id was given. */
export interface AcceptReferences {
  channel_active: number | null;
  channel_name: string | null;
  type_code: string | null;
  category_active: number | null;
  category_path: string | null;
  district_kind: string | null;
  district_name: string | null;
  street_kind: string | null;
  street_parent_id: number | null;
  actor_unit_name: string | null;
}

export interface AcceptReferenceIds {
  channelId: number; type: string; categoryId: number | null; districtId: number | null; streetId: number | null; actorUnitId: number | null;
}

// One row per accept from a VALUES list (whose columns both dialects name column1, column2, …): the casts
// give PostgreSQL the parameters' types.
const REFERENCE_IDS_ROW = '(cast(? as integer), cast(? as integer), cast(? as text), cast(? as integer), cast(? as integer), cast(? as integer), cast(? as integer))';
const ACCEPT_REFERENCES_SELECT = `select v.column1 as i,
  (select active from channels where id = v.column2) as channel_active, (select name from channels where id = v.column2) as channel_name,
  (select code from request_types where code = v.column3) as type_code,
  (select active from categories where id = v.column4) as category_active, (select path from categories where id = v.column4) as category_path,
  (select kind from units where id = v.column5) as district_kind, (select name from units where id = v.column5) as district_name,
  (select kind from units where id = v.column6) as street_kind, (select parent_id from units where id = v.column6) as street_parent_id,
  (select name from units where id = v.column7) as actor_unit_name`;

/** What each of several accepts checks and names, in the order given, read in one prepared statement. */
export async function readAcceptReferences(trx: Tx, database: Pick<Database, 'sqlite'>, accepts: AcceptReferenceIds[]): Promise<AcceptReferences[]> {
  const text = `${ACCEPT_REFERENCES_SELECT} from (values ${accepts.map(() => REFERENCE_IDS_ROW).join(', ')}) as v`;
  const rows = await runPrepared<AcceptReferences & { i: number }>(trx, database, text,
    accepts.flatMap((a, i) => [i, a.channelId, a.type, a.categoryId, a.districtId, a.streetId, a.actorUnitId]));
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  return accepts.map((_, i) => byIndex.get(i)!);
}

export function ordersOf(db: Tx, requestId: number): Promise<OrderRow[]> {
  return db.selectFrom('request_orders').selectAll().where('request_id', '=', requestId).orderBy('id').execute();
}

/** The open order of a unit on a request (the one it signs, returns or replies on). */
export function openOrderOf(db: Tx, requestId: number, unitId: number): Promise<OrderRow | undefined> {
  return db.selectFrom('request_orders').selectAll().where('request_id', '=', requestId).where('unit_id', '=', unitId)
    .where('status', 'in', ['dispatched', 'signed']).orderBy('id', 'desc').executeTakeFirst();
}

export async function insertOrder(db: Tx, v: Omit<OrderRow, 'id' | 'signed_at' | 'signed_on_time' | 'returned_at' | 'return_reason' | 'replied_at'>): Promise<number> {
  const row = await db.insertInto('request_orders').values({ ...v, signed_at: null, signed_on_time: null, returned_at: null, return_reason: null, replied_at: null })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrder(db: Tx, id: number, set: Partial<Omit<OrderRow, 'id'>>): Promise<void> {
  await db.updateTable('request_orders').set(set).where('id', '=', id).execute();
}

/** Earlier requests from the same phone (newest first), for the agent's "this caller before" panel. */
export function requestsByPhone(db: Tx, phone: string, limit: number) {
  return db.selectFrom('requests').select(['id', 'number', 'title', 'content', 'status', 'accepted_at', 'type'])
    .where('requester_phone', '=', phone).orderBy('accepted_at', 'desc').limit(limit).execute();
}
