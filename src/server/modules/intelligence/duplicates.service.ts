import type { AppContext } from '../../context';
import { formatInstantWithOffset, toLocalDate } from '../../core/calendar';
import { can, type Actor } from '../../core/http/access';
import { AppError } from '../../core/http/errors';
import { visibleUnitIds } from '../../core/http/scope';
import { getSegmenter, idfOf, tfidfVector, type DocumentFrequencies } from '../../core/search';
import { canSeeRequester } from '../requests/requests.service';
import { documentFrequenciesSince, featuresOf, indexNewRequests, parseTerms } from './analysis.index';
import { normalizeText } from './analysis.text';
import { compareRequests, normalizePhone, TEXT_SIMILARITY_THRESHOLD, type SimilarityInput } from './duplicates.similarity';

/**
 * 重复件与关联件 Related requests: earlier (and, for a stored request, later) requests of the last 30 days from
 * the same phone, at the same address, or with similar text. Merging is the requests module's `merge` action;
 * a reply says whether the caller may take it and with which body.
 */

export const RELATED_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;
const MAX_ITEMS = 10;
/** Candidates by shared words: the request's heaviest words, skipping those in more than this share of requests. */
const QUERY_TERMS = 8;
const COMMON_TERM_SHARE = 0.05;
/** Statuses a request may be merged from (the workflow's merge transition). */
const MERGEABLE: string[] = ['accepted', 'returned', 'dispatched', 'handling'];

export interface RelatedDraft {
  title?: string | null;
  content: string;
  phone?: string | null;
  address?: string | null;
  districtId?: number | null;
}

export type RelatedReason = 'phone' | 'address' | 'text';

export interface RelatedItem {
  id: number;
  number: string;
  title: string | null;
  snippet: string;
  status: string;
  type: string;
  categoryId: number | null;
  categoryPath: string | null;
  districtId: number | null;
  districtName: string | null;
  address: string | null;
  handlingUnitName: string | null;
  acceptedAt: string;
  relation: 'earlier' | 'later';
  score: number;
  textSimilarity: number;
  reasons: RelatedReason[];
  /** Whether the request the caller is looking at may be merged into this one with one click. */
  canMergeInto: boolean;
}

export interface RelatedResult {
  items: RelatedItem[];
  window: { from: string; to: string };
  threshold: number;
  /** Whether phone numbers were compared (only for callers who may see them). */
  phoneCompared: boolean;
  /** How the score is made, for the screen. */
  explanation: string;
}

const EXPLANATION = 'score = 文本相似度 (TF-IDF 余弦，他区或他处的诉求减半) + 0.25 同一来电号码 + 0.15 同一地址，最高 1；'
  + `文本相似度 ≥ ${TEXT_SIMILARITY_THRESHOLD} 记为"内容相似"`;

/** While an agent types: related requests of the last 30 days for a draft that is not saved yet. */
export async function findRelatedForDraft(ctx: AppContext, actor: Actor, draft: RelatedDraft): Promise<RelatedResult> {
  if (!can(actor, 'requests.accept') && !can(actor, 'requests.dispatch')) throw new AppError('FORBIDDEN');
  const now = ctx.clock.now();
  const mayMerge = can(actor, 'requests.dispatch');
  return findRelated(ctx, actor, {
    ...draft, excludeId: null, reference: now, from: new Date(now.getTime() - RELATED_WINDOW_DAYS * DAY_MS), to: now,
    mergeable: () => mayMerge,
  });
}

/**
 * For a stored request: requests 30 days either side of its acceptance. A unit-scoped caller sees only
 * requests sent to its units, and the request itself must be one of them (else 404, as everywhere).
 */
