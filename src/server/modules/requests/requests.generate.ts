import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { addDaysToDate, toLocalDate, weekdayOfDate, WorkingCalendar, zonedTimeToInstant, type WorkingCalendarOptions } from '../../core/calendar';
import { systemActor } from '../../core/http/access';
import { AppError } from '../../core/http/errors';
import { loadCityWords, searchIndexHook, segmentationThreads, type SearchDocument, type UserWord } from '../../core/search';
import { startThread } from '../../core/threads';
import { getWorkingCalendar } from '../calendar/calendar.service';
import { getTimeLimits, resolveDefaultUrgency, resolveDispatch, type TimeLimits, type Urgency } from '../catalog';
import { creditCodeCheckChar, formatRequestNumber } from './request-rules';
import { beginBulkWrite, finishBulkWrite, reserveIds, writeRequestBatch, type EventRow, type RequestBatch } from './requests.bulk';
import * as P from './requests.generate.phrases';
import type { OrderRow, RequestRow } from './requests.repository';
import type { RequestStatus, Satisfaction } from './requests.tables';

/**
 * A deterministic half-year of 12345 history at the city's real scale, for benchmarks and demos. At
 * scale 1.0 the 'h1-2024' profile reproduces the half-year report: 3,017,800 requests, 3,803 of them
 * from enterprises, resolution 72.58 % overall and 93.50 % for enterprises (callbacks answered
 * "resolved" ÷ callbacks answered). Smaller scales keep the proportions as closely as integer counts
 * allow. Everything else — channels, types, categories, districts, units from the dispatch catalogue,
 * weekly and daily rhythm, holidays from the working calendar, returns, extensions, overdue cases,
 * callbacks — follows plausible shares, drawn from a seeded PRNG: the same seed gives the same rows.
 *
 * Two passes over the same per-row random streams: the first counts answered callbacks per stratum and
 * picks exactly which are resolved (selection sampling, on a stream of its own); the second builds the
 * rows, batch by batch, on builder threads beside the writer when there are cores to spare — every
 * thread builds the same rows, since each row draws from its own stream.
 */

export interface GenerateProfile {
  from: string;
  to: string;
  total: number;
  enterprise: number;
  /** Resolution rates the KPI API must show, to two decimals of a percent. */
  resolution: number;
  enterpriseResolution: number;
}

export const GENERATE_PROFILES: Record<string, GenerateProfile> = {
  'h1-2024': { from: '2024-01-01', to: '2024-06-30', total: 3_017_800, enterprise: 3_803, resolution: 0.7258, enterpriseResolution: 0.935 },
};

export interface GenerateOptions {
  profile: string;
  /** Share of the profile's volume (1.0 = the whole half-year); ignored when `requests` is given. */
  scale?: number;
  /** An exact number of requests instead of a scale. */
  requests?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  /** Threads that build and segment the batches beside the writer (default: one per core but the writer's, from 200 000 requests; 0: none). */
  threads?: number;
}

export interface GenerateResult {
  profile: string;
  requests: number;
  enterprise: number;
  days: number;
  callbacks: { answered: number; resolved: number; enterpriseAnswered: number; enterpriseResolved: number };
  seconds: number;
}

// —— deterministic randomness ——

/** A 32-bit mix of the seed and a row index: every row has its own reproducible stream. */
function hash32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: small, fast and good enough for synthetic data. */
export function createRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const between = (rng: Rng, lo: number, hi: number) => lo + rng() * (hi - lo);

/** A sampler over weighted items (cumulative table, binary search). */
function weighted<T>(items: ReadonlyArray<readonly [T, number]>): (rng: Rng) => T {
  const cum: number[] = [];
  let sum = 0;
  for (const [, w] of items) cum.push((sum += w));
  return (rng) => {
    const x = rng() * sum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo][0];
  };
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) out[order[k % order.length][1]]++;
  return out;
}

/**
 * The largest count n ≤ max (not below 90 % of it) for which some k/n shows as `rate` to two decimals
 * of a percent; small counts that allow no such n keep max (the nearest the size allows).
 */
export function exactDenominator(rate: number, max: number): number {
  for (let n = max; n >= Math.floor(max * 0.9) && n > 0; n--) {
    if (Math.abs(Math.round(rate * n) / n - rate) < 0.00005 - 1e-12) return n;
  }
  return max;
}

// —— rhythm ——

// Calls per hour of the local day: quiet nights, a morning peak, a smaller afternoon one.
const HOURS = weighted([0.15, 0.1, 0.08, 0.07, 0.08, 0.15, 0.4, 0.9, 1.8, 2.6, 2.7, 2.3, 1.6, 1.5, 2.2, 2.4, 2.2, 1.8, 1.3, 1.2, 1.1, 0.9, 0.6, 0.3].map((w, h) => [h, w] as const));
const MONTH_FACTOR: Record<string, number> = { '01': 0.97, '02': 0.86, '03': 0.98, '04': 0.99, '05': 1.04, '06': 1.16 };

/** Requests per local day: fewer on weekends and holidays (from the working calendar), seasonal drift. */
export function planDays(profile: GenerateProfile, total: number, calendar: WorkingCalendar, seed: number): Array<{ date: string; count: number }> {
  const dates: string[] = [];
  for (let d = profile.from; d <= profile.to; d = addDaysToDate(d, 1)) dates.push(d);
  const weights = dates.map((date, i) => {
    const weekday = weekdayOfDate(date);
    const isWeekend = weekday === 0 || weekday === 6;
    const working = calendar.isWorkingDay(date);
    let w = working ? (isWeekend ? 0.93 : weekday === 1 ? 1.08 : 1.0) : isWeekend ? 0.72 : 0.6;
    // Around the Spring Festival the city goes home: the calendar marks the days, the hotline feels it.
    if (!working && date.slice(5, 7) === '02') w *= 0.8;
    w *= MONTH_FACTOR[date.slice(5, 7)] ?? 1;
    return w * (0.94 + 0.12 * (hash32(seed, 1_000_000 + i) / 4294967296));
  });
  return apportion(total, weights).map((count, i) => ({ date: dates[i], count }));
}

// —— reference data ——

interface Leaf { id: number; path: string; l1: string; l2: string; name: string; urgency: Urgency }
interface UnitInfo { id: number; code: string; name: string; kind: string; parentId: number | null }
interface Refs {
  tz: string;
  /** The end of the generated period: later steps have not happened yet. */
  endMs: number;
  calendar: WorkingCalendar;
  channel: (rng: Rng) => { id: number; family: 'phone' | 'network' };
  citizenLeaf: (rng: Rng, month: string) => Leaf;
  enterpriseLeaf: (rng: Rng) => Leaf;
  district: (rng: Rng) => { unit: UnitInfo; streets: UnitInfo[]; index: number };
  dispatch: Map<string, { leadUnitId: number; coUnitIds: number[] }>;
  units: Map<number, UnitInfo>;
  departments: UnitInfo[];
  limits: Map<string, TimeLimits>;
  agents: Array<{ id: number | null; name: string; unitId: number | null }>;
  dispatchers: Array<{ id: number | null; name: string; unitId: number | null }>;
}

