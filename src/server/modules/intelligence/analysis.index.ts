import { sql } from 'kysely';
import type { AppContext } from '../../context';
import { addDaysToDate, toLocalDate } from '../../core/calendar';
import type { Database, Tx } from '../../core/db/database';
import { preparedStatement } from '../../core/db/prepared';
import { ensureJob, registerJobHandler, scheduleJob } from '../../core/jobs';
import { getSegmenter, type DocumentFrequencies, type Segmenter } from '../../core/search';
import { addressKey, countTerms, requestTerms } from './duplicates.similarity';

/**
 * The words of each request, kept beside the requests for the analyses: related requests (candidates by shared
 * words, TF-IDF vectors), keyword hotspots (requests per word per day) and monthly topics (words per category and
 * month). Written after the fact, not in the accepting transaction: the interactive paths first index what is
 * new (a few requests), and a recurring durable job catches up with imports and backfills the last
 * ANALYSIS_HORIZON_DAYS of history, newest first.
 *
 * A request's words are taken once, when it is first analysed; its category and district are copied at that
 * moment (a later re-categorisation is not followed).
 */

export const ANALYSIS_HORIZON_DAYS = 400;
/** Requests committed out of id order (a long transaction) are still picked up if they are this close to the newest. */
const LATE_COMMIT_WINDOW = 1000;

interface RequestToIndex {
  id: number;
  title: string | null;
  content: string;
  address: string | null;
  local_date: string;
  category_id: number | null;
  district_unit_id: number | null;
}

/** Words of one request as stored: term frequencies and the address key. */
export function featuresOf(seg: Segmenter, r: Pick<RequestToIndex, 'title' | 'content' | 'address'>): { tf: Map<string, number>; addressKey: string | null } {
  return { tf: countTerms(requestTerms(seg, r.title, r.content)), addressKey: addressKey(r.address) };
}

/** Writes the features of these requests (those not analysed yet) in the caller's transaction; returns how many were new. */
async function writeFeatures(ctx: AppContext, trx: Tx, rows: RequestToIndex[]): Promise<number> {
  if (!rows.length) return 0;
  const seg = await getSegmenter(ctx, trx);
  const now = ctx.clock.now().toISOString();
  const features = rows.map((r) => ({ r, ...featuresOf(seg, r) }));
  // Another instance may be analysing the same requests: only the rows this one inserted add to the counts.
  const featureRows = features.map((f) => ({ request_id: f.r.id, local_date: f.r.local_date, terms: JSON.stringify([...f.tf]), address_key: f.addressKey, indexed_at: now }));
  const inserted = await insertFeatures(ctx, trx, featureRows);
  const terms: TermRow[] = [];
  const days = new Map<string, DayRow>();
  for (const f of features) {
    if (!inserted.has(f.r.id)) continue;
    for (const term of f.tf.keys()) {
      terms.push({ term, request_id: f.r.id, local_date: f.r.local_date, category_id: f.r.category_id, district_unit_id: f.r.district_unit_id });
      const k = `${term}\u0000${f.r.local_date}`;
      const d = days.get(k);
      if (d) d.docs++;
      else days.set(k, { term, local_date: f.r.local_date, docs: 1 });
    }
  }
  await insertTermsAndDays(ctx, trx, terms, [...days.values()]);
  return inserted.size;
}

interface FeatureRow { request_id: number; local_date: string; terms: string; address_key: string | null; indexed_at: string }
interface TermRow { term: string; request_id: number; local_date: string; category_id: number | null; district_unit_id: number | null }
interface DayRow { term: string; local_date: string; docs: number }

/**
 * SQLite: prepared statements on the connection the transaction holds (there is only one), as the bulk request
 * writer and the search index do; PostgreSQL: one `insert … select from unnest(…)` per table and chunk.
 */
const SQLITE_INSERT = {
  feature: 'insert into intelligence_request_features (request_id, local_date, terms, address_key, indexed_at) values (?, ?, ?, ?, ?) on conflict (request_id) do nothing',
  term: 'insert into intelligence_request_terms (term, request_id, local_date, category_id, district_unit_id) values (?, ?, ?, ?, ?) on conflict (term, request_id) do nothing',
  day: 'insert into intelligence_term_days (term, local_date, docs) values (?, ?, ?) on conflict (term, local_date) do update set docs = docs + excluded.docs',
};

