import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { AppContext } from '../../context';
import type { Tx } from '../../core/db/database';
import type { DB } from '../../core/db/tables';
import { can, type Actor } from '../../core/http/access';
import { AppError } from '../../core/http/errors';
import { toPageRequest } from '../../core/http/paging';
import { visibleUnitIds } from '../../core/http/scope';
import { getSegmenter, matchRequests, type SearchMatch } from '../../core/search';
import { toRequestSummary } from './requests.service';
import type { RequestStatus } from './requests.tables';

export interface ListQuery {
  page?: number;
  pageSize?: number;
  sort?: string;
  status?: string;
  type?: string;
  channel?: number;
  category?: number;
  district?: number;
  unit?: number;
  overdue?: boolean;
  enterprise?: boolean;
  from?: string;
  to?: string;
  q?: string;
  phone?: string;
  /** The unit inbox tabs: 待签收 to-sign, 办理中 handling, 待回复 to-reply, 即将超期 due-soon, 已超期 overdue. */
  box?: 'to-sign' | 'handling' | 'to-reply' | 'due-soon' | 'overdue' | 'to-dispatch' | 'to-review' | 'to-callback';
}

const SORTABLE = { acceptedAt: 'requests.accepted_at', replyDueAt: 'requests.reply_due_at', number: 'requests.number', status: 'requests.status' } as const;
const OPEN: RequestStatus[] = ['accepted', 'returned', 'dispatched', 'handling', 'replied', 'callback', 'visited'];
// "Due soon": less than one working day left, approximated as 24 hours of wall time for the list filter.
const DUE_SOON_MS = 24 * 3600 * 1000;

type Q = SelectQueryBuilder<DB, 'requests', object>;

