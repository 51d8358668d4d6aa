import type BetterSqlite3 from 'better-sqlite3';
import { sql, type AliasedRawBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, DialectName, Tx } from '../db/database';
import { copyRows } from '../db/copy';
import { preparedStatement } from '../db/prepared';
import type { DB } from '../db/tables';
import { getSegmenter, loadCityWords } from './dictionary';
import { isPoolBatch, segmentPoolFor, type SegmentPool } from './segment-pool';
import { segmenterFor, type SearchQuery, type Segmenter, type UserWord } from './segmenter';

/**
 * The full-text index of requests (table request_search, created by migration 20261127-2340-search):
 * one row per request holding its segmented title, body (content and address) and reply as tokens joined
 * by spaces. SQLite: an FTS5 table (rowid = request id) ranked by bm25; PostgreSQL: a generated, weighted
 * tsvector with a GIN index, ranked by ts_rank. The row is written in the transaction that changes the
 * request (accept, reply, redo), so a rolled-back change leaves no index row behind.
 */

/** The request fields the index reads. */
export interface RequestText {
  title: string | null;
  content: string;
  address: string | null;
  reply_text: string | null;
}

/** Space-joined tokens per weighted field: title (strongest), body, reply. */
export interface SearchDocument {
  title: string;
  body: string;
  reply: string;
}

export interface IndexTarget {
  database: Database;
  db: Kysely<DB>;
  dialect: DialectName;
}

export function toSearchDocument(seg: Segmenter, r: RequestText): SearchDocument {
  return {
    title: r.title ? seg.searchText(r.title) : '',
    body: seg.searchText(r.address ? `${r.content}\n${r.address}` : r.content),
    reply: r.reply_text ? seg.searchText(r.reply_text) : '',
  };
}

/**
 * Segments bulk batches outside any transaction: on `threads` worker threads (segment-pool.ts) when a
 * batch is big enough and threads can start, else in this thread; same documents either way. The
 * dictionary is read, and the threads started, on the first call (an empty batch only starts them): a
 * bulk run then never waits for the connection a batch's write holds.
 */
export function bulkSegmenter(target: IndexTarget, opts: { threads?: number } = {}): (rows: RequestText[]) => Promise<SearchDocument[]> {
  const threads = opts.threads ?? 0;
  let setup: Promise<{ words: UserWord[]; pool: Promise<SegmentPool | null> }> | null = null;
  return async (rows) => {
    setup ??= loadCityWords(target.db).then((words) => ({ words, pool: threads > 0 ? segmentPoolFor(words, threads) : Promise.resolve(null) }));
    const { words, pool } = await setup;
    if (isPoolBatch(rows.length)) {
      const p = await pool;
      // A worker that died leaves this batch to this thread.
      const docs = p && await p.documents(rows.map((r) => ({ title: r.title, content: r.content, address: r.address, reply_text: r.reply_text }))).catch(() => null);
      if (docs) return docs;
    }
    if (!rows.length) return [];
    // This thread's segmenter only when it segments: building one loads jieba (about a second), which
    // would otherwise delay the threads' start and hold up the writer.
    const seg = segmenterFor(words);
    return rows.map((r) => toSearchDocument(seg, r));
  };
}

const SQLITE_INDEX = {
  insert: 'insert into request_search (rowid, title, body, reply) values (?, ?, ?, ?)',
  remove: 'delete from request_search where rowid = ?',
  sampleInsert: 'insert into request_search_sample (rowid, doc) values (?, ?)',
  sampleRemove: 'delete from request_search_sample where rowid = ?',
};

// SQLite: the requests whose id is a multiple of this are indexed in request_search_sample too, where
// bm25's document frequency of a frequent word is counted (migration 20261128-0330, which sampled the
// existing rows with the same 64).
const SAMPLE_EVERY = 64;

const isSampled = (id: number) => id % SAMPLE_EVERY === 0;
/** A document's fields in bm25's column order: title, body, reply. */
const columnsOf = (doc: SearchDocument) => [doc.title, doc.body, doc.reply];
const sampleText = (doc: SearchDocument) => columnsOf(doc).join(' ');

/**
 * Writes index rows inside the caller's transaction. `replace` for requests that may have a row already
 * (a reply, a redo, a re-index); new requests skip the delete. On SQLite the rows go through prepared
 * statements on the connection the transaction holds (there is only one), which is what makes bulk
 * imports fast.
 */
