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
 * Next number of the day, gap-free: the counter row is bumped inside the accepting transaction. Prepared
 * (runPrepared): every accept runs it while it holds the day's counter.
 */
export async function nextDailySequence(trx: Tx, database: Pick<Database, 'sqlite'>, day: string): Promise<number> {
  const [row] = await runPrepared<{ last_seq: number }>(trx, database,
    'insert into request_counters (day, last_seq) values (?, 1) on conflict (day) do update set last_seq = request_counters.last_seq + 1 returning last_seq', [day]);
  return Number(row.last_seq);
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

const INSERT_REQUEST_SQL = `insert into requests (${REQUEST_COLUMNS.join(', ')}) values (${REQUEST_COLUMNS.map(() => '?').join(', ')}) returning *`;

/** Inserts a new request (prepared: the accept path) and returns the row as stored. */
export async function insertRequest(trx: Tx, database: Pick<Database, 'sqlite'>, values: NewRequest): Promise<RequestRow> {
  const [row] = await runPrepared<RequestRow>(trx, database, INSERT_REQUEST_SQL, REQUEST_COLUMNS.map((c) => values[c] ?? null));
  return row;
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

const ACCEPT_REFERENCES_SQL = `select
  (select active from channels where id = ?) as channel_active, (select name from channels where id = ?) as channel_name,
  (select code from request_types where code = ?) as type_code,
  (select active from categories where id = ?) as category_active, (select path from categories where id = ?) as category_path,
  (select kind from units where id = ?) as district_kind, (select name from units where id = ?) as district_name,
  (select kind from units where id = ?) as street_kind, (select parent_id from units where id = ?) as street_parent_id,
  (select name from units where id = ?) as actor_unit_name`;

export async function readAcceptReferences(trx: Tx, database: Pick<Database, 'sqlite'>, ids: {
  channelId: number; type: string; categoryId: number | null; districtId: number | null; streetId: number | null; actorUnitId: number | null;
}): Promise<AcceptReferences> {
  const [row] = await runPrepared<AcceptReferences>(trx, database, ACCEPT_REFERENCES_SQL, [
    ids.channelId, ids.channelId, ids.type, ids.categoryId, ids.categoryId, ids.districtId, ids.districtId, ids.streetId, ids.streetId, ids.actorUnitId,
  ]);
  return row;
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
