import { sql } from 'kysely';
import type { AppContext } from '../../context';
import type { Actor } from '../../core/http/access';
import { fieldError } from '../../core/http/errors';
import { visibleUnitIds } from '../../core/http/scope';
import { readSetting, writeSetting } from '../../core/settings';
import { recordAudit } from '../../core/audit/audit.service';

export type GroupBy = 'unit' | 'category' | 'district' | 'channel' | 'type' | 'month' | 'day';

export interface KpiSettings {
  /** 基本满意 counts as this share of 满意 in the satisfaction rate (1.0 = fully; some cities use 0.8). */
  basicSatisfiedWeight: number;
  /** Assessment score weights of the 三率 (响应, 解决, 满意). */
  weights: { response: number; resolution: number; satisfaction: number };
  /** Units whose satisfaction rate is below this are listed in the briefing. */
  satisfactionFloor: number;
}

export const DEFAULT_KPI_SETTINGS: KpiSettings = { basicSatisfiedWeight: 1.0, weights: { response: 30, resolution: 35, satisfaction: 35 }, satisfactionFloor: 0.85 };
const KPI_KEY = 'requests.kpi';

export function getKpiSettings(ctx: AppContext): Promise<KpiSettings> {
  return readSetting(ctx.db, KPI_KEY, DEFAULT_KPI_SETTINGS);
}

export async function setKpiSettings(ctx: AppContext, actor: Actor, s: KpiSettings): Promise<KpiSettings> {
  if (s.basicSatisfiedWeight < 0 || s.basicSatisfiedWeight > 1) throw fieldError('basicSatisfiedWeight', { zh: '应在 0 到 1 之间', en: 'must be between 0 and 1' });
  const total = s.weights.response + s.weights.resolution + s.weights.satisfaction;
  if (total <= 0) throw fieldError('weights', { zh: '权重之和必须大于 0', en: 'the weights must add up to more than 0' });
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await readSetting(trx, KPI_KEY, DEFAULT_KPI_SETTINGS);
    await writeSetting(trx, KPI_KEY, s, now, actor.userId);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'requests.kpi-settings', entity: 'settings', entityId: KPI_KEY, before: { ...before }, after: { ...s } });
  });
  return s;
}

/** What each figure means; the UI shows these next to the numbers. */
export const KPI_DEFINITIONS = {
  responseRate: { zh: '响应率 = 按时签收的主办工单 ÷ 已到签收期限（或已签收、已退回）的主办工单', en: 'Response rate = lead orders signed for within the limit ÷ lead orders whose outcome is known (signed, returned, or past the sign-for limit)' },
  resolutionRate: { zh: '解决率 = 回访答复“已解决”的件数 ÷ 回访答复件数', en: 'Resolution rate = callbacks answered "resolved" ÷ callbacks answered' },
  satisfactionRate: { zh: '满意率 =（满意 + 权重 × 基本满意）÷ 回访答复件数', en: 'Satisfaction rate = (satisfied + weight × basically satisfied) ÷ callbacks answered' },
  onTimeRate: { zh: '按期办结率 = 在期限内答复并办结的件数 ÷ 办结件数（不含直接办结）', en: 'On-time closing rate = closed requests replied within the deadline ÷ closed requests (direct answers excluded)' },
  returnRate: { zh: '退单率 = 被退回的主办工单 ÷ 同口径主办工单', en: 'Return rate = lead orders returned ÷ the same lead orders as the response rate' },
  directRate: { zh: '直接办结率 = 受理时直接答复办结的件数 ÷ 受理件数', en: 'Direct-answer rate = requests answered and closed at intake ÷ requests accepted' },
  redoRate: { zh: '重办率 = 发生过重办的件数 ÷ 已答复件数', en: 'Redo rate = requests sent back for redo ÷ requests replied' },
  score: { zh: '考核得分 = 按权重加权的响应率、解决率、满意率（百分制）', en: 'Assessment score = weighted response, resolution and satisfaction rates (0–100)' },
} as const;

interface Counts {
  accepted: number; direct: number; replied: number; callbacks: number; resolved: number; satisfied: number; basic: number; dissatisfied: number;
  closed: number; closedOnTime: number; redone: number; orders: number; ordersSignedOnTime: number; ordersReturned: number;
}