const CHANNEL_WEIGHTS: Record<string, number> = {
  phone: 55, 'hotline-12315': 2.2, 'hotline-12369': 0.9, 'hotline-12333': 1.6, 'hotline-12319': 0.8, 'hotline-12358': 0.5,
  web: 4.5, app: 9, 'mini-program': 8.5, wechat: 6, weibo: 0.8, 'leader-mailbox': 2.4, email: 0.7, 'message-board': 3.2, 'people-cn': 1.1,
  media: 0.4, sms: 0.9, 'gov-service': 1.2, 'national-platform': 0.9, open311: 0,
};
const CLASS_WEIGHTS: Record<string, number> = { 城乡建设: 17, 环境保护: 8, 交通运输: 9, 市场监管: 11, 劳动和社会保障: 10, 水电气热: 12, 教育文体: 7, 卫生健康: 6, 城市管理: 15, 民政事务: 5 };
const ENTERPRISE_CLASSES: Record<string, number> = { 市场监管: 4, 劳动和社会保障: 4, 水电气热: 3, 城乡建设: 2, 交通运输: 2, 环境保护: 1, 城市管理: 1 };
// Heating complaints fill the winter; water and power the first hot weeks.
const SEASON: Record<string, Record<string, number>> = {
  供热: { '01': 3, '02': 2.4, '03': 1.2, '04': 0.15, '05': 0.1, '06': 0.1 },
  供电: { '06': 1.6 },
  供水: { '06': 1.4 },
};
const DISTRICT_WEIGHTS = [14, 11, 12, 10, 13, 9, 8, 9, 7, 7];
const UTILITIES = new Set(['QC-ZLS', 'QC-GDGS', 'QC-RQJT', 'QC-RLGS', 'QC-GJGS', 'QC-XFZD']);

/** What the generator reads from the database before it starts: plain data, so a worker thread can build rows from it too. */
export interface RefData {
  tz: string;
  calendar: Required<WorkingCalendarOptions>;
  channels: Array<{ id: number; code: string; family: 'phone' | 'network' }>;
  leaves: Leaf[];
  /** Active units in id order. */
  units: UnitInfo[];
  /** `categoryId:districtId` → the dispatch catalogue's answer. */
  dispatch: Map<string, { leadUnitId: number; coUnitIds: number[] }>;
  /** `type:urgency` → time limits. */
  limits: Map<string, TimeLimits>;
  agents: Refs['agents'];
  dispatchers: Refs['dispatchers'];
}

async function readRefData(ctx: AppContext): Promise<RefData> {
  const calendar = (await getWorkingCalendar(ctx)).options();
  const channels = await ctx.db.selectFrom('channels').select(['id', 'code', 'family']).where('active', '=', 1).orderBy('id').execute();
  if (!channels.length) throw new AppError('VALIDATION_FAILED', { message: { zh: '没有可用的渠道', en: 'no active channels' } });
  const cats = await ctx.db.selectFrom('categories').select(['id', 'parent_id', 'path', 'name', 'level']).where('active', '=', 1).orderBy('id').execute();
  const parents = new Set(cats.map((c) => c.parent_id).filter((id): id is number => id !== null));
  const leaves: Leaf[] = [];
  for (const c of cats.filter((c) => !parents.has(c.id))) {
    const parts = c.path.split('/');
    leaves.push({ id: c.id, path: c.path, l1: parts[0], l2: parts[1] ?? parts[0], name: c.name, urgency: (await resolveDefaultUrgency(ctx.db, c.id)) ?? 'normal' });
  }
  if (!leaves.length) throw new AppError('VALIDATION_FAILED', { message: { zh: '没有诉求分类，请先导入分类', en: 'no request categories: import a taxonomy first' } });
  const units = (await ctx.db.selectFrom('units').select(['id', 'code', 'name', 'kind', 'parent_id']).where('active', '=', 1).orderBy('id').execute())
    .map((u) => ({ id: u.id, code: u.code, name: u.name, kind: u.kind, parentId: u.parent_id }));
  const districtUnits = units.filter((u) => u.kind === 'district');
  if (!districtUnits.length) throw new AppError('VALIDATION_FAILED', { message: { zh: '没有区县单位', en: 'no district units: seed the city first' } });
  const dispatch = new Map<string, { leadUnitId: number; coUnitIds: number[] }>();
  for (const l of leaves) {
    for (const d of districtUnits) {
      const r = await resolveDispatch(ctx.db, { categoryId: l.id, districtUnitId: d.id });
      dispatch.set(`${l.id}:${d.id}`, { leadUnitId: r.leadUnitId, coUnitIds: r.coUnitIds });
    }
  }
  const limits = new Map<string, TimeLimits>();
  for (const t of ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise']) {
    for (const u of ['normal', 'urgent', 'emergency', 'complex'] as const) limits.set(`${t}:${u}`, await getTimeLimits(ctx.db, { type: t, urgency: u }));
  }
  const people = async (role: string) => {
    const rows = await ctx.db.selectFrom('users').innerJoin('user_roles', 'user_roles.user_id', 'users.id')
      .select(['users.id', 'users.display_name', 'users.unit_id']).where('user_roles.role', '=', role).where('users.disabled', '=', 0).orderBy('users.id').execute();
    return rows.length ? rows.map((r) => ({ id: r.id as number | null, name: r.display_name, unitId: r.unit_id as number | null })) : [{ id: null, name: '历史数据生成', unitId: null }];
  };
  return {
    tz: ctx.config.timeZone, calendar, channels: channels.map((c) => ({ id: c.id, code: c.code, family: c.family as 'phone' | 'network' })), leaves, units, dispatch, limits,
    agents: await people('hotline_agent'), dispatchers: await people('dispatcher'),
  };
}

/** The samplers and lookups the rows are drawn with, built from the data alone (the same in every thread). */
function refsFrom(data: RefData, endMs: number): Refs {
  const channel = weighted(data.channels.map((c) => [{ id: c.id, family: c.family }, CHANNEL_WEIGHTS[c.code] ?? 0.5] as const));
  const { leaves } = data;
  const perClass = new Map<string, number>();
  for (const l of leaves) perClass.set(l.l1, (perClass.get(l.l1) ?? 0) + 1);
  const leafWeight = (l: Leaf, i: number) => ((CLASS_WEIGHTS[l.l1] ?? 5) / perClass.get(l.l1)!) * (0.6 + 0.8 * (hash32(i, 77) / 4294967296));
  const byMonth = new Map<string, (rng: Rng) => Leaf>();
  const citizenLeaf = (rng: Rng, month: string) => {
    let f = byMonth.get(month);
    if (!f) {
      f = weighted(leaves.map((l, i) => [l, leafWeight(l, i) * (SEASON[l.l2]?.[month] ?? 1)] as const));
      byMonth.set(month, f);
    }
    return f(rng);
  };
  const entLeaves = leaves.filter((l) => ENTERPRISE_CLASSES[l.l1]);
  const enterpriseLeaf = weighted((entLeaves.length ? entLeaves : leaves).map((l) => [l, (ENTERPRISE_CLASSES[l.l1] ?? 1) / perClass.get(l.l1)!] as const));
  const units = new Map(data.units.map((u) => [u.id, u]));
  const districtList = data.units.filter((u) => u.kind === 'district')
    .map((unit, index) => ({ unit, index, streets: data.units.filter((s) => s.kind === 'street' && s.parentId === unit.id) }));
  const district = weighted(districtList.map((d, i) => [d, DISTRICT_WEIGHTS[i] ?? 8] as const));
  return {
    tz: data.tz, endMs, calendar: new WorkingCalendar(data.calendar), channel, citizenLeaf, enterpriseLeaf, district, dispatch: data.dispatch, units,
    departments: data.units.filter((u) => u.kind === 'department'), limits: data.limits, agents: data.agents, dispatchers: data.dispatchers,
  };
}

