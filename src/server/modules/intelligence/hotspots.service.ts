import { sql } from 'kysely';
import type { AppContext } from '../../context';
import { addDaysToDate, formatInstantWithOffset, toLocalDate, weekdayOfDate } from '../../core/calendar';
import type { Tx } from '../../core/db/database';
import { fieldError } from '../../core/http/errors';
import { getSegmenter, unitNameWords } from '../../core/search';
import { indexNewRequests } from './analysis.index';
import { publicTerms, redactText, streetLevelPlace } from './analysis.privacy';
import { BASELINE_DAYS, HOTSPOT_METHOD, MIN_COUNT, MIN_RATIO, seriesAlpha, testSpike, type Granularity, type SpikeTest } from './hotspots.stats';

/**
 * 热点 Hotspots: daily and weekly counts per category × district and per keyword cluster, each tested against its
 * own trailing 28-day baseline (hotspots.stats.ts states the test). Counts are of requests accepted, merged
 * duplicates included: fifty calls about one burst water main are the signal, even after they are merged into one.
 */

export const MAX_RANGE_DAYS = 92;
const MAX_HOTSPOTS = 50;
const SAMPLE_REQUESTS = 10;
/** A word in more than this share of a baseline's requests (小区, 物业 in a busy city) describes everything, not a hotspot. */
const GENERIC_TERM_SHARE = 0.2;
/** Roads and estates say where, not what: the category × district cells cover where. */
const PLACE_WORD = /(路|街|大道|巷|弄|小区|花园|家园|新村|公寓|大厦|苑|广场)$/;
/** Spiking words whose requests overlap this much (of the smaller set) are one cluster. */
const CLUSTER_OVERLAP = 0.5;

export interface HotspotRequest {
  id: number;
  number: string;
  title: string | null;
  snippet: string;
  acceptedAt: string;
  place: string | null;
}

export interface Hotspot {
  kind: 'category-district' | 'keyword';
  granularity: Granularity;
  start: string;
  end: string;
  key: string;
  label: string;
  categoryId: number | null;
  categoryPath: string | null;
  districtId: number | null;
  districtName: string | null;
  keywords: string[];
  count: number;
  expected: number;
  variance: number;
  model: SpikeTest['model'];
  pValue: number;
  ratio: number;
  /** The p-value a hotspot of its period had to be below (FAMILY_ALPHA ÷ series tested). */
  threshold: number;
  /** The baseline days and the series' share of all requests in them (what `expected` scales). */
  baseline: { from: string; to: string; share: number };
  requests: HotspotRequest[];
}