const ZERO: Counts = { accepted: 0, direct: 0, replied: 0, callbacks: 0, resolved: 0, satisfied: 0, basic: 0, dissatisfied: 0, closed: 0, closedOnTime: 0, redone: 0, orders: 0, ordersSignedOnTime: 0, ordersReturned: 0 };

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

export function ratesOf(c: Counts, s: KpiSettings) {
  const responseRate = ratio(c.ordersSignedOnTime, c.orders);
  const resolutionRate = ratio(c.resolved, c.callbacks);
  const satisfactionRate = ratio(c.satisfied + s.basicSatisfiedWeight * c.basic, c.callbacks);
  const parts: Array<[number | null, number]> = [[responseRate, s.weights.response], [resolutionRate, s.weights.resolution], [satisfactionRate, s.weights.satisfaction]];
  const present = parts.filter(([v]) => v !== null) as Array<[number, number]>;
  const wsum = present.reduce((a, [, w]) => a + w, 0);
  return {
    responseRate, resolutionRate, satisfactionRate,
    onTimeRate: ratio(c.closedOnTime, c.closed),
    returnRate: ratio(c.ordersReturned, c.orders),
    directRate: ratio(c.direct, c.accepted),
    redoRate: ratio(c.redone, c.replied),
    score: wsum > 0 ? (present.reduce((a, [v, w]) => a + v * w, 0) / wsum) * 100 : null,
  };
}

export interface StatsQuery {
  from?: string;
  to?: string;
  groupBy?: GroupBy;
  kind?: 'all' | 'enterprise' | 'citizen';
}

/**
 * 三率 and friends for a period, per group and in total. Requests merged into another count once (the
 * merged copy is left out); periods are local acceptance dates, so a day is a business day in ZT_TIMEZONE.
 */
export async function requestStats(ctx: AppContext, actor: Actor, q: StatsQuery) {
  const groupBy: GroupBy = q.groupBy ?? 'unit';
  const from = q.from ?? '0000-01-01';
  const to = q.to ?? '9999-12-31';
  if (from > to) throw fieldError('to', { zh: '结束日期不能早于开始日期', en: 'must not be before from' });
  const settings = await getKpiSettings(ctx);
  const units = await visibleUnitIds(ctx, actor);
  const range = { groupBy, from, to, kind: q.kind ?? 'all' };
  // Callers who see everything read the rollup; a unit-scoped caller's figures come from its own records.
  let keyed = units === null ? await countsFromRollup(ctx, range) : await countsFromRecords(ctx, range, units);
  if (groupBy === 'category') keyed = await rollUpCategories(ctx, keyed);
  const names = await groupNames(ctx, groupBy, keyed.map(([k]) => k));
  const total = keyed.reduce((acc, [, c]) => {
    for (const f of Object.keys(acc) as Array<keyof Counts>) acc[f] += c[f];
    return acc;
  }, { ...ZERO });
  return {
    from: q.from ?? null, to: q.to ?? null, groupBy, kind: q.kind ?? 'all', settings,
    definitions: KPI_DEFINITIONS,
    groups: keyed
      .map(([key, c]) => ({ key: key || null, name: names.get(key) ?? (key ? key : '（未指定）'), counts: c, rates: ratesOf(c, settings) }))
      .sort((a, b) => (groupBy === 'month' || groupBy === 'day' ? String(a.key).localeCompare(String(b.key)) : b.counts.accepted - a.counts.accepted || b.counts.orders - a.counts.orders)),
    total: { counts: total, rates: ratesOf(total, settings) },
  };
}

interface Range { groupBy: GroupBy; from: string; to: string; kind: 'all' | 'enterprise' | 'citizen' }

