import { runPrepared } from '../../core/db/prepared';
import type { Database, Tx } from '../../core/db/database';
import type { OrderRow, RequestRow } from './requests.repository';
import type { RequestKpiRollupTable } from './requests.tables';

/** The grouping dimensions the rollup keeps; month and day read the 'type' rows by date. */
export const KPI_DIMS = ['unit', 'category', 'district', 'channel', 'type'] as const;
export type KpiDim = (typeof KPI_DIMS)[number];

export const KPI_COUNTERS = [
  'accepted', 'direct', 'replied', 'callbacks', 'resolved', 'satisfied', 'basic', 'dissatisfied', 'closed', 'closed_on_time', 'redone',
  'orders', 'orders_signed_on_time', 'orders_returned',
] as const;
export type KpiCounter = (typeof KPI_COUNTERS)[number];
export type KpiCounts = Record<KpiCounter, number>;

export const zeroCounts = (): KpiCounts => Object.fromEntries(KPI_COUNTERS.map((c) => [c, 0])) as KpiCounts;

type Contribution = Map<string, KpiCounts>; // key: dim \u0000 value

function add(map: Contribution, dim: KpiDim, value: unknown, c: Partial<KpiCounts>): void {
  const key = `${dim}\u0000${value == null ? '' : String(value)}`;
  const acc = map.get(key) ?? zeroCounts();
  for (const [k, v] of Object.entries(c) as Array<[KpiCounter, number]>) acc[k] += v;
  map.set(key, acc);
}

/**
 * What one request adds to the KPI counters. The definitions are those of requests.stats.ts: request
 * counters go to the request's own dimensions (unit = its lead unit), lead-order counters to the unit
 * that received the order. A request merged into another adds nothing (it counts once, as its target).
 */
export function contributionOf(r: RequestRow, orders: OrderRow[]): Contribution {
  const out: Contribution = new Map();
  if (r.status === 'merged') return out;
  const c = requestCounts(r);
  const dims = dimValuesOf(r);
  for (const d of KPI_DIMS) add(out, d, dims[d], c);
  for (const o of orders) {
    if (o.role !== 'lead') continue;
    const oc = orderCounts(o, r);
    for (const d of KPI_DIMS) add(out, d, d === 'unit' ? o.unit_id : dims[d], oc);
  }
  return out;
}

/** The request's own counters (see contributionOf). */
function requestCounts(r: RequestRow): Partial<KpiCounts> {
  const isClosedHandled = r.status === 'closed' && !r.is_direct;
  return {
    accepted: 1,
    direct: r.is_direct ? 1 : 0,
    replied: r.replied_at && !r.is_direct ? 1 : 0,
    callbacks: r.callback_resolved != null ? 1 : 0,
    resolved: r.callback_resolved === 1 ? 1 : 0,
    satisfied: r.callback_satisfaction === 'satisfied' ? 1 : 0,
    basic: r.callback_satisfaction === 'basic' ? 1 : 0,
    dissatisfied: r.callback_satisfaction === 'dissatisfied' ? 1 : 0,
    closed: isClosedHandled ? 1 : 0,
    closed_on_time: isClosedHandled && r.closed_on_time === 1 ? 1 : 0,
    redone: r.redo_count > 0 ? 1 : 0,
  };
}

/** A lead order's counters (see contributionOf). */
/**
 * An order counts for the response rate once its outcome is known: signed, returned, or still unsigned
 * past its sign-for deadline (the deadline timer sets sign_overdue). An order still inside its limit is
 * neither a success nor a miss yet.
 */
export function isOrderDue(o: OrderRow, r: RequestRow): boolean {
  return o.signed_at != null || o.status === 'returned' || ((o.status === 'dispatched' || o.status === 'cancelled') && r.sign_overdue === 1);
}

function orderCounts(o: OrderRow, r: RequestRow): Partial<KpiCounts> {
  if (!isOrderDue(o, r)) return {};
  return { orders: 1, orders_signed_on_time: o.signed_on_time === 1 ? 1 : 0, orders_returned: o.status === 'returned' ? 1 : 0 };
}

function dimValuesOf(r: RequestRow): Record<KpiDim, unknown> {
  return { unit: r.lead_unit_id, category: r.category_id, district: r.district_unit_id, channel: r.channel_id, type: r.type };
}

/** A request's contribution before and after a change, on its day and kind. */
export interface ContributionChange {
  day: { localDate: string; kind: string };
  before: Contribution | null;
  after: Contribution | null;
}

/**
 * Applies after − before to the rollup rows of the request's day and kind, inside the caller's transaction.
 * With `database` the upsert runs prepared (runPrepared): the accept path passes it.
 */
export function applyContributionDelta(trx: Tx, day: ContributionChange['day'], before: Contribution | null, after: Contribution | null, database?: Pick<Database, 'sqlite'>): Promise<void> {
  return applyContributionDeltas(trx, [{ day, before, after }], database);
}