export async function findRelatedForRequest(ctx: AppContext, actor: Actor, id: number): Promise<RelatedResult & { requestId: number; merge: { allowed: boolean; path: string; version: number } }> {
  const r = await ctx.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  const notFound = new AppError('NOT_FOUND', { message: { zh: '诉求不存在', en: 'Request not found' } });
  if (!r) throw notFound;
  const units = await visibleUnitIds(ctx, actor);
  if (units !== null) {
    const orders = await ctx.db.selectFrom('request_orders').select('unit_id').where('request_id', '=', id).where('unit_id', 'in', units.length ? units : [-1]).executeTakeFirst();
    if (!orders) throw notFound;
  }
  const accepted = new Date(r.accepted_at);
  const now = ctx.clock.now();
  const allowed = can(actor, 'requests.dispatch') && MERGEABLE.includes(r.status);
  const result = await findRelated(ctx, actor, {
    title: r.title, content: r.content, address: r.address, districtId: r.district_unit_id,
    phone: canSeeRequester(actor, r) ? r.requester_phone : null,
    excludeId: id, reference: accepted, from: new Date(accepted.getTime() - RELATED_WINDOW_DAYS * DAY_MS),
    to: new Date(Math.min(now.getTime(), accepted.getTime() + RELATED_WINDOW_DAYS * DAY_MS)), mergeable: () => allowed,
  });
  return { ...result, requestId: id, merge: { allowed, path: `/api/v1/requests/${id}/actions/merge`, version: r.version } };
}

interface Search extends RelatedDraft {
  excludeId: number | null;
  /** The moment "earlier" and "later" are measured from. */
  reference: Date;
  from: Date;
  to: Date;
  mergeable: () => boolean;
}