async function insertFeatures(ctx: AppContext, trx: Tx, rows: FeatureRow[]): Promise<Set<number>> {
  const inserted = new Set<number>();
  if (ctx.dialect === 'sqlite' && ctx.database.sqlite) {
    const feature = preparedStatement(ctx.database.sqlite, SQLITE_INSERT.feature);
    for (const r of rows) if (feature.run(r.request_id, r.local_date, r.terms, r.address_key, r.indexed_at).changes === 1) inserted.add(r.request_id);
    return inserted;
  }
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    const { rows: ids } = await sql<{ request_id: number }>`insert into intelligence_request_features (request_id, local_date, terms, address_key, indexed_at)
      select * from unnest(${part.map((r) => r.request_id)}::bigint[], ${part.map((r) => r.local_date)}::text[], ${part.map((r) => r.terms)}::text[],
        ${part.map((r) => r.address_key)}::text[], ${part.map((r) => r.indexed_at)}::text[])
      on conflict (request_id) do nothing returning request_id`.execute(trx);
    for (const x of ids) inserted.add(Number(x.request_id));
  }
  return inserted;
}

async function insertTermsAndDays(ctx: AppContext, trx: Tx, terms: TermRow[], days: DayRow[]): Promise<void> {
  if (ctx.dialect === 'sqlite' && ctx.database.sqlite) {
    const term = preparedStatement(ctx.database.sqlite, SQLITE_INSERT.term);
    const day = preparedStatement(ctx.database.sqlite, SQLITE_INSERT.day);
    for (const t of terms) term.run(t.term, t.request_id, t.local_date, t.category_id, t.district_unit_id);
    for (const d of days) day.run(d.term, d.local_date, d.docs);
    return;
  }
  for (let i = 0; i < terms.length; i += 5000) {
    const part = terms.slice(i, i + 5000);
    await sql`insert into intelligence_request_terms (term, request_id, local_date, category_id, district_unit_id)
      select * from unnest(${part.map((t) => t.term)}::text[], ${part.map((t) => t.request_id)}::bigint[], ${part.map((t) => t.local_date)}::text[],
        ${part.map((t) => t.category_id)}::bigint[], ${part.map((t) => t.district_unit_id)}::bigint[])
      on conflict (term, request_id) do nothing`.execute(trx);
  }
  // Each (word, day) once per statement: a row may not be updated twice by one INSERT … ON CONFLICT.
  for (let i = 0; i < days.length; i += 5000) {
    const part = days.slice(i, i + 5000);
    await sql`insert into intelligence_term_days (term, local_date, docs)
      select * from unnest(${part.map((d) => d.term)}::text[], ${part.map((d) => d.local_date)}::text[], ${part.map((d) => d.docs)}::integer[])
      on conflict (term, local_date) do update set docs = intelligence_term_days.docs + excluded.docs`.execute(trx);
  }
}

const SELECT_TO_INDEX = ['requests.id', 'requests.title', 'requests.content', 'requests.address', 'requests.local_date', 'requests.category_id', 'requests.district_unit_id'] as const;

/**
 * Analyses the newest requests not analysed yet (at most `limit`), oldest first so the high-water mark moves
 * forward. Cheap when nothing is new: the interactive paths call it before reading.
 */
export async function indexNewRequests(ctx: AppContext, limit = 500, db: Tx = ctx.db): Promise<number> {
  const run = async (trx: Tx) => {
    const high = await trx.selectFrom('intelligence_request_features').select((eb) => eb.fn.max('request_id').as('m')).executeTakeFirst();
    const from = high?.m == null ? 0 : Number(high.m) - LATE_COMMIT_WINDOW;
    let q = trx.selectFrom('requests').select(SELECT_TO_INDEX).where('requests.id', '>', from)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('intelligence_request_features as f').select('f.request_id').whereRef('f.request_id', '=', 'requests.id'))));
    // With nothing analysed yet, start from the newest requests (the backfill job takes the older ones).
    if (high?.m == null) {
      const newest = await trx.selectFrom('requests').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
      q = q.where('requests.id', '>', Number(newest?.m ?? 0) - limit);
    }
    const rows = await q.orderBy('requests.id').limit(limit).execute();
    return writeFeatures(ctx, trx, rows);
  };
  // Inside a caller's transaction (a job) use it; else a transaction of its own.
  return db === ctx.db ? ctx.db.transaction().execute(run) : run(db);
}