/**
 * Applies several changes at once (a group of accepts sharing a commit): the deltas that fall on the same
 * rollup row are summed first, so each row is written once, in key order (two writers never wait for
 * each other's rows crosswise).
 */
export async function applyContributionDeltas(trx: Tx, changes: ContributionChange[], database?: Pick<Database, 'sqlite'>): Promise<void> {
  const merged = new Map<string, RequestKpiRollupTable>();
  for (const { day, before, after } of changes) {
    for (const key of new Set([...(before?.keys() ?? []), ...(after?.keys() ?? [])])) {
      const b = before?.get(key);
      const a = after?.get(key);
      const rowKey = `${day.localDate}\u0000${day.kind}\u0000${key}`;
      let row = merged.get(rowKey);
      if (!row) {
        const [dim, dimValue] = key.split('\u0000');
        row = { local_date: day.localDate, kind: day.kind, dim, dim_value: dimValue, ...zeroCounts() };
        merged.set(rowKey, row);
      }
      for (const c of KPI_COUNTERS) row[c] += (a?.[c] ?? 0) - (b?.[c] ?? 0);
    }
  }
  const rows = [...merged.entries()].filter(([, row]) => KPI_COUNTERS.some((c) => row[c] !== 0))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, row]) => row);
  if (database && rows.length) await upsertDeltasPrepared(trx, database, rows);
  else await upsertDeltas(trx, rows);
}

const ROLLUP_COLUMNS = ['local_date', 'kind', 'dim', 'dim_value', ...KPI_COUNTERS] as const;
const ROLLUP_ROW = `(${ROLLUP_COLUMNS.map(() => '?').join(', ')})`;
const ROLLUP_CONFLICT = `on conflict (dim, local_date, kind, dim_value) do update set ${KPI_COUNTERS.map((c) => `${c} = request_kpi_rollup.${c} + excluded.${c}`).join(', ')}`;

/** upsertDeltas as one prepared statement per row count (an accept touches one row per dimension). */
async function upsertDeltasPrepared(trx: Tx, database: Pick<Database, 'sqlite'>, rows: RequestKpiRollupTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const part = rows.slice(i, i + 200);
    const text = `insert into request_kpi_rollup (${ROLLUP_COLUMNS.join(', ')}) values ${part.map(() => ROLLUP_ROW).join(', ')} ${ROLLUP_CONFLICT}`;
    await runPrepared(trx, database, text, part.flatMap((r) => ROLLUP_COLUMNS.map((c) => r[c])));
  }
}

/** Adds counter deltas to rollup rows (creating them), one statement per chunk. Bulk imports use it too. */
export async function upsertDeltas(trx: Tx, rows: RequestKpiRollupTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await trx.insertInto('request_kpi_rollup').values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['dim', 'local_date', 'kind', 'dim_value']).doUpdateSet((eb) => Object.fromEntries(
        KPI_COUNTERS.map((c) => [c, eb(`request_kpi_rollup.${c}`, '+', eb.ref(`excluded.${c}`))]),
      ) as never)).execute();
  }
}

/**
 * Folds many requests' contributions into rollup rows (for bulk paths: one upsert per key, not per
 * request). The same counts as contributionOf, added straight into the rows: at millions of rows the
 * intermediate maps per request cost as much as generating the rows.
 */
export function accumulate(into: Map<string, RequestKpiRollupTable>, r: RequestRow, orders: OrderRow[]): void {
  if (r.status === 'merged') return;
  const dims = dimValuesOf(r);
  const prefix = `${r.local_date}\u0000${r.kind}\u0000`;
  const addTo = (dim: KpiDim, value: unknown, c: Partial<KpiCounts>) => {
    const dimValue = value == null ? '' : String(value);
    const k = `${prefix}${dim}\u0000${dimValue}`;
    let row = into.get(k);
    if (!row) {
      row = { local_date: r.local_date, kind: r.kind, dim, dim_value: dimValue, ...zeroCounts() };
      into.set(k, row);
    }
    for (const f in c) row[f as KpiCounter] += c[f as KpiCounter]!;
  };
  const c = requestCounts(r);
  for (const d of KPI_DIMS) addTo(d, dims[d], c);
  for (const o of orders) {
    if (o.role !== 'lead') continue;
    const oc = orderCounts(o, r);
    for (const d of KPI_DIMS) addTo(d, d === 'unit' ? o.unit_id : dims[d], oc);
  }
}

/** Reads a request and its orders and returns its contribution (the 'before' of a change). */
export async function currentContribution(trx: Tx, requestId: number): Promise<{ r: RequestRow; contribution: Contribution } | null> {
  const r = await trx.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (!r) return null;
  const orders = await trx.selectFrom('request_orders').selectAll().where('request_id', '=', requestId).where('role', '=', 'lead').execute();
  return { r, contribution: contributionOf(r, orders) };
}