// —— one request's life, compressed ——

const TYPES_CITIZEN = weighted([['consult', 40], ['help', 18], ['complaint', 25], ['report', 7], ['suggestion', 8], ['praise', 2]] as const);
const TYPES_ENTERPRISE = weighted([['help', 40], ['consult', 30], ['complaint', 15], ['suggestion', 15]] as const);
const DIRECT_SHARE: Record<string, number> = { consult: 0.75, help: 0.1, complaint: 0.03, report: 0.02, suggestion: 0.15, praise: 0.6 };
const H = 3_600_000;

type Tier = 0 | 1 | 2;
/** Resolution strata: utilities fix most things, departments many, district governments (兜底, 物业) the hardest. */
const TIER_RATES = [0.86, 0.75, 0.63];

interface Sketch {
  index: number;
  kind: 'citizen' | 'enterprise';
  channelId: number;
  family: 'phone' | 'network';
  type: string;
  urgency: Urgency;
  leaf: Leaf;
  districtIndex: number;
  districtId: number;
  streetId: number | null;
  acceptedAt: number;
  fate: 'direct' | 'handled' | 'withdrawn' | 'merged';
  status: RequestStatus;
  leadUnitId: number | null;
  coUnitIds: number[];
  /** 退单: the unit that first got the order and sent it back. */
  returnedUnitId: number | null;
  returnedAt: number | null;
  forwardStreetId: number | null;
  firstDispatchAt: number | null;
  dispatchedAt: number | null;
  signDue: number | null;
  signedAt: number | null;
  streetSignedAt: number | null;
  dueAt: number | null;
  replyDue: number | null;
  extensionDays: number;
  repliedAt: number | null;
  reviewedAt: number | null;
  callbackAt: number | null;
  closedAt: number | null;
  isOverdue: boolean;
  answered: boolean;
  unreachable: boolean;
  tier: Tier;
  urges: number;
  supervised: boolean;
  endAt: number;
}

/**
 * Everything about a request except its words and its callback answer. Uses only the row's own
 * stream, so the counting pass and the writing pass see the same request.
 */