export async function writeSearchDocuments(trx: Tx, target: IndexTarget, docs: Array<{ id: number; doc: SearchDocument }>, opts: { replace: boolean }): Promise<void> {
  if (!docs.length) return;
  if (target.dialect === 'sqlite') {
    const insert = preparedStatement(target.database.sqlite!, SQLITE_INDEX.insert);
    const remove = opts.replace ? preparedStatement(target.database.sqlite!, SQLITE_INDEX.remove) : null;
    for (const { id, doc } of docs) {
      remove?.run(id);
      insert.run(id, doc.title, doc.body, doc.reply);
      if (isSampled(id)) writeSample(target, id, doc, opts.replace);
    }
    return;
  }
  if (!opts.replace) {
    await copyRows(trx, 'request_search', ['request_id', 'title', 'body', 'reply'], docs.map((d) => ({ request_id: d.id, ...d.doc })));
    return;
  }
  for (let i = 0; i < docs.length; i += 2000) {
    const part = docs.slice(i, i + 2000);
    await sql`insert into request_search (request_id, title, body, reply)
      select * from unnest(${part.map((d) => d.id)}::bigint[], ${part.map((d) => d.doc.title)}::text[], ${part.map((d) => d.doc.body)}::text[], ${part.map((d) => d.doc.reply)}::text[])
      on conflict (request_id) do update set title = excluded.title, body = excluded.body, reply = excluded.reply`.execute(trx);
  }
}

function writeSample(target: IndexTarget, id: number, doc: SearchDocument, replace: boolean): void {
  if (replace) preparedStatement(target.database.sqlite!, SQLITE_INDEX.sampleRemove).run(id);
  preparedStatement(target.database.sqlite!, SQLITE_INDEX.sampleInsert).run(id, sampleText(doc));
}

/**
 * (Re)writes the index row of one request from its current fields, inside the caller's transaction:
 * the one call the requests module makes on accept, reply and redo.
 */
export async function indexRequest(target: IndexTarget, trx: Tx, requestId: number): Promise<void> {
  const r = await trx.selectFrom('requests').select(['title', 'content', 'address', 'reply_text']).where('id', '=', requestId).executeTakeFirst();
  if (!r) return;
  const seg = await getSegmenter(target, trx);
  await writeSearchDocuments(trx, target, [{ id: requestId, doc: toSearchDocument(seg, r) }], { replace: true });
}

/**
 * Index rows for requests written by a bulk path, in its transaction: has the shape of
 * requests.bulk's BatchHook, so `writeRequestBatch(database, batch, [searchIndexHook(ctx)])` indexes too.
 */
export function searchIndexHook(target: IndexTarget, opts: { threads?: number } = {}): SearchIndexHook {
  const write = async (trx: Tx, rows: Array<RequestText & { id: number }>, docs?: unknown) => {
    let ready = docs as SearchDocument[] | undefined;
    if (!ready || ready.length !== rows.length) {
      const seg = await getSegmenter(target, trx);
      ready = rows.map((r) => toSearchDocument(seg, r));
    }
    await writeSearchDocuments(trx, target, rows.map((r, i) => ({ id: r.id, doc: ready[i] })), { replace: false });
  };
  // Segmentation before the transaction (on other threads), so the writer can pipeline batches.
  return Object.assign(write, { prepare: bulkSegmenter(target, opts) });
}

/** The hook's shape: the write in the batch's transaction, and the work it can do before it (see requests.bulk's BatchHook). */
export type SearchIndexHook = ((trx: Tx, rows: Array<RequestText & { id: number }>, docs?: unknown) => Promise<void>) & {
  prepare: (rows: RequestText[]) => Promise<SearchDocument[]>;
};