// 13 digits: a request number (local date + daily sequence). A mobile (optionally +86) or a landline number: a phone.
const REQUEST_NUMBER = /^\d{13}$/;
const PHONE = /^(?:(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-?\d{7,8})$/;

/** Whether `q` is searched as text (ranked by relevance) rather than looked up as a number or phone. */
export function isTextSearch(q: string | undefined): boolean {
  const term = q?.trim();
  return !!term && !REQUEST_NUMBER.test(term) && !PHONE.test(term);
}

/** Applies every list filter and the caller's data scope; the same builder serves the count and the page. */
export async function buildListQuery(ctx: AppContext, actor: Actor, q: ListQuery): Promise<Q> {
  return (await buildFilteredQuery(ctx, actor, q)).query;
}

/** buildListQuery, plus the full-text join when `q` is searched as text (to rank and walk the matches). */
async function buildFilteredQuery(ctx: AppContext, actor: Actor, q: ListQuery): Promise<{ query: Q; joined: Q; match: SearchMatch | null; plain: boolean }> {
  let match: SearchMatch | null = null;
  // A text search and nothing else, by a caller who sees every request: only merged requests are left out.
  let plain = false;
  const now = ctx.clock.now().toISOString();
  let b = ctx.db.selectFrom('requests') as Q;
  const units = await visibleUnitIds(ctx, actor);
  // A unit's own inbox tabs filter on the handling unit, which always holds an order of the request: the
  // scope check per row would only repeat it (and costs a lookup per row in a busy unit's ten thousand).
  const isUnitBox = q.box === 'to-sign' || q.box === 'handling' || q.box === 'to-reply' || q.box === 'due-soon' || q.box === 'overdue';
  if (units !== null && !isUnitBox) {
    const ids = units.length ? units : [-1];
    b = b.where((eb) => eb.exists(eb.selectFrom('request_orders').select('request_orders.id').whereRef('request_orders.request_id', '=', 'requests.id').where('request_orders.unit_id', 'in', ids)));
  }
  if (q.status) b = b.where('requests.status', 'in', q.status.split(',') as RequestStatus[]);
  else if (!q.box) b = b.where('requests.status', '!=', 'merged');
  if (q.type) b = b.where('requests.type', 'in', q.type.split(','));
  if (q.channel) b = b.where('requests.channel_id', '=', q.channel);
  if (q.category) {
    const cat = await ctx.db.selectFrom('categories').select('path').where('id', '=', q.category).executeTakeFirst();
    b = cat
      ? b.where('requests.category_id', 'in', (eb) => eb.selectFrom('categories').select('id').where((w) => w.or([w('path', '=', cat.path), w('path', 'like', `${cat.path}/%`)])))
      : b.where('requests.category_id', '=', -1);
  }
  if (q.district) b = b.where('requests.district_unit_id', '=', q.district);
  if (q.unit) {
    const unit = q.unit;
    b = b.where((eb) => eb.or([
      eb('requests.lead_unit_id', '=', unit), eb('requests.handling_unit_id', '=', unit),
      eb.exists(eb.selectFrom('request_orders').select('request_orders.id').whereRef('request_orders.request_id', '=', 'requests.id').where('request_orders.unit_id', '=', unit)),
    ]));
  }
  if (q.overdue !== undefined) {
    b = q.overdue
      ? b.where((eb) => eb.or([eb('requests.is_overdue', '=', 1), eb.and([eb('requests.reply_due_at', '<', now), eb('requests.replied_at', 'is', null), eb('requests.status', 'in', OPEN)])]))
      : b.where('requests.is_overdue', '=', 0);
  }
  if (q.enterprise !== undefined) b = b.where('requests.kind', '=', q.enterprise ? 'enterprise' : 'citizen');
  if (q.from) b = b.where('requests.accepted_at', '>=', new Date(q.from).toISOString());
  if (q.to) b = b.where('requests.accepted_at', '<', new Date(q.to).toISOString());
  if (q.phone) {
    if (!can(actor, 'requests.personal')) throw new AppError('FORBIDDEN');
    b = b.where('requests.requester_phone', '=', q.phone.trim());
  }
  if (q.q?.trim()) {
    const term = q.q.trim();
    if (REQUEST_NUMBER.test(term)) b = b.where('requests.number', '=', term);
    else if (PHONE.test(term)) {
      // A phone number is personal data: only roles that may see requesters can look requests up by it.
      if (!can(actor, 'requests.personal')) throw new AppError('FORBIDDEN');
      const digits = term.replace(/[\s-]/g, '');
      b = b.where('requests.requester_phone', 'in', [...new Set([term, digits])]);
    } else {
      // Full-text search over title, content, address and reply (core/search): segmented with the city's dictionary.
      const segmenter = await getSegmenter(ctx);
      // Walking every request newest first suits a frequent word only when nothing else narrows the list.
      plain = units === null && Object.entries(q).every(([k, v]) => v === undefined || ['q', 'page', 'pageSize'].includes(k));
      const m = await matchRequests(ctx, segmenter.searchQuery(term), { walkable: plain });
      match = m;
      // The match itself goes in last (below): a list may look among the newest requests first (listRequests).
      b = b.innerJoin(m.table, (j) => j.on(m.on)) as unknown as Q;
    }
  }
  if (q.box) {
    const mine = units === null ? (actor.unitId != null ? [actor.unitId] : [-1]) : units.length ? units : [-1];
    const inMyUnits = (x: Q) => x.where('requests.handling_unit_id', 'in', mine);
    switch (q.box) {
      case 'to-sign': b = inMyUnits(b).where('requests.status', '=', 'dispatched'); break;
      case 'handling': b = inMyUnits(b).where('requests.status', '=', 'handling'); break;
      case 'to-reply': b = inMyUnits(b).where('requests.status', '=', 'handling').where('requests.extension_pending', '=', 0); break;
      case 'due-soon':
        b = inMyUnits(b).where('requests.status', 'in', ['dispatched', 'handling']).where('requests.reply_due_at', '>=', now)
          .where('requests.reply_due_at', '<', new Date(ctx.clock.now().getTime() + DUE_SOON_MS).toISOString());
        break;
      case 'overdue':
        b = inMyUnits(b).where('requests.status', 'in', ['dispatched', 'handling']).where((eb) => eb.or([eb('requests.is_overdue', '=', 1), eb('requests.reply_due_at', '<', now)]));
        break;
      case 'to-dispatch': b = b.where('requests.status', 'in', ['accepted', 'returned']); break;
      case 'to-review': b = b.where((eb) => eb.or([eb('requests.status', '=', 'replied'), eb.and([eb('requests.status', '=', 'handling'), eb('requests.extension_pending', '=', 1)])])); break;
      case 'to-callback': b = b.where('requests.status', 'in', ['callback', 'visited']); break;
    }
  }
  return { query: match ? b.where(match.where) : b, joined: b, match, plain };
}

/**
 * Limits of a text search (q searched as text), both measured at the city's scale (bench/, 3 million requests):
 * - totalCap: matches are counted up to this many; beyond it the reply says `totalCapped` and the list
 *   shows "1000+". Nobody pages through a thousand hits, and counting every match of a frequent word
 *   (tens of thousands) was most of a search's time: at 3 million requests a cap of 10,000 gave a p95 of
 *   69 ms over the bench's 50 queries, a cap of 1,000 within the window (one query, no count) 34 ms.
 * - rankWindow: without an explicit sort, relevance ranks the newest rankWindow matches that pass the
 *   filters (newest = highest request id, i.e. most recently recorded), not every match: a dispatcher
 *   looks for a recent case, and ranking the whole doclist of a frequent word is what made search slow.
 *   Pages beyond the window continue with the older matches, newest first, so every match stays reachable.
 * Tests lower them to cross the limits with a handful of requests.
 */
export const searchLimits = { totalCap: 1_000, rankWindow: 1_000 };

function withDisplayColumns(x: Q) {
  return x
    .leftJoin('units as hu', 'hu.id', 'requests.handling_unit_id')
    .leftJoin('units as du', 'du.id', 'requests.district_unit_id')
    .leftJoin('categories', 'categories.id', 'requests.category_id')
    .leftJoin('channels', 'channels.id', 'requests.channel_id')
    .selectAll('requests')
    .select(['hu.name as unit_name', 'du.name as district_name', 'categories.path as category_path', 'channels.name as channel_name']);
}

export async function listRequests(ctx: AppContext, actor: Actor, q: ListQuery) {
  const page = toPageRequest(q, SORTABLE, '-acceptedAt');
  const { query: base, joined, match, plain } = await buildFilteredQuery(ctx, actor, q);
  const reply = (rows: Awaited<ReturnType<typeof readRows>>, total: number, totalCapped: boolean) => ({
    items: rows.map((r) => toRequestSummary(r, actor, ctx.config.timeZone, ctx.clock.now())), total, totalCapped, page: page.page, pageSize: page.pageSize,
  });
  if (!match) {
    // The count and the page at once: on PostgreSQL on two connections of the pool, each on its own core (the
    // centre's overdue list at 3 million requests: about 20 ms each); SQLite's one connection runs them in turn.
    const [[{ total }], rows] = await Promise.all([base.select((eb) => eb.fn.countAll<number>().as('total')).execute(), readPage(ctx, base, page)]);
    return reply(rows, Number(total), false);
  }

  // Text search. The newest matches that pass the filters, walked down the index key (cheap, see SearchMatch.key),
  // and one more: whether the window holds every match, and, with the cap inside the window, the capped total.
  // Relevance comes with the walk when the index computes it cheaply (SearchMatch.rank), else afterwards.
  // The walk looks among the newest requests first (SearchMatch.nextLook): when those hold a full window, it
  // holds the newest matches of all.
  const rank = q.sort ? null : match.rank;
  // Where relevance comes afterwards (or not at all), the looks select a zero in its place.
  const rankOrZero = rank ?? sql<number>`0`;
  const want = searchLimits.rankWindow + 1;
  const fetched = await match.looks(async (db) => {
    let found: { id: number; rank: number }[] = [];
    for (let lower = await match.nextLook(want); ; lower = await match.nextLook(want, { lower, found: found.length })) {
      if (plain) found = await newestUnmerged(ctx, db, match, lower, rankOrZero, want);
      else {
        const walk = (lower > 0 ? joined.where(match.within(lower)) : base).orderBy(match.key, 'desc').limit(want);
        found = rankedIds((await db.executeQuery(walk.select(['requests.id', rankOrZero.as('rank')]).compile())).rows);
      }
      if (found.length >= want || lower === 0) return found;
    }
  });
  const isWindowAll = fetched.length <= searchLimits.rankWindow;
  const window = isWindowAll ? fetched : fetched.slice(0, searchLimits.rankWindow);
  // Else count on, up to the cap (the (id, status) index answers the join, migration 20261128-0110).
  const counted = isWindowAll || searchLimits.totalCap < fetched.length ? fetched.length : Number((await ctx.db.selectFrom(base.select(sql.lit(1).as('one')).limit(searchLimits.totalCap + 1).as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const total = Math.min(counted, searchLimits.totalCap);
  const totalCapped = counted > searchLimits.totalCap;

  if (q.sort) {
    // An explicit sort orders every match, exactly as without a search (only the total is capped).
    return reply(await readPage(ctx, base, page), total, totalCapped);
  }

  // Best matches first, the most recently recorded first among equals (the id: the window reads no request
  // row, only the (id, status) index); then, past the window, the older matches newest first.
  if (!rank && page.offset < window.length) {
    const scores = await match.score(window.map((w) => w.id));
    for (const w of window) w.rank = scores.get(w.id) ?? 0;
  }
  window.sort((a, b) => b.rank - a.rank || b.id - a.id);
  const ids = window.slice(page.offset, page.offset + page.pageSize).map((w) => w.id);
  const end = page.offset + page.pageSize;
  if (!isWindowAll && end > searchLimits.rankWindow) {
    const oldest = window.reduce((m, w) => Math.min(m, w.id), Number.MAX_SAFE_INTEGER);
    const older = await base.select('requests.id').where((eb) => eb(match.key, '<', oldest)).orderBy(match.key, 'desc')
      .limit(end - Math.max(page.offset, searchLimits.rankWindow)).offset(Math.max(0, page.offset - searchLimits.rankWindow)).execute();
    ids.push(...older.map((r) => Number(r.id)));
  }
  return reply(await readRows(ctx, ids), total, totalCapped);
}

/** A look's rows as the window holds them: id and relevance. */
const rankedIds = (rows: ReadonlyArray<{ id: unknown; rank: unknown }>) => rows.map((r) => ({ id: Number(r.id), rank: Number(r.rank) }));

/**
 * The newest `want` matches above `lower` of a plain search (buildFilteredQuery), from the index alone; the merged
 * requests among them are then left out by one read of their ids, looking further when more than a few were merged.
 * Joined to requests, the look read the requests index for every match it visited, up to two and a half times
 * the window (bench/search-probe.ts at 3 million requests on PostgreSQL, per-query medians: p50 31–34 → 27–29 ms,
 * p95 58–61 → 51–52 ms).
 */
async function newestUnmerged(ctx: AppContext, db: Tx, match: SearchMatch, lower: number, rank: RawBuilder<number>, want: number) {
  for (let extra = 32; ; extra *= 4) {
    const look = ctx.db.selectFrom(match.table).where(lower > 0 ? match.within(lower) : match.where).orderBy(match.key, 'desc').limit(want + extra);
    const rows = rankedIds((await db.executeQuery(look.select([match.key.as('id'), rank.as('rank')]).compile())).rows);
    const merged = rows.length
      ? new Set((await db.executeQuery(ctx.db.selectFrom('requests').select('id').where('id', 'in', rows.map((r) => r.id)).where('status', '=', 'merged').compile())).rows.map((r) => Number(r.id)))
      : new Set<number>();
    const kept = rows.filter((r) => !merged.has(r.id));
    if (kept.length >= want || rows.length < want + extra) return kept.slice(0, want);
  }
}

/**
 * One page in the list's order: the ids first (from the filters' indexes alone where they cover the sort,
 * e.g. a busy unit's overdue tab or the centre's overdue list), then the page's rows with their display
 * columns. Selecting whole rows in the sorted query would read every matching row before the sort.
 */
async function readPage(ctx: AppContext, base: Q, page: ReturnType<typeof toPageRequest<(typeof SORTABLE)[keyof typeof SORTABLE]>>) {
  const ids = await base.select('requests.id').orderBy(page.sortColumn, page.sortDir).orderBy('requests.id', page.sortDir)
    .limit(page.pageSize).offset(page.offset).execute();
  return readRows(ctx, ids.map((r) => Number(r.id)));
}

/** The rows of these requests with their display columns, in the order given. */
async function readRows(ctx: AppContext, ids: number[]) {
  if (!ids.length) return [];
  const rows = await withDisplayColumns(ctx.db.selectFrom('requests') as Q).where('requests.id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Counts for the inbox tabs (badges on the unit handler's phone), one query each, at once as listRequests's count and page. */
export async function inboxCounts(ctx: AppContext, actor: Actor) {
  const boxes = ['to-sign', 'handling', 'to-reply', 'due-soon', 'overdue'] as const;
  const counts = await Promise.all(boxes.map(async (box) => {
    const [{ n }] = await (await buildListQuery(ctx, actor, { box })).select((eb) => eb.fn.countAll<number>().as('n')).execute();
    return [box, Number(n)] as const;
  }));
  return Object.fromEntries(counts) as Record<string, number>;
}