function sketchOf(rng: Rng, index: number, date: string, isEnterprise: boolean, refs: Refs, endMs: number): Sketch {
  const { calendar } = refs;
  const ch = refs.channel(rng);
  const type = isEnterprise ? TYPES_ENTERPRISE(rng) : TYPES_CITIZEN(rng);
  const leaf = isEnterprise ? refs.enterpriseLeaf(rng) : refs.citizenLeaf(rng, date.slice(5, 7));
  const d = refs.district(rng);
  const streetId = d.streets.length ? pick(rng, d.streets).id : null;
  const [y, m, dd] = date.split('-').map(Number);
  const hour = HOURS(rng);
  const acceptedAt = zonedTimeToInstant({ year: y, month: m, day: dd, hour, minute: Math.floor(rng() * 60), second: Math.floor(rng() * 60) }, refs.tz).getTime();
  let urgency: Urgency = leaf.urgency;
  if (urgency === 'normal' && rng() < 0.02) urgency = 'complex';
  const s: Sketch = {
    index, kind: isEnterprise ? 'enterprise' : 'citizen', channelId: ch.id, family: ch.family, type, urgency, leaf, districtIndex: d.index, districtId: d.unit.id, streetId,
    acceptedAt, fate: 'handled', status: 'closed', leadUnitId: null, coUnitIds: [], returnedUnitId: null, returnedAt: null, forwardStreetId: null, firstDispatchAt: null,
    dispatchedAt: null, signDue: null, signedAt: null, streetSignedAt: null, dueAt: null, replyDue: null, extensionDays: 0, repliedAt: null, reviewedAt: null,
    callbackAt: null, closedAt: null, isOverdue: false, answered: false, unreachable: false, tier: 1, urges: 0, supervised: false, endAt: acceptedAt,
  };
  const fateRoll = rng();
  const directShare = (DIRECT_SHARE[type] ?? 0) * (isEnterprise ? 0.3 : 1);
  if (fateRoll < directShare) {
    s.fate = 'direct';
    s.closedAt = s.repliedAt = acceptedAt + Math.floor(between(rng, 2, 12) * 60_000);
    s.endAt = s.closedAt;
    if (s.closedAt >= endMs) s.closedAt = s.repliedAt = s.endAt = acceptedAt;
    return s;
  }
  const otherRoll = rng();
  if (otherRoll < 0.006) {
    s.fate = 'withdrawn';
    s.closedAt = Math.min(acceptedAt + Math.floor(between(rng, 0.3, 6) * H), endMs - 1);
    s.status = 'withdrawn';
    s.endAt = s.closedAt;
    return s;
  }
  if (otherRoll < 0.016) {
    s.fate = 'merged';
    s.status = 'merged';
    s.endAt = Math.min(acceptedAt + Math.floor(between(rng, 0.2, 2) * H), endMs - 1);
    return s;
  }

  const route = refs.dispatch.get(`${leaf.id}:${d.unit.id}`)!;
  s.leadUnitId = route.leadUnitId;
  s.coUnitIds = route.coUnitIds;
  const lead = refs.units.get(route.leadUnitId);
  s.tier = lead && UTILITIES.has(lead.code) ? 0 : lead?.kind === 'district' || lead?.kind === 'street' ? 2 : 1;
  const limits = refs.limits.get(`${type}:${urgency}`)!;

  let t = acceptedAt + Math.floor(between(rng, s.family === 'network' ? 0.3 : 0.1, 1.8) * H);
  s.firstDispatchAt = t;
  // 退单: about 3 % went first to a unit that sent them back within its 2 working days.
  if (rng() < 0.03 && refs.departments.length) {
    const wrong = pick(rng, refs.departments);
    if (wrong.id !== route.leadUnitId) {
      s.returnedUnitId = wrong.id;
      s.returnedAt = calendar.addWorkingMillis(new Date(t), between(rng, 1, 14) * H).getTime();
      t = s.returnedAt + Math.floor(between(rng, 0.3, 2) * H);
    }
  }
  s.dispatchedAt = t;
  s.signDue = calendar.deadline(new Date(t), limits.sign.amount, limits.sign.unit).getTime();
  const signedOnTime = rng() < 0.972;
  s.signedAt = signedOnTime ? t + Math.floor((s.signDue - t) * between(rng, 0.05, 0.9)) : s.signDue + Math.floor(between(rng, 0.3, 20) * H);
  if (lead?.kind === 'district' && s.streetId && rng() < 0.45) {
    // 二级派单: the district passes it on to the street office where it happened.
    s.forwardStreetId = s.streetId;
    s.streetSignedAt = s.signedAt + Math.floor(between(rng, 0.2, 3) * H);
  }
  s.dueAt = calendar.deadline(new Date(acceptedAt), limits.reply.amount, limits.reply.unit).getTime();
  s.replyDue = s.dueAt;
  if (limits.reply.unit === 'working-days' && rng() < 0.025) {
    s.extensionDays = 3 + Math.floor(rng() * 8);
    s.replyDue = calendar.addWorkingDays(new Date(s.dueAt), s.extensionDays).getTime();
  }
  const start = s.streetSignedAt ?? s.signedAt;
  const lateRoll = rng();
  if (lateRoll < 0.0025) {
    // 疑难: never answered in the half-year, still open and overdue.
    s.repliedAt = null;
  } else if (lateRoll < 0.037 || start >= s.replyDue) {
    s.repliedAt = calendar.addWorkingMillis(new Date(Math.max(s.replyDue, start)), between(rng, 1, 24) * H).getTime();
  } else {
    const span = calendar.workingMillisBetween(new Date(start), new Date(s.replyDue));
    s.repliedAt = span > 0 ? calendar.addWorkingMillis(new Date(start), span * between(rng, 0.08, 0.95)).getTime() : start + Math.floor((s.replyDue - start) * between(rng, 0.1, 0.9));
  }
  if (s.repliedAt !== null) {
    s.reviewedAt = calendar.addWorkingMillis(new Date(s.repliedAt), between(rng, 0.3, 5) * H).getTime();
    s.callbackAt = calendar.addWorkingMillis(new Date(s.reviewedAt), between(rng, 2, 9) * H).getTime();
    s.closedAt = calendar.addWorkingMillis(new Date(s.callbackAt), between(rng, 0.2, 3) * H).getTime();
    s.unreachable = rng() < 0.09;
    s.answered = !s.unreachable;
  }
  s.urges = rng() < 0.04 ? 1 + Math.floor(rng() * 2) : 0;
  s.supervised = rng() < 0.006;

  // The half-year ends: whatever happens later is not in this history yet.
  const cut = (x: number | null) => (x !== null && x < endMs ? x : null);
  if (s.returnedAt !== null && s.returnedAt >= endMs) {
    s.returnedAt = null;
    s.dispatchedAt = s.firstDispatchAt;
    s.leadUnitId = s.returnedUnitId;
    s.returnedUnitId = null;
    s.coUnitIds = [];
    s.forwardStreetId = null;
    s.signDue = calendar.deadline(new Date(s.dispatchedAt), limits.sign.amount, limits.sign.unit).getTime();
    s.signedAt = s.streetSignedAt = s.repliedAt = s.reviewedAt = s.callbackAt = s.closedAt = null;
  }
  s.closedAt = cut(s.closedAt);
  s.callbackAt = cut(s.callbackAt);
  s.reviewedAt = cut(s.reviewedAt);
  s.repliedAt = cut(s.repliedAt);
  s.streetSignedAt = cut(s.streetSignedAt);
  s.signedAt = cut(s.signedAt);
  if (s.signedAt === null) s.forwardStreetId = null;
  s.dispatchedAt = cut(s.dispatchedAt);
  if (s.dispatchedAt === null) {
    s.leadUnitId = null;
    s.coUnitIds = [];
    s.signDue = s.dueAt = s.replyDue = null;
    s.extensionDays = 0;
    s.firstDispatchAt = null;
  }
  if (s.callbackAt === null) s.answered = s.unreachable = false;
  s.status = s.closedAt !== null ? 'closed' : s.callbackAt !== null ? 'visited' : s.reviewedAt !== null ? 'callback' : s.repliedAt !== null ? 'replied'
    : s.signedAt !== null ? (s.forwardStreetId !== null && s.streetSignedAt === null ? 'dispatched' : 'handling') : s.dispatchedAt !== null ? 'dispatched' : 'accepted';
  s.isOverdue = s.replyDue !== null && (s.repliedAt !== null ? s.repliedAt > s.replyDue : s.replyDue < endMs);
  s.endAt = Math.max(...[acceptedAt, s.dispatchedAt, s.signedAt, s.streetSignedAt, s.repliedAt, s.reviewedAt, s.callbackAt, s.closedAt].filter((x): x is number => x !== null));
  return s;
}

// —— words ——

const SURNAMES = [...P.SURNAMES];

function personName(rng: Rng): string {
  return pick(rng, SURNAMES) + pick(rng, P.GIVEN);
}