export interface HotspotList {
  from: string;
  to: string;
  method: typeof HOTSPOT_METHOD;
  hotspots: Hotspot[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Hotspots of the days and whole weeks (Monday–Sunday) from `from` to `to` (local dates, at most 92 days). The
 * counts are the city's; a caller limited to some units (`units`, from visibleUnitIds) sees sample requests of
 * those units only.
 */
export async function findHotspots(ctx: AppContext, q: { from?: string; to?: string }, db: Tx = ctx.db, units: number[] | null = null): Promise<HotspotList> {
  const today = toLocalDate(ctx.clock.now(), ctx.config.timeZone);
  const to = q.to ?? today;
  const from = q.from ?? addDaysToDate(to, -6);
  if (!DATE.test(from)) throw fieldError('from', { zh: '日期格式应为 YYYY-MM-DD', en: 'must be a date YYYY-MM-DD' });
  if (!DATE.test(to)) throw fieldError('to', { zh: '日期格式应为 YYYY-MM-DD', en: 'must be a date YYYY-MM-DD' });
  if (from > to) throw fieldError('to', { zh: '结束日期不能早于开始日期', en: 'must not be before from' });
  const days = dateRange(from, to);
  if (days.length > MAX_RANGE_DAYS) throw fieldError('to', { zh: `时间范围不能超过 ${MAX_RANGE_DAYS} 天`, en: `the range must be at most ${MAX_RANGE_DAYS} days` });

  const periods: Array<{ granularity: Granularity; start: string; end: string }> = days.map((d) => ({ granularity: 'day', start: d, end: d }));
  for (const d of days) if (weekdayOfDate(d) === 1 && addDaysToDate(d, 6) <= to) periods.push({ granularity: 'week', start: d, end: addDaysToDate(d, 6) });
  const windowStart = addDaysToDate(from, -BASELINE_DAYS);

  const found: Array<Omit<Hotspot, 'requests' | 'label' | 'categoryPath' | 'districtName'> & { requestIds?: number[] }> = [];

  // —— category × district ——
  const cellRows = await db.selectFrom('requests')
    .select(['local_date', 'category_id', 'district_unit_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('local_date', '>=', windowStart).where('local_date', '<=', to)
    .where('category_id', 'is not', null).where('district_unit_id', 'is not', null)
    .groupBy(['local_date', 'category_id', 'district_unit_id']).execute();
  const cells = new Map<string, Map<string, number>>();
  const requestsPerDay = new Map<string, number>();
  for (const r of cellRows) {
    requestsPerDay.set(r.local_date, (requestsPerDay.get(r.local_date) ?? 0) + Number(r.n));
    const key = `${r.category_id}:${r.district_unit_id}`;
    if (!cells.has(key)) cells.set(key, new Map());
    cells.get(key)!.set(r.local_date, Number(r.n));
  }
  // Every series that reaches the minimum count in a period is tested; the period's threshold is shared out
  // over all of them (hotspots.stats.ts), so cells and words are collected first and judged together.
  type Tested = SpikeTest & { share: number };
  const tested = new Map<string, { cells: Array<{ key: string; test: Tested }>; terms: Array<{ term: string; test: Tested }> }>();
  const periodKey = (p: { granularity: Granularity; start: string }) => `${p.granularity}:${p.start}`;
  for (const p of periods) tested.set(periodKey(p), { cells: [], terms: [] });
  for (const [key, series] of cells) {
    for (const p of periods) {
      const test = testPeriod(series, requestsPerDay, p);
      if (test) tested.get(periodKey(p))!.cells.push({ key, test });
    }
  }

  // —— keyword clusters ——
  await indexNewRequests(ctx, 2000, db);
  const docsPerDay = new Map((await db.selectFrom('intelligence_request_features').select(['local_date', (eb) => eb.fn.countAll<number>().as('n')])
    .where('local_date', '>=', windowStart).where('local_date', '<=', to).groupBy('local_date').execute()).map((r) => [r.local_date, Number(r.n)]));
  const excluded = await placeWords(db);
  const candidates = (await db.selectFrom('intelligence_term_days').select('term').where('local_date', '>=', from).where('local_date', '<=', to)
    .groupBy('term').having(sql<number>`sum(docs)`, '>=', MIN_COUNT.day).execute()).map((r) => r.term).filter((t) => !excluded.has(t) && !/^\d/.test(t) && !PLACE_WORD.test(t));
  const termSeries = new Map<string, Map<string, number>>();
  for (let i = 0; i < candidates.length; i += 500) {
    const rows = await db.selectFrom('intelligence_term_days').select(['term', 'local_date', 'docs']).where('term', 'in', candidates.slice(i, i + 500))
      .where('local_date', '>=', windowStart).where('local_date', '<=', to).execute();
    for (const r of rows) {
      if (!termSeries.has(r.term)) termSeries.set(r.term, new Map());
      termSeries.get(r.term)!.set(r.local_date, Number(r.docs));
    }
  }
  for (const p of periods) {
    const baseFrom = addDaysToDate(p.start, -BASELINE_DAYS);
    const baseDocs = sumRange(docsPerDay, baseFrom, addDaysToDate(p.start, -1));
    for (const [term, series] of termSeries) {
      if (baseDocs > 0 && sumRange(series, baseFrom, addDaysToDate(p.start, -1)) / baseDocs > GENERIC_TERM_SHARE) continue;
      const test = testPeriod(series, docsPerDay, p);
      if (test) tested.get(periodKey(p))!.terms.push({ term, test });
    }
  }

  for (const p of periods) {
    const all = tested.get(periodKey(p))!;
    const alpha = seriesAlpha(all.cells.length + all.terms.length);
    const isSpike = (t: SpikeTest) => t.ratio >= MIN_RATIO && t.pValue < alpha;
    for (const { key, test } of all.cells) {
      if (!isSpike(test)) continue;
      const [categoryId, districtId] = key.split(':').map(Number);
      found.push({ kind: 'category-district', ...p, key: `cd:${key}`, categoryId, districtId, keywords: [], ...spikeFields(test, p, alpha) });
    }
    const spiking = all.terms.filter((t) => isSpike(t.test));
    if (!spiking.length) continue;
    spiking.sort((a, b) => a.test.pValue - b.test.pValue || b.test.count - a.test.count);
    const members = await requestsWithTerms(db, spiking.map((s) => s.term), p.start, p.end);
    const taken = new Set<string>();
    for (const anchor of spiking) {
      if (taken.has(anchor.term)) continue;
      taken.add(anchor.term);
      const a = members.get(anchor.term) ?? new Set<number>();
      const cluster = [anchor.term];
      for (const other of spiking) {
        if (taken.has(other.term) || cluster.length >= 5) continue;
        const b = members.get(other.term) ?? new Set<number>();
        let both = 0;
        for (const id of b) if (a.has(id)) both++;
        if (both >= CLUSTER_OVERLAP * Math.min(a.size, b.size)) {
          cluster.push(other.term);
          taken.add(other.term);
        }
      }
      found.push({
        kind: 'keyword', ...p, key: `kw:${anchor.term}`, categoryId: null, districtId: null, keywords: cluster, ...spikeFields(anchor.test, p, alpha),
        requestIds: [...a].sort((x, y) => y - x),
      });
    }
  }

  found.sort((x, y) => x.pValue - y.pValue || y.count - x.count || (x.start < y.start ? -1 : 1));
  const top = found.slice(0, MAX_HOTSPOTS);
  const names = await nameLookups(db, top.flatMap((h) => (h.categoryId ? [h.categoryId] : [])), top.flatMap((h) => (h.districtId ? [h.districtId] : [])));
  const hotspots: Hotspot[] = [];
  const seg = await getSegmenter(ctx, db);
  for (const h of top) {
    const { requestIds, ...rest } = h;
    const categoryPath = h.categoryId ? names.categories.get(h.categoryId) ?? null : null;
    const districtName = h.districtId ? names.units.get(h.districtId) ?? null : null;
    const where = h.kind === 'keyword'
      ? (b: RequestQuery) => b.where('requests.id', 'in', requestIds?.length ? requestIds.slice(0, 500) : [-1])
      : (b: RequestQuery) => b.where('requests.category_id', '=', h.categoryId).where('requests.district_unit_id', '=', h.districtId)
        .where('requests.local_date', '>=', h.start).where('requests.local_date', '<=', h.end);
    const all = await sampleRequests(ctx, db, where);
    const requests = units === null ? all : await sampleRequests(ctx, db, where, SAMPLE_REQUESTS, units);
    // A word is shown only if it survives the de-identification of its own requests: a caller's name or an
    // estate is not a label. A cluster left with no word was about a person or a place, and is not listed.
    const keywords = h.kind === 'keyword' ? publicTerms(seg, h.keywords, all) : [];
    if (h.kind === 'keyword' && !keywords.length) continue;
    const label = h.kind === 'keyword' ? keywords.join('、') : `${districtName ?? ''} · ${categoryPath ?? ''}`;
    hotspots.push({ ...rest, keywords, label, categoryPath, districtName, requests });
  }
  return { from, to, method: HOTSPOT_METHOD, hotspots };
}

function spikeFields(test: SpikeTest & { share: number }, p: { granularity: Granularity; start: string }, alpha: number) {
  return {
    count: test.count, expected: test.expected, variance: test.variance, model: test.model, pValue: Number(test.pValue.toPrecision(3)), ratio: test.ratio,
    threshold: Number(alpha.toPrecision(3)),
    baseline: { from: addDaysToDate(p.start, -BASELINE_DAYS), to: addDaysToDate(p.start, -1), share: Number(test.share.toPrecision(3)) },
  };
}

/** The spike test of one period of a daily series (with every series' daily total), or null when its count is below the minimum (not tested). */
function testPeriod(series: Map<string, number>, totals: Map<string, number>, p: { granularity: Granularity; start: string; end: string }): (SpikeTest & { share: number }) | null {
  const count = sumRange(series, p.start, p.end);
  if (count < MIN_COUNT[p.granularity]) return null;
  const baseline: Array<{ count: number; total: number }> = [];
  for (let i = BASELINE_DAYS; i >= 1; i--) {
    const d = addDaysToDate(p.start, -i);
    baseline.push({ count: series.get(d) ?? 0, total: totals.get(d) ?? 0 });
  }
  const volume = baseline.reduce((a, d) => a + d.total, 0);
  const share = volume ? baseline.reduce((a, d) => a + d.count, 0) / volume : 0;
  return { ...testSpike({ count, periodTotal: sumRange(totals, p.start, p.end), baseline }, p.granularity), share };
}

function sumRange(series: Map<string, number>, from: string, to: string): number {
  let s = 0;
  for (let d = from; d <= to; d = addDaysToDate(d, 1)) s += series.get(d) ?? 0;
  return s;
}

function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length <= MAX_RANGE_DAYS; d = addDaysToDate(d, 1)) out.push(d);
  return out;
}

/** Names of districts, streets and units: words about where, not what. */
async function placeWords(db: Tx): Promise<Set<string>> {
  const units = await db.selectFrom('units').select(['name', 'kind']).execute();
  return new Set(units.flatMap((u) => unitNameWords(u.name, u.kind).map((w) => w.word)));
}

async function requestsWithTerms(db: Tx, terms: string[], from: string, to: string): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  for (let i = 0; i < terms.length; i += 200) {
    const rows = await db.selectFrom('intelligence_request_terms').select(['term', 'request_id']).where('term', 'in', terms.slice(i, i + 200))
      .where('local_date', '>=', from).where('local_date', '<=', to).execute();
    for (const r of rows) {
      if (!out.has(r.term)) out.set(r.term, new Set());
      out.get(r.term)!.add(Number(r.request_id));
    }
  }
  return out;
}

async function nameLookups(db: Tx, categoryIds: number[], unitIds: number[]) {
  const cats = categoryIds.length ? await db.selectFrom('categories').select(['id', 'path']).where('id', 'in', [...new Set(categoryIds)]).execute() : [];
  const units = unitIds.length ? await db.selectFrom('units').select(['id', 'name']).where('id', 'in', [...new Set(unitIds)]).execute() : [];
  return { categories: new Map(cats.map((c) => [c.id, c.path])), units: new Map(units.map((u) => [u.id, u.name.replace(/人民政府$/, '')])) };
}

type RequestQuery = ReturnType<typeof baseSampleQuery>;

function baseSampleQuery(db: Tx) {
  return db.selectFrom('requests')
    .leftJoin('units as du', 'du.id', 'requests.district_unit_id')
    .leftJoin('units as su', 'su.id', 'requests.street_unit_id')
    .select(['requests.id', 'requests.number', 'requests.title', 'requests.content', 'requests.accepted_at', 'requests.address', 'requests.requester_name',
      'requests.requester_phone', 'du.name as district_name', 'su.name as street_name']);
}

/** Up to ten requests of a hotspot, newest first, de-identified (analysis.privacy.ts); with `units`, only requests sent to them. */
export async function sampleRequests(ctx: AppContext, db: Tx, where: (q: RequestQuery) => RequestQuery, limit = SAMPLE_REQUESTS, units: number[] | null = null): Promise<HotspotRequest[]> {
  let q = where(baseSampleQuery(db));
  if (units !== null) {
    const visible = units.length ? units : [-1];
    q = q.where((eb) => eb.exists(eb.selectFrom('request_orders as o').select('o.id').whereRef('o.request_id', '=', 'requests.id').where('o.unit_id', 'in', visible)));
  }
  const rows = await q.orderBy('requests.accepted_at', 'desc').orderBy('requests.id', 'desc').limit(limit).execute();
  return rows.map((r) => toPublicRequest(ctx, r));
}

export function toPublicRequest(ctx: AppContext, r: {
  id: number; number: string; title: string | null; content: string; accepted_at: string; address: string | null; requester_name: string | null;
  requester_phone: string | null; district_name: string | null; street_name: string | null;
}): HotspotRequest {
  const who = { requesterName: r.requester_name, requesterPhone: r.requester_phone, address: r.address };
  const text = redactText(r.content, who);
  return {
    id: r.id, number: r.number, title: r.title ? redactText(r.title, who) : null, snippet: text.length > 160 ? `${text.slice(0, 160)}…` : text,
    acceptedAt: formatInstantWithOffset(new Date(r.accepted_at), ctx.config.timeZone), place: streetLevelPlace(r.district_name, r.street_name),
  };
}