/** Re-indexes requests with id > afterId, `limit` of them, in the caller's transaction; returns the last id done (null when none was left). */
export async function reindexRequests(target: IndexTarget, trx: Tx, afterId: number, limit: number): Promise<{ lastId: number | null; count: number }> {
  const rows = await trx.selectFrom('requests').select(['id', 'title', 'content', 'address', 'reply_text']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  if (!rows.length) return { lastId: null, count: 0 };
  const seg = await getSegmenter(target, trx);
  await writeSearchDocuments(trx, target, rows.map((r) => ({ id: r.id, doc: toSearchDocument(seg, r) })), { replace: true });
  return { lastId: rows[rows.length - 1].id, count: rows.length };
}

/** The stored tokens of requests (for analysis that should not segment again): id → document. */
export async function readSearchDocuments(db: Tx, dialect: DialectName, ids: number[]): Promise<Map<number, SearchDocument>> {
  const out = new Map<number, SearchDocument>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const { rows } = dialect === 'sqlite'
      ? await sql<SearchDocument & { id: number }>`select rowid as id, title, body, reply from request_search where rowid in (${sql.join(part)})`.execute(db)
      : await sql<SearchDocument & { id: number }>`select request_id as id, title, body, reply from request_search where request_id in (${sql.join(part)})`.execute(db);
    for (const r of rows) out.set(Number(r.id), { title: r.title, body: r.body, reply: r.reply });
  }
  return out;
}

// Title matches count three times a body match, a reply match half (bm25 column weights; PostgreSQL's
// ts_rank weights A 1.0, B 0.4, C 0.2 give about the same proportions). k1 and b are FTS5's own
// (fts5_aux.c): scoreBm25 computes what bm25() computes.
const BM25 = { k1: 1.2, b: 0.75, weights: [3.0, 1.0, 0.5] } as const;
const BM25_WEIGHTS = sql.raw(BM25.weights.map((w) => w.toFixed(1)).join(', '));
// A word held by fewer requests than this is counted exactly in the index (at most this many doclist rows,
// about a millisecond); above it, in the sample (request_search_sample), where its count stays within a few
// percent (about 1/√(n/64)), and its bm25 weight within a few thousandths.
const EXACT_COUNT_BELOW = 20_000;

/**
 * When bm25() itself ranks (in the query that walks the matches) and when scoreBm25 does (a second pass
 * over the window's stored tokens). bm25() reads every row of every query word's doclist to count it,
 * about 50 ns a row; scoreBm25 costs about 10 ms whatever the words (reading the window's thousand rows
 * and counting the words in them; at 3 million requests, measured). Up to this many rows over all the words, bm25() is the cheaper. Tests lower it.
 */
export const rankingLimits = { directBm25MaxRows: 300_000 };

function renderFts5(query: SearchQuery): string {
  const alt = (tokens: string[]) => (tokens.length === 1 ? `"${tokens[0]}"` : `(${tokens.map((t) => `"${t}"`).join(' AND ')})`);
  return query.map((term) => (term.length === 1 ? alt(term[0]) : `(${term.map(alt).join(' OR ')})`)).join(' AND ');
}

function renderTsQuery(query: SearchQuery): string {
  const alt = (tokens: string[]) => (tokens.length === 1 ? `'${tokens[0]}'` : `(${tokens.map((t) => `'${t}'`).join(' & ')})`);
  return query.map((term) => (term.length === 1 ? alt(term[0]) : `(${term.map(alt).join(' | ')})`)).join(' & ');
}

/** How a list query joins the full-text index: every piece refers to the index table as `search_hits`. */
export interface SearchMatch {
  /** The index table, aliased `search_hits`, to inner join on `on`. */
  table: AliasedRawBuilder<{ request_id: number }, 'search_hits'>;
  on: RawBuilder<SqlBool>;
  /** The match itself; put it in the WHERE clause (FTS5's MATCH must not sit in an outer join's ON). */
  where: RawBuilder<SqlBool>;
  /**
   * Relevance, higher is better, computed per output row: select it only for the rows you rank. Null when
   * it is cheaper computed afterwards, for the rows found: then call `score`.
   */
  rank: RawBuilder<number> | null;
  /** The same relevance for these matching requests (ids), by id, in a second pass. */
  score: (ids: number[]) => Promise<Map<number, number>>;
  /**
   * The index's key (= requests.id). Ordering by it DESC walks the matches newest first: FTS5 reads its
   * doclist backwards and stops at the LIMIT, so "the newest K matches" costs K rows however frequent
   * the words are. (Ordering by requests.id instead would make SQLite collect and sort every match.)
   * PostgreSQL's GIN has no order: it finds every match and sorts them (top-N), which is its cost.
   */
  key: RawBuilder<number>;
  /**
   * Where to look next for the newest `want` matches: a lower bound of the request id (exclusive), or 0 for
   * everything. `last`: what the previous look (above `last.lower`) found, fewer than wanted. A list looks
   * among the requests above a bound with `within`, and at every match with `where`. SQLite: always 0 (FTS5
   * walks its doclist newest first anyway). PostgreSQL: GIN finds every match and visits each one's row before
   * the newest can be picked, e.g. 40,000 rows for a word in 1 % of 3 million requests; looking among the
   * newest 200,000 requests first, 2,000.
   */
  nextLook: (want: number, last?: { lower: number; found: number }) => Promise<number>;
  /**
   * Runs the looks (queries that walk or pick the newest matches, a window's worth) on one connection: on
   * PostgreSQL in a transaction without parallel workers. The planner chose a parallel plan for a look when its
   * statistics were fresh, and starting the workers cost more than the look (停电 at 300,000 requests: 41 ms
   * against 11 ms on one process, on 2 cores).
   */
  looks: <T>(run: (db: Tx) => Promise<T>) => Promise<T>;
  /**
   * The match among the requests above `lower` (in place of `where`, on a query joined to `table`); on PostgreSQL
   * among whole spans of ids, exactly those above a bound nextLook gave.
   */
  within: (lower: number) => RawBuilder<SqlBool>;
}