/** The same counts from the rollup table (kept in step with every change; see requests.rollup.ts). */
export async function countsFromRollup(ctx: AppContext, range: Range): Promise<Array<[string, Counts]>> {
  const dim = range.groupBy === 'month' || range.groupBy === 'day' ? 'type' : range.groupBy;
  const key = range.groupBy === 'month' ? sql<string>`substr(local_date, 1, 7)` : range.groupBy === 'day' ? sql<string>`local_date` : sql<string>`dim_value`;
  let q = ctx.db.selectFrom('request_kpi_rollup').where('dim', '=', dim).where('local_date', '>=', range.from).where('local_date', '<=', range.to);
  if (range.kind !== 'all') q = q.where('kind', '=', range.kind);
  const rows = await q.select([
    key.as('k'),
    sql<number>`sum(accepted)`.as('accepted'), sql<number>`sum(direct)`.as('direct'), sql<number>`sum(replied)`.as('replied'),
    sql<number>`sum(callbacks)`.as('callbacks'), sql<number>`sum(resolved)`.as('resolved'), sql<number>`sum(satisfied)`.as('satisfied'),
    sql<number>`sum(basic)`.as('basic'), sql<number>`sum(dissatisfied)`.as('dissatisfied'), sql<number>`sum(closed)`.as('closed'),
    sql<number>`sum(closed_on_time)`.as('closedOnTime'), sql<number>`sum(redone)`.as('redone'), sql<number>`sum(orders)`.as('orders'),
    sql<number>`sum(orders_signed_on_time)`.as('ordersSignedOnTime'), sql<number>`sum(orders_returned)`.as('ordersReturned'),
  ]).groupBy(key).execute();
  return rows
    .map((r) => [r.k ?? '', Object.fromEntries(Object.keys(ZERO).map((f) => [f, Number((r as Record<string, unknown>)[f] ?? 0)])) as unknown as Counts] as [string, Counts])
    // A group whose every counter went back to zero (e.g. all its requests merged away) is not a group.
    .filter(([, c]) => Object.values(c).some((v) => v !== 0));
}

// The SQL twin of requests.rollup.ts isOrderDue: an order counts once its outcome is known.
const ORDER_DUE = sql`(request_orders.signed_at is not null or request_orders.status = 'returned' or (request_orders.status in ('dispatched', 'cancelled') and requests.sign_overdue = 1))`;

/** Counts straight from the request and order records: the definition the rollup must always equal. */
export async function countsFromRecords(ctx: AppContext, range: Range, units: number[] | null): Promise<Array<[string, Counts]>> {
  const { groupBy, from, to } = range;
  const reqKey = {
    unit: sql<string>`requests.lead_unit_id`, category: sql<string>`requests.category_id`, district: sql<string>`requests.district_unit_id`,
    channel: sql<string>`requests.channel_id`, type: sql<string>`requests.type`, month: sql<string>`requests.local_month`, day: sql<string>`requests.local_date`,
  }[groupBy];

  let rq = ctx.db.selectFrom('requests').where('requests.local_date', '>=', from).where('requests.local_date', '<=', to).where('requests.status', '!=', 'merged');
  if (range.kind !== 'all') rq = rq.where('requests.kind', '=', range.kind);
  if (units !== null) rq = rq.where('requests.lead_unit_id', 'in', units.length ? units : [-1]);
  const reqRows = await rq.select([
    reqKey.as('k'),
    sql<number>`count(*)`.as('accepted'),
    sql<number>`sum(requests.is_direct)`.as('direct'),
    sql<number>`sum(case when requests.replied_at is not null and requests.is_direct = 0 then 1 else 0 end)`.as('replied'),
    sql<number>`sum(case when requests.callback_resolved is not null then 1 else 0 end)`.as('callbacks'),
    sql<number>`sum(case when requests.callback_resolved = 1 then 1 else 0 end)`.as('resolved'),
    sql<number>`sum(case when requests.callback_satisfaction = 'satisfied' then 1 else 0 end)`.as('satisfied'),
    sql<number>`sum(case when requests.callback_satisfaction = 'basic' then 1 else 0 end)`.as('basic'),
    sql<number>`sum(case when requests.callback_satisfaction = 'dissatisfied' then 1 else 0 end)`.as('dissatisfied'),
    sql<number>`sum(case when requests.status = 'closed' and requests.is_direct = 0 then 1 else 0 end)`.as('closed'),
    sql<number>`sum(case when requests.status = 'closed' and requests.is_direct = 0 and requests.closed_on_time = 1 then 1 else 0 end)`.as('closedOnTime'),
    sql<number>`sum(case when requests.redo_count > 0 then 1 else 0 end)`.as('redone'),
  ]).groupBy(reqKey).execute();

  // Orders are counted per unit that received them (lead orders only: co-units answer to the lead).
  const orderKey = groupBy === 'unit' ? sql<string>`request_orders.unit_id` : reqKey;
  let oq = ctx.db.selectFrom('request_orders').innerJoin('requests', 'requests.id', 'request_orders.request_id')
    .where('request_orders.role', '=', 'lead').where('requests.local_date', '>=', from).where('requests.local_date', '<=', to).where('requests.status', '!=', 'merged');
  if (range.kind !== 'all') oq = oq.where('requests.kind', '=', range.kind);
  if (units !== null) oq = oq.where('request_orders.unit_id', 'in', units.length ? units : [-1]);
  const orderRows = await oq.select([
    orderKey.as('k'),
    sql<number>`sum(case when ${ORDER_DUE} then 1 else 0 end)`.as('orders'),
    sql<number>`sum(case when request_orders.signed_on_time = 1 then 1 else 0 end)`.as('ordersSignedOnTime'),
    sql<number>`sum(case when request_orders.status = 'returned' then 1 else 0 end)`.as('ordersReturned'),
  ]).groupBy(orderKey).execute();

  const groups = new Map<string, Counts>();
  const bucket = (k: unknown) => {
    const key = k == null ? '' : String(k);
    if (!groups.has(key)) groups.set(key, { ...ZERO });
    return groups.get(key)!;
  };
  for (const r of reqRows) {
    const b = bucket(r.k);
    for (const f of ['accepted', 'direct', 'replied', 'callbacks', 'resolved', 'satisfied', 'basic', 'dissatisfied', 'closed', 'closedOnTime', 'redone'] as const) b[f] += Number(r[f] ?? 0);
  }
  for (const r of orderRows) {
    const b = bucket(r.k);
    b.orders += Number(r.orders ?? 0);
    b.ordersSignedOnTime += Number(r.ordersSignedOnTime ?? 0);
    b.ordersReturned += Number(r.ordersReturned ?? 0);
  }
  return [...groups.entries()];
}