/** Analyses up to `limit` older requests below the lowest analysed one, within the horizon; returns how many. */
export async function backfillRequests(ctx: AppContext, limit: number, db: Tx = ctx.db): Promise<number> {
  const run = async (trx: Tx) => {
    const low = await trx.selectFrom('intelligence_request_features').select((eb) => eb.fn.min('request_id').as('m')).executeTakeFirst();
    if (low?.m == null) return 0;
    const horizon = addDaysToDate(toLocalDate(ctx.clock.now(), ctx.config.timeZone), -ANALYSIS_HORIZON_DAYS);
    const rows = await trx.selectFrom('requests').select(SELECT_TO_INDEX).where('requests.id', '<', Number(low.m)).where('requests.local_date', '>=', horizon)
      .orderBy('requests.id', 'desc').limit(limit).execute();
    return writeFeatures(ctx, trx, rows);
  };
  return db === ctx.db ? ctx.db.transaction().execute(run) : run(db);
}

/** Analyses everything pending (new and, within the horizon, old): for tests, the CLI and the job. */
export async function indexAllRequests(ctx: AppContext, batch = 2000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = (await indexNewRequests(ctx, batch)) + (await backfillRequests(ctx, batch));
    total += n;
    if (n === 0) return total;
  }
}

// —— the recurring job ——

export const INDEX_JOB = 'intelligence.analysis-index';
const INDEX_JOB_KEY = 'intelligence:analysis-index';

/** Each run analyses a batch of new and a batch of old requests, then comes back in a minute (or five, when idle). */
registerJobHandler(INDEX_JOB, async (ctx, trx) => {
  const n = (await indexNewRequests(ctx, 2000, trx)) + (await backfillRequests(ctx, 2000, trx));
  const now = ctx.clock.now();
  await scheduleJob(trx, { kind: INDEX_JOB, runAt: new Date(now.getTime() + (n > 0 ? 60_000 : 300_000)), payload: {}, dedupeKey: INDEX_JOB_KEY, now });
});

/** Makes sure the recurring analysis job exists (an instance that runs jobs calls this at start). */
export async function ensureIndexJob(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now();
  await ensureJob(ctx.db, { kind: INDEX_JOB, runAt: now, payload: {}, dedupeKey: INDEX_JOB_KEY, now });
}

// —— document frequencies ——

const dfCaches = new WeakMap<Database, Map<string, { stats: DocumentFrequencies; at: number; highId: number }>>();
/** IDF moves slowly: recomputed after this long, or when 5 % more requests have been analysed since. */
const DF_MAX_AGE_MS = 10 * 60_000;

/**
 * Document frequencies over the analysed requests accepted from `since` (a local date) on: the IDF of the
 * related-requests vectors. Summing a month of daily counts costs a few hundred milliseconds on a big city, so
 * each instance keeps the result for a while (see DF_MAX_AGE_MS); it is derived data, nothing is lost.
 */
export async function documentFrequenciesSince(ctx: AppContext, since: string, db: Tx = ctx.db): Promise<DocumentFrequencies> {
  let cache = dfCaches.get(ctx.database);
  if (!cache) dfCaches.set(ctx.database, (cache = new Map()));
  const high = Number((await db.selectFrom('intelligence_request_features').select((eb) => eb.fn.max('request_id').as('m')).executeTakeFirst())?.m ?? 0);
  const now = ctx.clock.now().getTime();
  const hit = cache.get(since);
  if (hit && now - hit.at < DF_MAX_AGE_MS && now >= hit.at && high - hit.highId <= Math.max(0, 0.05 * hit.stats.docs)) return hit.stats;
  const docs = await db.selectFrom('intelligence_request_features').select((eb) => eb.fn.countAll<number>().as('n')).where('local_date', '>=', since).executeTakeFirst();
  const rows = await db.selectFrom('intelligence_term_days').select(['term', sql<number>`sum(docs)`.as('docs')]).where('local_date', '>=', since).groupBy('term').execute();
  const stats: DocumentFrequencies = { docs: Number(docs?.n ?? 0), df: new Map(rows.map((r) => [r.term, Number(r.docs)])) };
  // A few windows are in use at a time (today's; the day before, around midnight).
  if (cache.size > 4) cache.delete(cache.keys().next().value!);
  cache.set(since, { stats, at: now, highId: high });
  return stats;
}

/** Parses stored term frequencies. */
export function parseTerms(json: string): Map<string, number> {
  return new Map(JSON.parse(json) as Array<[string, number]>);
}
