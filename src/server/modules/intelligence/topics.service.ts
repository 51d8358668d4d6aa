import { sql } from 'kysely';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { addDaysToDate, formatInstantWithOffset, toLocalDate } from '../../core/calendar';
import { containsText, type Tx } from '../../core/db/database';
import { can, type Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { getSegmenter, unitNameWords } from '../../core/search';
import { getKpiSettings } from '../requests/requests.stats';
import { indexNewRequests } from './analysis.index';
import { publicTerms } from './analysis.privacy';
import { sampleRequests, type HotspotRequest } from './hotspots.service';

/**
 * 每月一题 One topic a month: candidates are recurring problem clusters — a category, or a word that marks a part
 * of a category's requests (电梯 within 物业服务质量) — ranked by volume, persistence over the six months before,
 * spread over districts, and how badly they are resolved. A chosen topic gets a lead unit and is tracked: its
 * monthly volume before and after the month it was chosen (success is that it falls).
 *
 * Volumes count requests as the KPIs do (a merged duplicate is not counted again).
 */

export const TOPIC_WEIGHTS = { volume: 0.35, persistence: 0.25, spread: 0.15, dissatisfaction: 0.25 } as const;
const HISTORY_MONTHS = 6;
const MAX_CANDIDATES = 15;
const KEYWORD_CLUSTERS_PER_CATEGORY = 2;
/** A word marks a part of a category when it is in this share of the category's requests: less is noise, more is the category itself. */
const KEYWORD_SHARE = { min: 0.15, max: 0.8 };
const MIN_CALLBACKS = 5;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface ScoreBreakdown { volume: number; persistence: number; spread: number; dissatisfaction: number; total: number }

export interface TopicCandidate {
  clusterKey: string;
  kind: 'category' | 'keyword';
  label: string;
  categoryId: number;
  categoryPath: string;
  keywords: string[];
  volume: number;
  monthly: Array<{ month: string; count: number }>;
  persistentMonths: number;
  districts: number;
  callbacks: number;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  score: ScoreBreakdown;
  samples: HotspotRequest[];
  chosenTopicId: number | null;
}

function monthBounds(month: string): { start: string; end: string } {
  const start = `${month}-01`;
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { start, end: addDaysToDate(next, -1) };
}

function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const t = y * 12 + (m - 1) + n;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = shiftMonth(m, 1)) out.push(m);
  return out;
}

function assertMonth(month: string, field = 'month'): void {
  if (!MONTH.test(month)) throw fieldError(field, { zh: '月份格式应为 YYYY-MM', en: 'must be a month YYYY-MM' });
}

interface ClusterStats { monthly: Map<string, number>; districts: number; callbacks: number; resolved: number; satisfied: number; basic: number }

const emptyStats = (): ClusterStats => ({ monthly: new Map(), districts: 0, callbacks: 0, resolved: 0, satisfied: 0, basic: 0 });

/**
 * Candidates for a month's topic, best first, with their score breakdown and de-identified samples (for a
 * caller limited to some units — `units` from visibleUnitIds — samples of those units only).
 */