function phoneNumber(rng: Rng): string {
  const prefix = pick(rng, ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '173', '176', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199']);
  return prefix + String(Math.floor(rng() * 1e8)).padStart(8, '0');
}

const CREDIT_BODY = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid 统一社会信用代码: 91 (enterprise), a 370200-style area code, 9 characters, the check character. */
export function makeCreditCode(rng: Rng, districtIndex: number): string {
  let body = `913702${String(districtIndex + 1).padStart(2, '0')}`;
  while (body.length < 17) body += CREDIT_BODY[Math.floor(rng() * CREDIT_BODY.length)];
  return body + creditCodeCheckChar(body)!;
}

interface Words { title: string; content: string; address: string; lat: number; lng: number; enterpriseName: string | null; creditCode: string | null }

function wordsOf(rng: Rng, s: Sketch, refs: Refs): Words {
  const district = refs.units.get(s.districtId)!.name.replace(/人民政府$/, '');
  const street = s.streetId ? refs.units.get(s.streetId)!.name.replace(/(办事处|人民政府)$/, '') : '';
  const road = pick(rng, P.ROADS);
  const compound = pick(rng, P.COMPOUND_HEADS) + pick(rng, P.COMPOUND_TAILS);
  const roll = rng();
  const address = roll < 0.6 ? `${road}${1 + Math.floor(rng() * 300)}号${compound}${1 + Math.floor(rng() * 30)}栋` : roll < 0.85 ? `${road}${pick(rng, P.LANDMARKS)}` : `${road}与${pick(rng, P.ROADS)}交叉口`;
  const lat = 36.07 + (s.districtIndex % 5) * 0.035 - 0.07 + between(rng, -0.02, 0.02);
  const lng = 120.38 + Math.floor(s.districtIndex / 5) * 0.06 - 0.03 + between(rng, -0.025, 0.025);
  if (s.kind === 'enterprise') {
    const name = `青川市${pick(rng, P.ENTERPRISE_WORDS)}${pick(rng, P.ENTERPRISE_TRADES)}有限公司`;
    const [object, problem] = pick(rng, P.ENTERPRISE_ISSUES);
    return {
      title: `${object}${problem}`,
      content: `${name}反映：我公司位于${district}${street}${road}，${object}${problem}，${pick(rng, P.DURATIONS)}，影响企业正常经营，${pick(rng, P.ASKS)}。`,
      address: `${road}${1 + Math.floor(rng() * 500)}号`, lat, lng, enterpriseName: name, creditCode: makeCreditCode(rng, s.districtIndex),
    };
  }
  const [object, problem] = pick(rng, P.PROBLEMS[s.leaf.name] ?? P.PROBLEMS[s.leaf.l2] ?? P.GENERIC_PROBLEMS);
  const place = roll < 0.6 ? compound : road;
  const attempt = pick(rng, P.ATTEMPTS);
  const opener = s.type === 'consult' ? pick(rng, ['市民咨询：', '来电人咨询：']) : pick(rng, P.OPENERS.slice(0, 6));
  const body = s.type === 'consult'
    ? `${district}${street}居民，想了解${object}${problem.replace(/^(咨询|办理)/, '')}的相关规定和办理方式，${pick(rng, ['请相关部门予以解答', '希望得到明确答复', '请告知具体流程'])}。`
    : s.type === 'praise'
      ? `${district}${street}${place}居民，对${object}问题处理及时的工作人员表示感谢，希望予以表扬。`
      : `${district}${street}${address}${object}${problem}，${pick(rng, P.DURATIONS)}${attempt ? `，${attempt}` : ''}，${pick(rng, P.ASKS)}。`;
  const title = s.type === 'praise' ? `表扬${street || district}工作人员` : `${s.type === 'consult' ? '' : place}${object}${problem}`;
  return { title, content: opener + body, address, lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6, enterpriseName: null, creditCode: null };
}

// —— rows ——

const DAY_MS = 86_400_000;
const ZERO = 48;
const YEAR_10000 = 253_402_300_800_000;
// The character codes of 'YYYY-MM-DDT' per UTC day (a half-year is a few hundred days).
const isoDays = new Map<number, number[]>();

/**
 * `new Date(ms).toISOString()`, for the ~20 timestamps of every generated row: toISOString was a quarter
 * of the row building's time (at L, 60 million calls). Built from character codes in one call, so the
 * string is flat (a concatenation would be a rope that the SQLite binding copies again); the date part
 * comes from a per-day cache. Whatever is not a whole millisecond of 1970–9999 goes through Date.
 */
function iso(ms: number | null): string | null {
  if (ms === null) return null;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= YEAR_10000) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let d = isoDays.get(day);
  if (d === undefined) {
    if (isoDays.size >= 10_000) isoDays.clear();
    d = Array.from(new Date(day * DAY_MS).toISOString().slice(0, 11), (c) => c.charCodeAt(0));
    isoDays.set(day, d);
  }
  const t = ms - day * DAY_MS;
  const s = Math.floor(t / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const sec = s % 60;
  const milli = t % 1000;
  return String.fromCharCode(
    d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10],
    ZERO + Math.floor(h / 10), ZERO + (h % 10), 58, ZERO + Math.floor(m / 10), ZERO + (m % 10), 58, ZERO + Math.floor(sec / 10), ZERO + (sec % 10),
    46, ZERO + Math.floor(milli / 100), ZERO + (Math.floor(milli / 10) % 10), ZERO + (milli % 10), 90,
  );
}

function satisfactionOf(rng: Rng, resolved: boolean): Satisfaction {
  const x = rng();
  return resolved ? (x < 0.8 ? 'satisfied' : x < 0.96 ? 'basic' : 'dissatisfied') : x < 0.25 ? 'satisfied' : x < 0.6 ? 'basic' : 'dissatisfied';
}

interface Built { request: RequestRow; orders: OrderRow[]; events: EventRow[] }