/**
 * How PostgreSQL finds the newest matches (tests lower them to cross them with a handful of requests):
 * - walkMinShare: a query's words this frequent (share of all requests, estimateShares) are found fastest by
 *   walking the requests newest first and testing each (1,000 matches of a word in 5 % of the requests: about
 *   20,000 rows), not by GIN, which lists every match first (a million for 路). Measured at 3 million requests:
 *   a walk tests about 700 rows a millisecond (物业费, 1.4 %: 82,000 rows, 118 ms, against 347 ms by GIN).
 * - spanFactor: a text search looks first among the newest requests that should hold this many times the
 *   matches it wants (SearchMatch.nextLook).
 */
export const walkLimits = { walkMinShare: 0.05, spanFactor: 1.5 };

/**
 * The requests matching a query, as the pieces of a join (SearchMatch). The index table is joined
 * directly, not as a derived table: a derived table would be materialised, ranking every match.
 * Tokens hold only letters and digits (tokenPieces), so quoting them is enough to keep the query syntax
 * out of the user's hands. On SQLite, first counts the query's words in the sample (a millisecond or
 * two) to choose who ranks: bm25() or scoreBm25. On SQLite, never call it (or `score`) inside a
 * transaction: both wait for the one connection, which the transaction holds.
 */
export async function matchRequests(target: Pick<IndexTarget, 'database' | 'dialect'>, query: SearchQuery, opts: { walkable?: boolean } = {}): Promise<SearchMatch> {
  const { database } = target;
  if (target.dialect === 'sqlite') {
    // On the raw handle, with statements prepared once (through Kysely, which prepares each query anew,
    // reading the window took twice as long), holding the one connection so that no other request's
    // transaction is open on it meanwhile.
    const onConnection = <T>(f: (sqlite: BetterSqlite3.Database) => T) => database.db.connection().execute(async () => f(database.sqlite!));
    const plan = query.length ? await onConnection((sqlite) => planRanking(sqlite, query)) : null;
    const where = query.length ? sql<SqlBool>`search_hits.request_search match ${renderFts5(query)}` : sql<SqlBool>`0 = 1`;
    return {
      table: sql<{ request_id: number }>`request_search`.as('search_hits'),
      on: sql<SqlBool>`search_hits.rowid = requests.id`,
      // FTS5's MATCH and bm25 take the table's hidden column, named after the table (not the alias).
      where,
      rank: !plan || plan.direct ? sql<number>`-bm25(search_hits.request_search, ${BM25_WEIGHTS})` : null,
      score: (ids) => (plan ? onConnection((sqlite) => scoreBm25(sqlite, query, plan, ids)) : Promise.resolve(new Map())),
      key: sql<number>`search_hits.rowid`,
      nextLook: async () => 0,
      looks: (run) => run(database.db),
      within: (lower) => sql<SqlBool>`${where} and search_hits.rowid > ${lower}`,
    };
  }
  const tsq = sql`to_tsquery('simple', ${query.length ? renderTsQuery(query) : ''})`;
  const shares = query.length ? await estimateShares(database, query) : null;
  const walk = !!opts.walkable && shares !== null && shares.query >= walkLimits.walkMinShare;
  const rank = sql<number>`ts_rank(search_hits.document, ${tsq})`;
  // Through GIN: the index's expression, the document with its span lexeme (SPANNED). A walk tests each row's
  // document as it goes, newest first.
  const where = !query.length ? sql<SqlBool>`1 = 0` : walk ? sql<SqlBool>`search_hits.document @@ ${tsq}` : sql<SqlBool>`${SPANNED} @@ ${tsq}`;
  let newest: number | undefined;
  let looks = 0;
  return {
    table: sql<{ request_id: number }>`request_search`.as('search_hits'),
    on: sql<SqlBool>`search_hits.request_id = requests.id`,
    where,
    rank,
    score: async (ids) => {
      if (!ids.length) return new Map();
      const { rows } = await sql<{ id: number; rank: number }>`select request_id as id, ${rank} as rank from request_search as search_hits where request_id in (${sql.join(ids)})`.execute(database.db);
      return new Map(rows.map((r) => [Number(r.id), Number(r.rank)]));
    },
    // Ordered by the bare key, the planner walks the index's primary key backwards and tests each row: right
    // for frequent words (walkLimits), but it also does so for rare ones, trusting GIN's estimate of matches
    // (often ten times too high), and then reads the whole table. Ordered by an expression (`+ 0`), it takes
    // GIN's matches and sorts them (measured: 760 → 96 ms for a rare word at 150k requests).
    key: walk ? sql<number>`search_hits.request_id` : sql<number>`search_hits.request_id + 0`,
    // First among the newest requests that should hold `want` matches spanFactor times over by the rarest term's
    // share, in whole spans (about 1.5 × want rows visited, and the rest of the lowest span: 2 → 1.5 took the p50
    // of the bench's searches at 3 million requests from 36–44 to 34–36 ms). Found too few: once more, over a span
    // sized by the matches found (ids have gaps, and shares are estimates), unless they were too few to size it
    // (SIZING_MATCHES); then every match, where GIN visits only the rows that hold every word. Widening in fixed
    // steps cost more than it saved (餐馆 油烟, no match: 241 ms at 3 million requests).
    nextLook: async (want, last) => {
      if (walk || !shares) return 0;
      newest ??= Number((await sql<{ id: number | null }>`select max(request_id) as id from request_search`.execute(database.db)).rows[0]?.id ?? 0);
      looks++;
      // The span of ids that should hold want × spanFactor matches, at the share estimated, or seen last time.
      // A second narrow look visits about want × spanFactor matches, every match all of them (seen × newest):
      // the fewer wins.
      let share = !last ? Math.min(...shares.terms) : 0;
      if (last && looks === 2 && last.found >= SIZING_MATCHES) {
        const seen = last.found / (newest - last.lower);
        if (walkLimits.spanFactor * want < seen * newest) share = seen;
      }
      const lower = share > 0 ? spanStart(newest - Math.ceil((walkLimits.spanFactor * want) / share)) : 0;
      return lower > 0 && (!last || lower < last.lower) ? lower : 0;
    },
    looks: (run) => database.db.transaction().execute(async (trx) => {
      await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
      return run(trx);
    }),
    // The spans from lower's up to the newest, as words of the query: GIN finds just the matches in them, and
    // no row is read to test the bound. A bound from nextLook is where a span starts, so the spans hold the
    // requests above it and no others.
    within: (lower) => {
      const first = spanOf(lower + 1);
      const spans = Array.from({ length: Math.max(spanOf(newest ?? 0), first) - first + 1 }, (_, i) => `'${SPAN_PREFIX}${first + i}'`);
      return sql<SqlBool>`${SPANNED} @@ (${tsq} && ${spans.join(' | ')}::tsquery)`;
    },
  };
}