export async function topicCandidates(ctx: AppContext, month: string, units: number[] | null = null) {
  assertMonth(month);
  const first = shiftMonth(month, -HISTORY_MONTHS);
  const { start: from } = monthBounds(first);
  const { start: monthStart, end: monthEnd } = monthBounds(month);
  await indexNewRequests(ctx, 2000);
  const settings = await getKpiSettings(ctx);

  // Categories: volume per month; districts and callbacks in the month.
  const catRows = await ctx.db.selectFrom('requests').select(['category_id', 'local_month', (eb) => eb.fn.countAll<number>().as('n')])
    .where('local_date', '>=', from).where('local_date', '<=', monthEnd).where('status', '!=', 'merged').where('category_id', 'is not', null)
    .groupBy(['category_id', 'local_month']).execute();
  const catMonth = await ctx.db.selectFrom('requests').select([
    'category_id', sql<number>`count(distinct district_unit_id)`.as('districts'),
    sql<number>`sum(case when callback_resolved is not null then 1 else 0 end)`.as('callbacks'),
    sql<number>`sum(case when callback_resolved = 1 then 1 else 0 end)`.as('resolved'),
    sql<number>`sum(case when callback_satisfaction = 'satisfied' then 1 else 0 end)`.as('satisfied'),
    sql<number>`sum(case when callback_satisfaction = 'basic' then 1 else 0 end)`.as('basic'),
  ]).where('local_date', '>=', monthStart).where('local_date', '<=', monthEnd).where('status', '!=', 'merged').where('category_id', 'is not', null)
    .groupBy('category_id').execute();
  const monthTotal = catMonth.length ? (await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('local_date', '>=', monthStart).where('local_date', '<=', monthEnd).where('status', '!=', 'merged').executeTakeFirst())?.n ?? 0 : 0;
  const minVolume = Math.max(5, Math.ceil(0.002 * Number(monthTotal)));

  const clusters = new Map<string, { kind: 'category' | 'keyword'; categoryId: number; term: string | null; stats: ClusterStats }>();
  for (const r of catRows) {
    const key = `cat:${r.category_id}`;
    if (!clusters.has(key)) clusters.set(key, { kind: 'category', categoryId: Number(r.category_id), term: null, stats: emptyStats() });
    clusters.get(key)!.stats.monthly.set(r.local_month, Number(r.n));
  }
  for (const r of catMonth) {
    const c = clusters.get(`cat:${r.category_id}`);
    if (c) Object.assign(c.stats, { districts: Number(r.districts), callbacks: Number(r.callbacks), resolved: Number(r.resolved), satisfied: Number(r.satisfied), basic: Number(r.basic) });
  }
  for (const [key, c] of clusters) if ((c.stats.monthly.get(month) ?? 0) < minVolume) clusters.delete(key);

  // Words that mark a part of a category in the month.
  const places = new Set((await ctx.db.selectFrom('units').select(['name', 'kind']).execute()).flatMap((u) => unitNameWords(u.name, u.kind).map((w) => w.word)));
  const termRows = await ctx.db.selectFrom('intelligence_request_terms as t').innerJoin('requests as r', 'r.id', 't.request_id')
    .select(['t.category_id', 't.term', (eb) => eb.fn.countAll<number>().as('n')])
    .where('t.local_date', '>=', monthStart).where('t.local_date', '<=', monthEnd).where('r.status', '!=', 'merged').where('t.category_id', 'is not', null)
    .groupBy(['t.category_id', 't.term']).having((eb) => eb.fn.countAll(), '>=', minVolume).execute();
  const perCategory = new Map<number, Array<{ term: string; n: number }>>();
  for (const r of termRows) {
    const catVolume = clusters.get(`cat:${r.category_id}`)?.stats.monthly.get(month);
    if (!catVolume || places.has(r.term) || /^\d/.test(r.term)) continue;
    const share = Number(r.n) / catVolume;
    if (share < KEYWORD_SHARE.min || share > KEYWORD_SHARE.max) continue;
    const list = perCategory.get(Number(r.category_id)) ?? [];
    list.push({ term: r.term, n: Number(r.n) });
    perCategory.set(Number(r.category_id), list);
  }
  const pairs: Array<{ categoryId: number; term: string }> = [];
  for (const [categoryId, list] of perCategory) {
    for (const { term } of list.sort((a, b) => b.n - a.n || (a.term < b.term ? -1 : 1)).slice(0, KEYWORD_CLUSTERS_PER_CATEGORY)) pairs.push({ categoryId, term });
  }
  if (pairs.length) {
    const rows = await ctx.db.selectFrom('intelligence_request_terms as t').innerJoin('requests as r', 'r.id', 't.request_id')
      .select(['t.category_id', 't.term', 'r.local_month', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(distinct r.district_unit_id)`.as('districts'),
        sql<number>`sum(case when r.callback_resolved is not null then 1 else 0 end)`.as('callbacks'),
        sql<number>`sum(case when r.callback_resolved = 1 then 1 else 0 end)`.as('resolved'),
        sql<number>`sum(case when r.callback_satisfaction = 'satisfied' then 1 else 0 end)`.as('satisfied'),
        sql<number>`sum(case when r.callback_satisfaction = 'basic' then 1 else 0 end)`.as('basic')])
      .where('t.local_date', '>=', from).where('t.local_date', '<=', monthEnd).where('r.status', '!=', 'merged')
      .where((eb) => eb.or(pairs.map((p) => eb.and([eb('t.category_id', '=', p.categoryId), eb('t.term', '=', p.term)]))))
      .groupBy(['t.category_id', 't.term', 'r.local_month']).execute();
    for (const r of rows) {
      const key = `cat:${r.category_id}|kw:${r.term}`;
      if (!clusters.has(key)) clusters.set(key, { kind: 'keyword', categoryId: Number(r.category_id), term: r.term, stats: emptyStats() });
      const c = clusters.get(key)!;
      c.stats.monthly.set(r.local_month, Number(r.n));
      if (r.local_month === month) Object.assign(c.stats, { districts: Number(r.districts), callbacks: Number(r.callbacks), resolved: Number(r.resolved), satisfied: Number(r.satisfied), basic: Number(r.basic) });
    }
  }

  const districtCount = Number((await ctx.db.selectFrom('units').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'district').where('active', '=', 1).executeTakeFirst())?.n ?? 0) || 1;
  const cityCallbacks = [...clusters.values()].filter((c) => c.kind === 'category').reduce((a, c) => ({
    callbacks: a.callbacks + c.stats.callbacks, resolved: a.resolved + c.stats.resolved, satisfied: a.satisfied + c.stats.satisfied + settings.basicSatisfiedWeight * c.stats.basic,
  }), { callbacks: 0, resolved: 0, satisfied: 0 });
  const cityDissatisfaction = cityCallbacks.callbacks ? 1 - (cityCallbacks.resolved / cityCallbacks.callbacks + cityCallbacks.satisfied / cityCallbacks.callbacks) / 2 : 0.5;
  const maxVolume = Math.max(1, ...[...clusters.values()].map((c) => c.stats.monthly.get(month) ?? 0));
  const history = monthsBetween(first, shiftMonth(month, -1));
  const categories = new Map((await ctx.db.selectFrom('categories').select(['id', 'path']).execute()).map((c) => [c.id, c.path]));
  const chosen = await ctx.db.selectFrom('intelligence_topics').select(['id', 'cluster_key']).where('month', '=', month).execute();
  const chosenByKey = new Map(chosen.filter((t) => t.cluster_key).map((t) => [t.cluster_key!, t.id]));

  const scored = [...clusters.entries()].map(([clusterKey, c]) => {
    const volume = c.stats.monthly.get(month) ?? 0;
    const persistentMonths = history.filter((m) => (c.stats.monthly.get(m) ?? 0) >= Math.max(3, 0.3 * volume)).length;
    const resolutionRate = c.stats.callbacks ? c.stats.resolved / c.stats.callbacks : null;
    const satisfactionRate = c.stats.callbacks ? (c.stats.satisfied + settings.basicSatisfiedWeight * c.stats.basic) / c.stats.callbacks : null;
    // Too few callbacks say nothing: such a cluster is scored as the city does overall.
    const dissatisfaction = c.stats.callbacks >= MIN_CALLBACKS ? 1 - ((resolutionRate ?? 0) + (satisfactionRate ?? 0)) / 2 : cityDissatisfaction;
    const parts = {
      volume: Math.log1p(volume) / Math.log1p(maxVolume),
      persistence: persistentMonths / HISTORY_MONTHS,
      spread: Math.min(1, c.stats.districts / districtCount),
      dissatisfaction,
    };
    const total = 100 * (TOPIC_WEIGHTS.volume * parts.volume + TOPIC_WEIGHTS.persistence * parts.persistence + TOPIC_WEIGHTS.spread * parts.spread + TOPIC_WEIGHTS.dissatisfaction * parts.dissatisfaction);
    const categoryPath = categories.get(c.categoryId) ?? String(c.categoryId);
    const leaf = categoryPath.split('/').pop()!;
    return {
      clusterKey, kind: c.kind, label: c.term ? `${leaf} · ${c.term}` : leaf, categoryId: c.categoryId, categoryPath, keywords: c.term ? [c.term] : [],
      volume, monthly: [...history, month].map((m) => ({ month: m, count: c.stats.monthly.get(m) ?? 0 })), persistentMonths, districts: c.stats.districts,
      callbacks: c.stats.callbacks, resolutionRate: round(resolutionRate), satisfactionRate: round(satisfactionRate),
      score: { volume: round(parts.volume)!, persistence: round(parts.persistence)!, spread: round(parts.spread)!, dissatisfaction: round(parts.dissatisfaction)!, total: Math.round(total * 10) / 10 },
      samples: [] as HotspotRequest[], chosenTopicId: chosenByKey.get(clusterKey) ?? null,
    } satisfies TopicCandidate;
  }).sort((a, b) => b.score.total - a.score.total || b.volume - a.volume || (a.clusterKey < b.clusterKey ? -1 : 1));

  const seg = await getSegmenter(ctx);
  const candidates: TopicCandidate[] = [];
  for (const c of scored) {
    if (candidates.length >= MAX_CANDIDATES) break;
    const where = (q: Parameters<Parameters<typeof sampleRequests>[2]>[0]) => {
      let b = q.where('requests.category_id', '=', c.categoryId).where('requests.local_date', '>=', monthStart).where('requests.local_date', '<=', monthEnd)
        .where('requests.status', '!=', 'merged').where('requests.is_confidential', '=', 0);
      if (c.keywords.length) {
        b = b.where((eb) => eb.exists(eb.selectFrom('intelligence_request_terms as st').select('st.request_id')
          .whereRef('st.request_id', '=', 'requests.id').where('st.term', 'in', c.keywords)));
      }
      return b;
    };
    const all = await sampleRequests(ctx, ctx.db, where, 3);
    // A word that is a caller's name or an estate (gone from the de-identified samples) is no topic.
    if (c.kind === 'keyword' && !publicTerms(seg, c.keywords, all).length) continue;
    c.samples = units === null ? all : await sampleRequests(ctx, ctx.db, where, 3, units);
    candidates.push(c);
  }
  return {
    month, minVolume, weights: TOPIC_WEIGHTS,
    scoring: '得分 = 100 × (0.35 受理量（对数，相对本月最大者）+ 0.25 持续性（此前 6 个月中受理量 ≥ 本月 30% 且 ≥ 3 件的月数 ÷ 6）'
      + ' + 0.15 区县分布（涉及区县 ÷ 区县总数）+ 0.25 不满意度（1 − (解决率 + 满意率) ÷ 2；回访少于 5 件时取全市水平）)',
    candidates,
    chosen: await Promise.all((await ctx.db.selectFrom('intelligence_topics').select('id').where('month', '=', month).orderBy('id').execute()).map((t) => getTopic(ctx, t.id, false))),
  };
}

function round(x: number | null): number | null {
  return x == null ? null : Math.round(x * 1000) / 1000;
}

// —— chosen topics ——

export interface CreateTopicInput {
  month: string;
  title: string;
  clusterKey?: string;
  categoryId?: number;
  keywords?: string[];
  leadUnitId: number;
  note?: string;
}

const CLUSTER_KEY = /^cat:(\d+)(?:\|kw:(.{1,40}))?$/;

/** Chooses a topic for a month (requests.supervise or settings.write) with its lead unit. */
export async function createTopic(ctx: AppContext, actor: Actor, input: CreateTopicInput) {
  if (!can(actor, 'requests.supervise') && !can(actor, 'settings.write')) throw new AppError('FORBIDDEN');
  assertMonth(input.month);
  const title = input.title.trim();
  if (title.length < 2) throw fieldError('title', { zh: '请填写题目', en: 'a title is required' });
  let categoryId = input.categoryId ?? null;
  let keywords = [...new Set((input.keywords ?? []).map((k) => k.trim()).filter(Boolean))];
  if (input.clusterKey) {
    const m = CLUSTER_KEY.exec(input.clusterKey);
    if (!m) throw fieldError('clusterKey', { zh: '不是有效的候选题目', en: 'is not a candidate key (cat:ID or cat:ID|kw:WORD)' });
    if (categoryId != null && categoryId !== Number(m[1])) throw fieldError('categoryId', { zh: '与候选题目的分类不一致', en: 'does not match the clusterKey' });
    categoryId = Number(m[1]);
    if (m[2] && !keywords.includes(m[2])) keywords = [m[2], ...keywords];
  }
  if (categoryId == null && !keywords.length) throw fieldError('categoryId', { zh: '请选择候选题目，或指定分类和关键词', en: 'give a clusterKey, or a categoryId and/or keywords' });
  if (keywords.length > 5) throw fieldError('keywords', { zh: '关键词最多 5 个', en: 'at most 5 keywords' });
  if (categoryId != null && !(await ctx.db.selectFrom('categories').select('id').where('id', '=', categoryId).executeTakeFirst())) {
    throw fieldError(input.clusterKey ? 'clusterKey' : 'categoryId', { zh: '分类不存在', en: 'no such category' });
  }
  const lead = await ctx.db.selectFrom('units').select(['id', 'active']).where('id', '=', input.leadUnitId).executeTakeFirst();
  if (!lead || !lead.active) throw fieldError('leadUnitId', { zh: '牵头单位不存在或已停用', en: 'no such active unit' });
  const now = ctx.clock.now();
  const iso = now.toISOString();
  try {
    const id = await ctx.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('intelligence_topics').values({
        month: input.month, title, cluster_key: input.clusterKey ?? null, category_id: categoryId, keywords: JSON.stringify(keywords), lead_unit_id: input.leadUnitId,
        note: input.note?.trim() || null, status: 'active', created_by: actor.userId, created_at: iso, updated_at: iso,
      }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, ctx.dialect, now, {
        actor, action: 'intelligence.topic.create', entity: 'topic', entityId: row.id,
        after: { month: input.month, title, clusterKey: input.clusterKey ?? null, categoryId, keywords, leadUnitId: input.leadUnitId },
      });
      return row.id;
    });
    return getTopic(ctx, id);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const clash = await ctx.db.selectFrom('intelligence_topics').select('id').where('month', '=', input.month).where('title', '=', title).executeTakeFirst();
    if (clash) throw new AppError('CONFLICT', { message: { zh: '该月已有同名题目', en: 'That month already has a topic with this title' } });
    throw err;
  }
}

/** A topic with its monthly volume from six months before its month to now (at most a year after). */
export async function getTopic(ctx: AppContext, id: number, withTracking = true) {
  const t = await ctx.db.selectFrom('intelligence_topics').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) throw new AppError('NOT_FOUND', { message: { zh: '题目不存在', en: 'Topic not found' } });
  const [category, lead] = await Promise.all([
    t.category_id ? ctx.db.selectFrom('categories').select(['id', 'path']).where('id', '=', t.category_id).executeTakeFirst() : undefined,
    ctx.db.selectFrom('units').select(['id', 'name']).where('id', '=', t.lead_unit_id).executeTakeFirst(),
  ]);
  const keywords = JSON.parse(t.keywords) as string[];
  const base = {
    id: t.id, month: t.month, title: t.title, clusterKey: t.cluster_key, categoryId: t.category_id, categoryPath: category?.path ?? null, keywords,
    leadUnit: { id: t.lead_unit_id, name: lead?.name ?? '' }, note: t.note, status: t.status,
    createdAt: formatInstantWithOffset(new Date(t.created_at), ctx.config.timeZone),
  };
  if (!withTracking) return { ...base, tracking: null };
  return { ...base, tracking: await trackTopic(ctx, ctx.db, { month: t.month, categoryPath: category?.path ?? null, keywords }) };
}

/**
 * The topic's requests per month: in the category (and below it) and, when it has keywords, with any of them in
 * the title or content. Baseline = mean of the topic month and the two before it; after = the whole months since.
 */
export async function trackTopic(ctx: AppContext, db: Tx, topic: { month: string; categoryPath: string | null; keywords: string[] }) {
  const currentMonth = toLocalDate(ctx.clock.now(), ctx.config.timeZone).slice(0, 7);
  const first = shiftMonth(topic.month, -HISTORY_MONTHS);
  const cap = shiftMonth(topic.month, 12);
  const last = [topic.month, currentMonth < cap ? currentMonth : cap].sort()[1];
  let q = db.selectFrom('requests').leftJoin('categories', 'categories.id', 'requests.category_id')
    .select(['requests.local_month', (eb) => eb.fn.countAll<number>().as('n')])
    .where('requests.local_date', '>=', monthBounds(first).start).where('requests.local_date', '<=', monthBounds(last).end).where('requests.status', '!=', 'merged');
  if (topic.categoryPath) {
    const path = topic.categoryPath;
    q = q.where((eb) => eb.or([eb('categories.path', '=', path), eb('categories.path', 'like', `${path}/%`)]));
  }
  if (topic.keywords.length) {
    q = q.where((eb) => eb.or(topic.keywords.flatMap((k) => [containsText('requests.content', k), containsText('requests.title', k)])));
  }
  const rows = await q.groupBy('requests.local_month').execute();
  const counts = new Map(rows.map((r) => [r.local_month, Number(r.n)]));
  const months = monthsBetween(first, last).map((m) => ({
    month: m, count: counts.get(m) ?? 0, phase: m < topic.month ? 'before' : m === topic.month ? 'topic' : 'after', partial: m === currentMonth,
  }));
  const baseMonths = months.filter((m) => m.month >= shiftMonth(topic.month, -2) && m.month <= topic.month);
  const baseline = baseMonths.reduce((a, m) => a + m.count, 0) / (baseMonths.length || 1);
  const after = months.filter((m) => m.phase === 'after' && !m.partial);
  const afterMean = after.length ? after.reduce((a, m) => a + m.count, 0) / after.length : null;
  const latest = after.length ? after[after.length - 1].count : null;
  return {
    months, baseline: Math.round(baseline * 10) / 10, afterMean: afterMean == null ? null : Math.round(afterMean * 10) / 10, latest,
    change: afterMean == null || baseline === 0 ? null : Math.round(((afterMean - baseline) / baseline) * 1000) / 1000,
    isFalling: afterMean == null ? null : afterMean < baseline,
    definition: '统计口径：分类（含下级）内、标题或内容含任一关键词的诉求（合并件不重复计）；基线 = 选题当月及前两个月的月均；之后 = 选题次月起的整月月均',
  };
}