function buildRows(rng: Rng, s: Sketch, w: Words, resolved: boolean | null, ids: { request: number; nextOrder: () => number }, number: string, mergedInto: { id: number; number: string } | null, refs: Refs): Built {
  const agent = refs.agents[s.index % refs.agents.length];
  const dispatcher = refs.dispatchers[s.index % refs.dispatchers.length];
  const localDate = toLocalDate(new Date(s.acceptedAt), refs.tz);
  const direct = s.fate === 'direct';
  const anonymous = rng() < 0.04;
  const confidential = rng() < 0.015;
  const hasPhone = s.family === 'phone' || rng() < 0.7;
  const satisfaction = s.answered ? satisfactionOf(rng, !!resolved) : null;
  const redo = s.answered && satisfaction === 'dissatisfied' && rng() < 0.25 ? 1 : 0;
  const replyResult = s.repliedAt === null ? null : direct ? 'resolved' as const : rng() < 0.78 ? 'resolved' as const : rng() < 0.6 ? 'partly' as const : 'unresolved' as const;
  const steps = [s.dispatchedAt, s.signedAt, s.repliedAt, s.reviewedAt, s.callbackAt, s.closedAt].filter((x) => x !== null).length;
  const handlingUnit = s.status === 'accepted' || s.fate !== 'handled' ? null : (s.forwardStreetId ?? s.leadUnitId);
  const request: RequestRow = {
    id: ids.request, number, kind: s.kind, channel_id: s.channelId, type: s.type, urgency: s.urgency, title: w.title, content: w.content, category_id: s.leaf.id,
    district_unit_id: s.districtId, street_unit_id: s.streetId, address: w.address, lat: w.lat, lng: w.lng,
    requester_name: anonymous ? null : personName(rng), requester_phone: hasPhone ? phoneNumber(rng) : null, is_anonymous: anonymous ? 1 : 0, is_confidential: confidential ? 1 : 0,
    enterprise_name: w.enterpriseName, enterprise_credit_code: w.creditCode, status: s.status,
    version: 1 + steps + (s.returnedAt !== null ? 2 : 0) + (s.extensionDays ? 2 : 0) + (s.forwardStreetId !== null ? 1 : 0) + s.urges + (s.supervised ? 1 : 0) + (s.fate === 'withdrawn' || s.fate === 'merged' ? 1 : 0),
    accepted_at: iso(s.acceptedAt)!, accepted_by: agent.id, local_date: localDate, local_month: localDate.slice(0, 7),
    lead_unit_id: s.leadUnitId, handling_unit_id: handlingUnit, dispatched_at: iso(s.dispatchedAt), sign_due_at: iso(s.signDue), signed_at: iso(s.signedAt),
    reply_due_at: iso(s.replyDue), due_at: iso(s.replyDue ?? s.dueAt), replied_at: iso(s.repliedAt), reply_result: replyResult,
    reply_text: s.repliedAt === null ? null : direct ? pick(rng, P.DIRECT_ANSWERS) : pick(rng, P.REPLIES[replyResult!]),
    reviewed_at: iso(s.reviewedAt), callback_at: iso(s.callbackAt), callback_attempts: s.callbackAt === null ? 0 : s.unreachable ? 3 : 1,
    callback_resolved: s.answered ? (resolved ? 1 : 0) : null, callback_satisfaction: satisfaction, callback_unreachable: s.unreachable ? 1 : 0,
    closed_at: iso(s.closedAt), closed_on_time: direct ? 1 : s.repliedAt === null ? null : s.repliedAt <= s.replyDue! ? 1 : 0, is_direct: direct ? 1 : 0,
    sign_overdue: s.signDue !== null && (s.signedAt !== null ? s.signedAt > s.signDue : s.signDue < refs.endMs) ? 1 : 0, is_overdue: s.isOverdue ? 1 : 0,
    extension_pending: 0, extension_requested_at: s.extensionDays && s.dueAt !== null ? iso(s.dueAt - 30 * H) : null, extension_days: s.extensionDays || null,
    extension_reason: s.extensionDays ? '需协调多个部门现场会商，申请延期办理' : null, extension_days_granted: s.extensionDays,
    return_count: s.returnedAt !== null ? 1 : 0, redo_count: redo, urge_count: s.urges, is_supervised: s.supervised ? 1 : 0,
    merged_into_id: mergedInto?.id ?? null, source: 'generated', source_ref: null, created_at: iso(s.acceptedAt)!, updated_at: iso(s.endAt)!,
  };
  const orders: OrderRow[] = [];
  const events: EventRow[] = [];
  const event = (action: string, from: RequestStatus | null, to: RequestStatus, at: number, who: { id: number | null; name: string; unitId: number | null }, payload: Record<string, unknown> | null) =>
    events.push({ entity: 'request', entity_id: ids.request, action, from_state: from, to_state: to, actor_id: who.id, actor_name: who.name, unit_id: who.unitId, at: iso(at)!, payload: payload ? JSON.stringify(payload) : null });
  event(direct ? 'answer' : 'accept', null, direct ? 'closed' : 'accepted', s.acceptedAt, agent, { number });

  if (s.returnedUnitId !== null && s.firstDispatchAt !== null && s.returnedAt !== null) {
    const d = s.firstDispatchAt;
    orders.push({
      id: ids.nextOrder(), request_id: ids.request, unit_id: s.returnedUnitId, role: 'lead', parent_order_id: null, status: 'returned', dispatched_at: iso(d)!,
      dispatched_by: dispatcher.id, sign_due_at: iso(refs.calendar.addWorkingHours(new Date(d), 2).getTime()), signed_at: null, signed_on_time: null,
      returned_at: iso(s.returnedAt), return_reason: '经核实，该事项不属于本单位职责范围', replied_at: null, local_date: toLocalDate(new Date(d), refs.tz),
    });
  }
  if (s.dispatchedAt !== null && s.leadUnitId !== null) {
    const orderDate = toLocalDate(new Date(s.dispatchedAt), refs.tz);
    const leadId = ids.nextOrder();
    const leadStatus = s.forwardStreetId !== null ? 'signed' : s.repliedAt !== null ? 'replied' : s.signedAt !== null ? 'signed' : 'dispatched';
    orders.push({
      id: leadId, request_id: ids.request, unit_id: s.leadUnitId, role: 'lead', parent_order_id: null, status: leadStatus, dispatched_at: iso(s.dispatchedAt)!,
      dispatched_by: dispatcher.id, sign_due_at: iso(s.signDue), signed_at: iso(s.signedAt), signed_on_time: s.signedAt === null ? null : s.signedAt <= s.signDue! ? 1 : 0,
      returned_at: null, return_reason: null, replied_at: s.forwardStreetId === null ? iso(s.repliedAt) : null, local_date: orderDate,
    });
    for (const co of s.coUnitIds) {
      orders.push({
        id: ids.nextOrder(), request_id: ids.request, unit_id: co, role: 'co', parent_order_id: null, status: s.signedAt !== null ? 'signed' : 'dispatched',
        dispatched_at: iso(s.dispatchedAt)!, dispatched_by: dispatcher.id, sign_due_at: iso(s.signDue), signed_at: iso(s.signedAt), signed_on_time: s.signedAt === null ? null : 1,
        returned_at: null, return_reason: null, replied_at: null, local_date: orderDate,
      });
    }
    if (s.forwardStreetId !== null && s.signedAt !== null) {
      orders.push({
        id: ids.nextOrder(), request_id: ids.request, unit_id: s.forwardStreetId, role: 'forward', parent_order_id: leadId,
        status: s.repliedAt !== null ? 'replied' : s.streetSignedAt !== null ? 'signed' : 'dispatched', dispatched_at: iso(s.signedAt)!, dispatched_by: null,
        sign_due_at: iso(refs.calendar.addWorkingHours(new Date(s.signedAt), 2).getTime()), signed_at: iso(s.streetSignedAt),
        signed_on_time: s.streetSignedAt === null ? null : 1, returned_at: null, return_reason: null, replied_at: iso(s.repliedAt), local_date: toLocalDate(new Date(s.signedAt), refs.tz),
      });
    }
    const lead = refs.units.get(s.leadUnitId);
    // Compressed history: accept, then the last key step — the close for a closed request, else the dispatch.
    if (s.closedAt === null) event('dispatch', s.returnedAt !== null ? 'returned' : 'accepted', 'dispatched', s.dispatchedAt, dispatcher, { leadUnitId: s.leadUnitId, leadUnitName: lead?.name, coUnitIds: s.coUnitIds });
  }
  if (s.fate === 'withdrawn') event('withdraw', 'accepted', 'withdrawn', s.closedAt!, agent, { reason: '来电人表示问题已自行解决，申请撤销' });
  if (s.fate === 'merged' && mergedInto) event('merge', 'accepted', 'merged', s.endAt, dispatcher, { targetId: mergedInto.id, targetNumber: mergedInto.number });
  if (s.fate === 'handled' && s.closedAt !== null) event('close', 'visited', 'closed', s.closedAt, dispatcher, null);
  return { request, orders, events };
}

// —— the run ——

/** Selection sampling (Knuth's algorithm S): picks exactly `want` of `of` items met one by one. */
class ExactPicker {
  private seen = 0;
  private picked = 0;
  constructor(private readonly want: number, private readonly of: number) {}
  next(rng: Rng): boolean {
    const left = this.of - this.seen;
    const need = this.want - this.picked;
    this.seen++;
    const yes = left > 0 && need > 0 && rng() * left < need;
    if (yes) this.picked++;
    return yes;
  }
}

/** Rows per transaction, at least: small days are gathered, a commit has a fixed cost. */
const BATCH_ROWS = 10_000;
// Rows built between turns of the event loop when the writer's thread builds them (its write goes on meanwhile).
const YIELD_EVERY = 1_000;
// Batches built and not yet written, at most.
const WRITES_AHEAD = 2;
/** Below this many requests, starting threads costs more than it saves. */
const PARALLEL_FROM = 200_000;

// A row's answered callback, as the counting pass decided it: dropped (to unreachable), or resolved.
const PICK_DROPPED = 1;
const PICK_RESOLVED = 2;
// The counting pass's own random stream (row streams are numbered by row index, far below).
const PICK_STREAM = 4_000_000_000;
const ENTERPRISE_STRATUM = 4;

export function scaledCounts(profile: GenerateProfile, opts: { scale?: number; requests?: number }): { total: number; enterprise: number } {
  const total = opts.requests ?? Math.round(profile.total * (opts.scale ?? 1));
  if (!Number.isInteger(total) || total < 1) throw new AppError('VALIDATION_FAILED', { message: { zh: '生成数量必须为正整数', en: 'the number of requests must be a positive integer' } });
  return { total, enterprise: Math.min(total, Math.round((profile.enterprise * total) / profile.total)) };
}