// Matches a first look must have found for their share to size a second look: the share seen is then within about a
// fifth (1/√32). A word of the season gone by is rare among the newest requests and common before: 暖气不热 at 3
// million requests, 120 of its 24,434 matches among the newest 134,000. With an eighth of the window required
// instead, it looked at every match next, reading 23,155 table pages for their ids (188 ms; 604 ms cold).
const SIZING_MATCHES = 32;

// PostgreSQL's full-text index (migration 20261206-1900) holds each request's document and one lexeme naming
// its span of ids: SPAN_PREFIX and id >> SPAN_BITS. A query written with the index's exact expression can
// name the spans it looks in as words. A look starts where a span starts (spanStart: the bound below its
// first id).
const SPAN_BITS = 17;
const SPAN_PREFIX = '#';
const SPANNED = sql.raw(`(search_hits.document || array_to_tsvector(array['${SPAN_PREFIX}' || (search_hits.request_id >> ${SPAN_BITS})::text]))`);
const spanOf = (id: number) => Math.floor(id / 2 ** SPAN_BITS);
const spanStart = (id: number) => Math.max(0, spanOf(id) * 2 ** SPAN_BITS - 1);

/**
 * PostgreSQL: the share of the indexed requests that match `query`, and each of its terms, estimated from
 * ANALYZE's statistics of the document column: its most common lexemes (1,000 by default) with their
 * frequencies; a lexeme not among them is taken as frequent as the rarest that is. The pieces of one word (a
 * term's alternative, e.g. 垃圾 清运 for 垃圾清运) nearly always stand together: such an alternative is as frequent
 * as its rarest piece (taken as independent, 垃圾 & 清运 came out 30 times too rare at 300,000 requests, and the
 * search visited every match). Separate words count as independent. Null without statistics.
 */