async function findRelated(ctx: AppContext, actor: Actor, s: Search): Promise<RelatedResult> {
  const tz = ctx.config.timeZone;
  await indexNewRequests(ctx);
  const seg = await getSegmenter(ctx);
  const fromDate = toLocalDate(s.from, tz);
  const toDate = toLocalDate(s.to, tz);
  // One IDF for every search: the requests of the last 30 days.
  const df = await documentFrequenciesSince(ctx, toLocalDate(new Date(ctx.clock.now().getTime() - RELATED_WINDOW_DAYS * DAY_MS), tz));
  const { tf, addressKey } = featuresOf(seg, { title: s.title ?? null, content: s.content, address: s.address ?? null });
  const query: SimilarityInput = {
    vector: tfidfVector(tf, df), text: normalizeText(`${s.title ?? ''}${s.content}`), districtId: s.districtId ?? null, addressKey, phone: null,
  };
  const phoneCompared = !!s.phone && can(actor, 'requests.personal');
  const phone = phoneCompared ? normalizePhone(s.phone!) : null;

  const ids = new Set<number>();
  const terms = pickQueryTerms(tf, df);
  if (terms.length) {
    const rows = await ctx.db.selectFrom('intelligence_request_terms').select(['request_id', (eb) => eb.fn.countAll<number>().as('shared')])
      .where('term', 'in', terms).where('local_date', '>=', fromDate).where('local_date', '<=', toDate)
      .groupBy('request_id').orderBy('shared', 'desc').orderBy('request_id', 'desc').limit(300).execute();
    for (const r of rows) ids.add(Number(r.request_id));
  }
  if (phone) {
    const variants = [...new Set([s.phone!.trim(), phone, `+86${phone}`, `86${phone}`])];
    const rows = await ctx.db.selectFrom('requests').select('id').where('requester_phone', 'in', variants)
      .where('accepted_at', '>=', s.from.toISOString()).where('accepted_at', '<=', s.to.toISOString()).orderBy('id', 'desc').limit(50).execute();
    for (const r of rows) ids.add(r.id);
  }
  if (addressKey) {
    const rows = await ctx.db.selectFrom('intelligence_request_features').select('request_id').where('address_key', '=', addressKey)
      .where('local_date', '>=', fromDate).where('local_date', '<=', toDate).orderBy('request_id', 'desc').limit(50).execute();
    for (const r of rows) ids.add(Number(r.request_id));
  }
  if (s.excludeId != null) ids.delete(s.excludeId);
  if (!ids.size) return { items: [], window: window(s, tz), threshold: TEXT_SIMILARITY_THRESHOLD, phoneCompared, explanation: EXPLANATION };

  let candidates = await ctx.db.selectFrom('requests')
    .leftJoin('intelligence_request_features as f', 'f.request_id', 'requests.id')
    .leftJoin('categories', 'categories.id', 'requests.category_id')
    .leftJoin('units as du', 'du.id', 'requests.district_unit_id')
    .leftJoin('units as hu', 'hu.id', 'requests.handling_unit_id')
    .select([
      'requests.id', 'requests.number', 'requests.title', 'requests.content', 'requests.status', 'requests.type', 'requests.category_id', 'requests.district_unit_id',
      'requests.address', 'requests.accepted_at', 'requests.requester_phone', 'requests.is_confidential', 'f.terms', 'f.address_key',
      'categories.path as category_path', 'du.name as district_name', 'hu.name as unit_name',
    ])
    .where('requests.id', 'in', [...ids]).where('requests.status', '!=', 'merged')
    .where('requests.accepted_at', '>=', s.from.toISOString()).where('requests.accepted_at', '<=', s.to.toISOString())
    .execute();
  const units = await visibleUnitIds(ctx, actor);
  if (units !== null) {
    const visible = new Set((await ctx.db.selectFrom('request_orders').select('request_id').where('request_id', 'in', candidates.map((c) => c.id))
      .where('unit_id', 'in', units.length ? units : [-1]).execute()).map((o) => o.request_id));
    candidates = candidates.filter((c) => visible.has(c.id));
  }

  const items: RelatedItem[] = [];
  for (const c of candidates) {
    const ctf = c.terms ? parseTerms(c.terms) : featuresOf(seg, c).tf;
    // A phone is compared only where the caller may see who called (not on a confidential request without the right).
    const candidatePhone = phone && c.requester_phone && canSeeRequester(actor, c) ? c.requester_phone : null;
    const result = compareRequests({ ...query, phone }, {
      vector: tfidfVector(ctf, df), text: normalizeText(`${c.title ?? ''}${c.content}`), districtId: c.district_unit_id,
      addressKey: c.address_key ?? featuresOf(seg, c).addressKey, phone: candidatePhone,
    });
    if (!result.reasons.length) continue;
    items.push({
      id: c.id, number: c.number, title: c.title, snippet: c.content.length > 120 ? `${c.content.slice(0, 120)}…` : c.content, status: c.status, type: c.type,
      categoryId: c.category_id, categoryPath: c.category_path ?? null, districtId: c.district_unit_id, districtName: c.district_name ?? null, address: c.address,
      handlingUnitName: c.unit_name ?? null, acceptedAt: formatInstantWithOffset(new Date(c.accepted_at), tz),
      relation: new Date(c.accepted_at) <= s.reference ? 'earlier' : 'later',
      ...result, canMergeInto: s.mergeable() && c.status !== 'withdrawn',
    });
  }
  items.sort((a, b) => b.score - a.score || b.id - a.id);
  return { items: items.slice(0, MAX_ITEMS), window: window(s, tz), threshold: TEXT_SIMILARITY_THRESHOLD, phoneCompared, explanation: EXPLANATION };
}

/** The query's heaviest words, leaving out words so common they would fetch half the month. */
function pickQueryTerms(tf: Map<string, number>, df: DocumentFrequencies): string[] {
  const ranked = [...tf.keys()].map((t) => ({ t, idf: idfOf(df, t), share: df.docs ? (df.df.get(t) ?? 0) / df.docs : 0 }))
    .sort((a, b) => b.idf - a.idf || (a.t < b.t ? -1 : 1));
  const rare = ranked.filter((x) => x.share <= COMMON_TERM_SHARE);
  return (rare.length >= 3 ? rare : ranked).slice(0, QUERY_TERMS).map((x) => x.t);
}

function window(s: Search, tz: string) {
  return { from: formatInstantWithOffset(s.from, tz), to: formatInstantWithOffset(s.to, tz) };
}