/** What every thread that builds rows of a run shares. */
export interface GenerateRun {
  seed: number;
  total: number;
  enterprise: number;
  /** The end of the generated period. */
  endMs: number;
  refs: RefData;
}

/** A batch to build: whole days, each with its first row index and its day counter before the batch, and the picks of the batch's rows. */
export interface BatchSpec {
  days: Array<{ date: string; count: number; first: number; seq: number }>;
  firstRequestId: number;
  /** PICK_* per row of the batch, in row order. */
  picks: Uint8Array;
}

const isEnterpriseRow = (run: GenerateRun, i: number) => Math.floor(((i + 1) * run.enterprise) / run.total) > Math.floor((i * run.enterprise) / run.total);
const rowRng = (run: GenerateRun, i: number) => createRng(hash32(run.seed, i));

/**
 * The counting pass: how many callbacks are answered, per kind and stratum; then which of them are
 * dropped (to unreachable, where the count allows no exact ratio) and which resolved, so that the
 * report's rates come out exactly (selection sampling over the rows in order, on a stream of its own).
 */
function pickCallbacks(run: GenerateRun, profile: GenerateProfile, refs: Refs, days: Array<{ date: string; count: number }>): { picks: Uint8Array; callbacks: GenerateResult['callbacks'] } {
  // Per row: 0 when its callback is not answered, else 1 + its tier, or ENTERPRISE_STRATUM.
  const strata = new Uint8Array(run.total);
  const answered = { enterprise: 0, tiers: [0, 0, 0] };
  let i = 0;
  for (const day of days) {
    for (let k = 0; k < day.count; k++, i++) {
      const s = sketchOf(rowRng(run, i), i, day.date, isEnterpriseRow(run, i), refs, run.endMs);
      if (!s.answered) continue;
      if (s.kind === 'enterprise') answered.enterprise++;
      else answered.tiers[s.tier]++;
      strata[i] = s.kind === 'enterprise' ? ENTERPRISE_STRATUM : 1 + s.tier;
    }
  }
  // The report's rates, exactly: drop a few answered callbacks (to unreachable) where the count allows no exact ratio.
  const entAnswered = exactDenominator(profile.enterpriseResolution, answered.enterprise);
  const entResolved = Math.round(profile.enterpriseResolution * entAnswered);
  const citizenAnswered = answered.tiers[0] + answered.tiers[1] + answered.tiers[2];
  const allAnswered = exactDenominator(profile.resolution, entAnswered + citizenAnswered);
  const allResolved = Math.round(profile.resolution * (entAnswered + citizenAnswered - Math.min(answered.tiers[2], entAnswered + citizenAnswered - allAnswered)));
  const dropFromHard = Math.min(answered.tiers[2], entAnswered + citizenAnswered - allAnswered);
  const tierCounts = [answered.tiers[0], answered.tiers[1], answered.tiers[2] - dropFromHard];
  const citizenResolved = allResolved - entResolved;
  const naive = tierCounts.reduce((a, c, t) => a + c * TIER_RATES[t], 0);
  const f = naive > 0 ? citizenResolved / naive : 1;
  const tierResolved = [0, 1].map((t) => Math.min(tierCounts[t], Math.round(tierCounts[t] * Math.min(1, TIER_RATES[t] * f))));
  tierResolved.push(Math.max(0, Math.min(tierCounts[2], citizenResolved - tierResolved[0] - tierResolved[1])));
  const entKeep = new ExactPicker(entAnswered, answered.enterprise);
  const hardKeep = new ExactPicker(tierCounts[2], answered.tiers[2]);
  const entPick = new ExactPicker(entResolved, entAnswered);
  const tierPick = tierCounts.map((c, t) => new ExactPicker(tierResolved[t], c));

  const rng = createRng(hash32(run.seed, PICK_STREAM));
  const picks = new Uint8Array(run.total);
  const callbacks = { answered: 0, resolved: 0, enterpriseAnswered: 0, enterpriseResolved: 0 };
  for (let r = 0; r < run.total; r++) {
    const stratum = strata[r];
    if (!stratum) continue;
    const enterprise = stratum === ENTERPRISE_STRATUM;
    const tier = stratum - 1;
    const keep = enterprise ? entKeep.next(rng) : tier === 2 ? hardKeep.next(rng) : true;
    if (!keep) {
      picks[r] = PICK_DROPPED;
      continue;
    }
    const resolved = enterprise ? entPick.next(rng) : tierPick[tier].next(rng);
    if (resolved) picks[r] = PICK_RESOLVED;
    callbacks.answered++;
    if (resolved) callbacks.resolved++;
    if (enterprise) {
      callbacks.enterpriseAnswered++;
      if (resolved) callbacks.enterpriseResolved++;
    }
  }
  return { picks, callbacks };
}

/** The run's batches: whole days, at least BATCH_ROWS rows each (but the last), ids and day numbers following on. */
function batchSpecs(days: Array<{ date: string; count: number }>, picks: Uint8Array, firstRequestId: number, counters: Map<string, number>): BatchSpec[] {
  const specs: BatchSpec[] = [];
  let open: BatchSpec['days'] = [];
  let first = 0;
  let batchFirst = 0;
  const close = () => {
    if (open.length) specs.push({ days: open, firstRequestId: firstRequestId + batchFirst, picks: picks.slice(batchFirst, first) });
    open = [];
    batchFirst = first;
  };
  for (const day of days) {
    open.push({ date: day.date, count: day.count, first, seq: counters.get(day.date) ?? 0 });
    first += day.count;
    if (first - batchFirst >= BATCH_ROWS) close();
  }
  close();
  return specs;
}

/**
 * Builds the batches of a run: requests with their orders and timeline events, numbered in acceptance
 * order within each day, merged duplicates pointing at their targets. Each row draws from its own stream,
 * so any thread builds the same batch. Order ids are the batch's own, from 0: the writer adds the first
 * free id (batches are written in order, so the ids are those one thread would have given). `pause`, when
 * given, is awaited every YIELD_EVERY rows.
 */