async function estimateShares(database: Database, query: SearchQuery): Promise<{ query: number; terms: number[] } | null> {
  const tokens = [...new Set(query.flat(2).map((t) => t.toLowerCase()))];
  // pg_stats is PostgreSQL's documented view; should a release read it differently, the search still works,
  // looking at every match as it did before these estimates (never inside a transaction: a failed statement
  // would abort it).
  const rows = await sql<{ token: string | null; freq: number | null; floor: number | null }>`
    select u.token, u.freq, s.most_common_elem_freqs[cardinality(s.most_common_elems::text::text[]) + 1] as floor
    from pg_stats s left join lateral unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) as u(token, freq) on u.token = any(${tokens})
    where s.schemaname = current_schema() and s.tablename = 'request_search' and s.attname = 'document'`.execute(database.db).then((r) => r.rows, () => []);
  if (!rows.length || rows[0].floor == null) return null;
  const floor = Number(rows[0].floor);
  const freq = new Map(rows.filter((r) => r.token != null).map((r) => [r.token!, Number(r.freq)]));
  const share = (token: string) => freq.get(token.toLowerCase()) ?? floor;
  const terms = query.map((term) => Math.min(1, term.reduce((any, alt) => any + Math.min(...alt.map(share)), 0)));
  return { query: terms.reduce((all, t) => all * t, 1), terms };
}

const SQLITE_RANK = {
  documents: 'select rowid as id, title, body, reply from request_search where rowid in (select value from json_each(?))',
  indexTotals: 'select block from request_search_data where id = 1',
  sampleTotals: 'select block from request_search_sample_data where id = 1',
  indexCount: 'select count(*) as n from request_search where request_search match ?',
  sampleCount: 'select count(*) as n from request_search_sample where request_search_sample match ?',
};

interface IndexTotals {
  rows: number;
  tokens: number;
}

/** What ranking a query needs to know: the index's totals, each word's count in the sample, and who ranks. */
interface RankingPlan {
  totals: IndexTotals | null;
  sample: IndexTotals | null;
  sampled: Map<string, number>;
  direct: boolean;
}

function planRanking(sqlite: BetterSqlite3.Database, query: SearchQuery): RankingPlan {
  const totals = readIndexTotals(sqlite, SQLITE_RANK.indexTotals);
  const sample = readIndexTotals(sqlite, SQLITE_RANK.sampleTotals);
  const sampled = new Map<string, number>();
  for (const token of query.flat(2)) if (!sampled.has(token)) sampled.set(token, (preparedStatement(sqlite, SQLITE_RANK.sampleCount).get(`"${token}"`) as { n: number }).n);
  // bm25() reads each phrase's doclist: a token in two phrases twice. Without a sample yet (fewer than 64
  // requests), at most every row for each.
  const rowsOf = (token: string) => (!totals ? 0 : sample ? (sampled.get(token)! * totals.rows) / sample.rows : totals.rows);
  const rows = query.flat(2).reduce((n, token) => n + rowsOf(token), 0);
  return { totals, sample, sampled, direct: rows <= rankingLimits.directBm25MaxRows };
}

/**
 * bm25 of these requests for the query, as FTS5's bm25() with BM25's column weights computes it (negated:
 * higher is better), from the stored tokens: per query token ("phrase"), its weighted count in the row
 * against the row's length, times its inverse document frequency, summed in the phrases' order. The only
 * difference is where a frequent word's count of requests comes from: the sample, not the whole doclist
 * (documentFrequency). With every word under EXACT_COUNT_BELOW the scores are bm25()'s (the tests compare).
 */