/** Categories are reported at their first level: a leaf's counts go to its top-level class. */
async function rollUpCategories(ctx: AppContext, keyed: Array<[string, Counts]>): Promise<Array<[string, Counts]>> {
  const cats = await ctx.db.selectFrom('categories').select(['id', 'path']).execute();
  const top = await ctx.db.selectFrom('categories').select(['id', 'name']).where('level', '=', 1).execute();
  const topByName = new Map(top.map((t) => [t.name, String(t.id)]));
  const topOf = new Map(cats.map((c) => [String(c.id), topByName.get(c.path.split('/')[0]) ?? String(c.id)]));
  const out = new Map<string, Counts>();
  for (const [k, c] of keyed) {
    const t = k ? (topOf.get(k) ?? k) : '';
    const acc = out.get(t) ?? { ...ZERO };
    for (const f of Object.keys(acc) as Array<keyof Counts>) acc[f] += c[f];
    out.set(t, acc);
  }
  return [...out.entries()];
}

const TYPE_NAMES: Record<string, string> = { consult: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' };

async function groupNames(ctx: AppContext, groupBy: GroupBy, keys: string[]): Promise<Map<string, string>> {
  const ids = keys.filter((k) => /^\d+$/.test(k)).map(Number);
  if (groupBy === 'unit' || groupBy === 'district') {
    const rows = ids.length ? await ctx.db.selectFrom('units').select(['id', 'name']).where('id', 'in', ids).execute() : [];
    return new Map(rows.map((r) => [String(r.id), r.name]));
  }
  if (groupBy === 'category') {
    const rows = ids.length ? await ctx.db.selectFrom('categories').select(['id', 'name']).where('id', 'in', ids).execute() : [];
    return new Map(rows.map((r) => [String(r.id), r.name]));
  }
  if (groupBy === 'channel') {
    const rows = ids.length ? await ctx.db.selectFrom('channels').select(['id', 'name']).where('id', 'in', ids).execute() : [];
    return new Map(rows.map((r) => [String(r.id), r.name]));
  }
  if (groupBy === 'type') {
    const rows = await ctx.db.selectFrom('request_types').select(['code', 'name']).execute();
    return new Map([...Object.entries(TYPE_NAMES), ...rows.map((r) => [r.code, r.name] as [string, string])]);
  }
  return new Map(keys.map((k) => [k, k]));
}