export function batchBuilder(run: GenerateRun): (spec: BatchSpec, pause?: () => Promise<void>) => Promise<RequestBatch> {
  const refs = refsFrom(run.refs, run.endMs);
  return async (spec, pause) => {
    const batch: RequestBatch = { requests: [], orders: [], events: [], counters: [] };
    let nextRequestId = spec.firstRequestId;
    let nextOrderId = 0;
    const ids = { request: 0, nextOrder: () => nextOrderId++ };
    const base = spec.days[0]?.first ?? 0;
    for (const day of spec.days) {
      const drafts: Array<{ s: Sketch; rng: Rng; resolved: boolean | null }> = [];
      for (let i = day.first; i < day.first + day.count; i++) {
        if (pause && i % YIELD_EVERY === 0) await pause();
        const rng = rowRng(run, i);
        const s = sketchOf(rng, i, day.date, isEnterpriseRow(run, i), refs, run.endMs);
        let resolved: boolean | null = null;
        if (s.answered) {
          const pick = spec.picks[i - base];
          if (pick & PICK_DROPPED) {
            s.answered = false;
            s.unreachable = true;
          } else resolved = (pick & PICK_RESOLVED) !== 0;
        }
        drafts.push({ s, rng, resolved });
      }
      // Numbers follow acceptance time within the day, gap-free from the day's counter.
      drafts.sort((a, b) => a.s.acceptedAt - b.s.acceptedAt || a.s.index - b.s.index);
      let seq = day.seq;
      const numbered = drafts.map((d) => ({ ...d, id: nextRequestId++, number: formatRequestNumber(day.date, ++seq) }));
      if (day.count) batch.counters.push({ day: day.date, last_seq: seq });
      const targets = numbered.filter((d) => d.s.fate !== 'merged' && d.s.fate !== 'withdrawn');
      let t = 0;
      for (const d of numbered) {
        while (t + 1 < targets.length && targets[t + 1].s.acceptedAt <= d.s.acceptedAt) t++;
        const target = d.s.fate === 'merged' ? (targets[t] ?? null) : null;
        if (d.s.fate === 'merged' && !target) {
          // Nothing to merge into on this day: it stays a plain withdrawn duplicate.
          d.s.fate = 'withdrawn';
          d.s.status = 'withdrawn';
          d.s.closedAt = d.s.endAt;
        }
        const words = wordsOf(d.rng, d.s, refs);
        ids.request = d.id;
        const built = buildRows(d.rng, d.s, words, d.resolved, ids, d.number, target && { id: target.id, number: target.number }, refs);
        batch.requests.push(built.request);
        for (const o of built.orders) batch.orders.push(o);
        for (const e of built.events) batch.events.push(e);
      }
    }
    return batch;
  };
}

/** A built batch and its search documents. */
interface BuiltBatch {
  batch: RequestBatch;
  docs: SearchDocument[];
}

/**
 * Threads that build batches, with their KPI rollup and search documents (requests.generate.worker.ts),
 * `n` of them taking batches in turn; null when they cannot start (the writer's thread builds then).
 */
async function startBuilders(n: number, run: GenerateRun, words: UserWord[]): Promise<{ build(spec: BatchSpec, k: number): Promise<BuiltBatch>; close(): Promise<void> } | null> {
  if (n < 1) return null;
  const threads = Array.from({ length: n }, () => startThread<{ spec: BatchSpec }, BuiltBatch>(import.meta.url, 'requests.generate.worker', { run, words }));
  const close = async () => void (await Promise.all(threads.map((t) => t.terminate())));
  try {
    await Promise.all(threads.map((t) => t.ready));
  } catch {
    await close();
    return null;
  }
  return { build: (spec, k) => threads[k % n].send({ spec }), close };
}

/** Generates the profile's history into the context's database (requests, orders, timeline, rollup, counters, search index). */
export async function generateRequests(ctx: AppContext, opts: GenerateOptions): Promise<GenerateResult> {
  const started = Date.now();
  const profile = GENERATE_PROFILES[opts.profile];
  if (!profile) throw new AppError('VALIDATION_FAILED', { message: { zh: `没有这个生成方案：${opts.profile}`, en: `no such profile: ${opts.profile} (known: ${Object.keys(GENERATE_PROFILES).join(', ')})` } });
  const seed = (opts.seed ?? 20240101) >>> 0;
  const { total, enterprise } = scaledCounts(profile, opts);
  const existing = await ctx.db.selectFrom('requests').select('id').where('local_date', '>=', profile.from).where('local_date', '<=', profile.to).limit(1).executeTakeFirst();
  if (existing) {
    throw new AppError('CONFLICT', { message: { zh: `数据库中已有 ${profile.from} 至 ${profile.to} 的诉求，请使用空数据库`, en: `the database already holds requests from ${profile.from} to ${profile.to}; generate into an empty one` } });
  }
  const refData = await readRefData(ctx);
  const endMs = zonedTimeToInstant({ ...ymd(addDaysToDate(profile.to, 1)) }, refData.tz).getTime();
  const run: GenerateRun = { seed, total, enterprise, endMs, refs: refData };
  // The threads take a second or two to load jieba: started now, they are ready by the first batch.
  const threads = opts.threads ?? (total >= PARALLEL_FROM ? segmentationThreads() : 0);
  const builders = startBuilders(threads, run, await loadCityWords(ctx.db));
  const refs = refsFrom(refData, endMs);
  const days = planDays(profile, total, refs.calendar, seed);
  const { picks, callbacks } = pickCallbacks(run, profile, refs, days);

  // Pass 2: build and write, one transaction per batch of days.
  const restoreIndexes = await beginBulkWrite(ctx.database);
  const firstIds = await reserveIds(ctx.db);
  const counters = new Map((await ctx.db.selectFrom('request_counters').select(['day', 'last_seq']).where('day', '>=', profile.from).where('day', '<=', profile.to).execute()).map((c) => [c.day, c.last_seq]));
  const specs = batchSpecs(days, picks, firstIds.requestId, counters);
  const pool = await builders;
  const search = searchIndexHook(ctx);
  const buildHere = pool ? null : batchBuilder(run);
  let nextOrderId = firstIds.orderId;
  let done = 0;
  // Pipelined: batches are built (on the builder threads, or here between the writes' statements) while
  // the ones before are written; written one at a time, each in its own transaction, in order, at most
  // WRITES_AHEAD behind the building.
  let builtHere: Promise<unknown> = Promise.resolve();
  const writes: Promise<void>[] = [];
  try {
    for (const [k, spec] of specs.entries()) {
      const built = pool ? pool.build(spec, k) : builtHere.then(async () => {
        const batch = await buildHere!(spec, () => new Promise(setImmediate));
        return { batch, docs: await search.prepare(batch.requests) };
      });
      builtHere = built;
      // Unhandled until awaited: a failure surfaces when its batch is written.
      built.catch(() => {});
      const write = (writes[writes.length - 1] ?? Promise.resolve()).then(async () => {
        const { batch, docs } = await built;
        for (const o of batch.orders) {
          o.id += nextOrderId;
          if (o.parent_order_id !== null) o.parent_order_id += nextOrderId;
        }
        nextOrderId += batch.orders.length;
        await writeRequestBatch(ctx.database, batch, [search], [docs]);
        done += batch.requests.length;
        opts.onProgress?.(done, total);
      });
      write.catch(() => {});
      writes.push(write);
      if (writes.length > WRITES_AHEAD) await writes.shift();
    }
    while (writes.length) await writes.shift();
  } finally {
    // A failed batch stops the loop (and the writes after it): the writes settle before the indexes are rebuilt.
    await Promise.allSettled(writes);
    await pool?.close();
    await restoreIndexes();
  }
  await finishBulkWrite(ctx.database);
  const seconds = (Date.now() - started) / 1000;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute((trx) => recordAudit(trx, ctx.dialect, now, {
    actor: systemActor('generate'), action: 'requests.generate', entity: 'request',
    note: { profile: opts.profile, seed, requests: total, enterprise, from: profile.from, to: profile.to, seconds: Math.round(seconds) },
  }));
  return { profile: opts.profile, requests: total, enterprise, days: days.length, callbacks, seconds };
}

function ymd(date: string) {
  const [year, month, day] = date.split('-').map(Number);
  return { year, month, day };
}