function scoreBm25(sqlite: BetterSqlite3.Database, query: SearchQuery, plan: RankingPlan, ids: number[]): Map<number, number> {
  const scores = new Map<number, number>();
  if (!ids.length) return scores;
  const docs = preparedStatement(sqlite, SQLITE_RANK.documents).all(JSON.stringify(ids)) as Array<SearchDocument & { id: number }>;
  const totals = plan.totals ?? windowTotals(docs);
  const phrases = query.flat(2);
  const idf = phrases.map((token) => inverseDocumentFrequency(totals.rows, documentFrequency(sqlite, token, totals.rows, plan)));
  const avgdl = totals.tokens / totals.rows;
  const freq = new Float64Array(phrases.length);
  for (const doc of docs) {
    let length = 0;
    freq.fill(0);
    const columns = columnsOf(doc);
    for (let column = 0; column < columns.length; column++) {
      const text = columns[column];
      if (!text) continue;
      length += tokensIn(text);
      for (let i = 0; i < phrases.length; i++) freq[i] += BM25.weights[column] * countOf(text, phrases[i]);
    }
    let score = 0;
    for (let i = 0; i < phrases.length; i++) score += idf[i] * ((freq[i] * (BM25.k1 + 1.0)) / (freq[i] + BM25.k1 * (1 - BM25.b + (BM25.b * length) / avgdl)));
    scores.set(Number(doc.id), score);
  }
  return scores;
}

/**
 * How many times `token` stands as a whole token in space-joined `text` (a space: how many separators).
 * Searching the string natively, rather than splitting it, spares a thousand rows' worth of small strings.
 */
function countOf(text: string, token: string): number {
  let n = 0;
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) {
    const end = at + token.length;
    if (token === ' ' || ((at === 0 || text.charCodeAt(at - 1) === SPACE) && (end === text.length || text.charCodeAt(end) === SPACE))) n++;
  }
  return n;
}

const SPACE = 32;

/** Tokens in a non-empty space-joined text. */
const tokensIn = (text: string) => countOf(text, ' ') + 1;

/** bm25's IDF, floored as FTS5 floors it (a word in more than half the rows would weigh less than nothing). */
function inverseDocumentFrequency(rows: number, hits: number): number {
  const idf = Math.log((rows - hits + 0.5) / (hits + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

/** How many indexed requests hold the token: exactly when few do, else estimated from its count in the sample. */
function documentFrequency(sqlite: BetterSqlite3.Database, token: string, rows: number, plan: RankingPlan): number {
  const sampled = plan.sampled.get(token) ?? 0;
  if (plan.sample && sampled * SAMPLE_EVERY >= EXACT_COUNT_BELOW) return Math.min(rows, Math.round((sampled * rows) / plan.sample.rows));
  return (preparedStatement(sqlite, SQLITE_RANK.indexCount).get(`"${token}"`) as { n: number }).n;
}

/**
 * Rows and tokens (all columns) of an FTS5 table: its "averages" record (rowid 1 of the %_data table, kept
 * by FTS5 at every commit: a varint row count, then a varint token count per column), what bm25() itself
 * reads (xRowCount, xColumnTotalSize). Null when the table has none yet.
 */
function readIndexTotals(sqlite: BetterSqlite3.Database, statement: string): IndexTotals | null {
  const row = preparedStatement(sqlite, statement).get() as { block: Uint8Array } | undefined;
  const values = row ? readVarints(row.block) : [];
  if (!values[0]) return null;
  return { rows: values[0], tokens: values.slice(1).reduce((a, b) => a + b, 0) };
}

/** Totals from the window alone, should the index's record be missing: the ranking still orders by tf and length. */
function windowTotals(docs: SearchDocument[]): IndexTotals {
  let tokens = 0;
  for (const d of docs) for (const text of columnsOf(d)) if (text) tokens += tokensIn(text);
  return { rows: Math.max(docs.length, 1), tokens: Math.max(tokens, 1) };
}

/** SQLite's varints (FTS5 uses the same): big-endian 7 bits a byte while the high bit is set, a ninth byte whole. */
function readVarints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let v = 0;
    for (let n = 0; i < bytes.length; n++) {
      const byte = bytes[i++];
      if (n === 8) {
        v = v * 256 + byte;
        break;
      }
      v = v * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    out.push(v);
  }
  return out;
}
