import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers';

// PostgreSQL only (SQLite's FTS5 walks its doclists newest first and needs nothing of this).
// A text search ranks the newest 1,000 matches (requests.query searchLimits), so it looks first among the
// newest requests. GIN has no order, and bounding its matches by id through the primary key read every id in
// the bound (a word in 1 % of the requests: 200,000 ids, 35 ms) before any match was known. The full-text
// index now holds, beside a request's words, one lexeme naming its span of 131,072 ids ('#' and id >> 17; the
// segmenter's tokens are letters and digits, so none is ever a word): "among the newest" is then a word of the
// query (`'停电' & ('#22' | '#23')`), and GIN intersects it with the other words before any row is read
// (停电 at 300,000 requests, with spans of 16,384 ids: 46 → 9 ms). Spans this wide are longer lists than a
// searched word's, so GIN steps through the word's list and skips in the spans' (幸福 & 小区 among the newest
// million of 3 million requests: 20 ms; with spans of 16,384 ids, whose lists GIN stepped through instead,
// 200 ms). The plain index on the document is replaced: the new one answers every query the old one did.
// Searches write the same expression (core/search/request-index.ts).
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create index request_search_span_idx on request_search
    using gin ((document || array_to_tsvector(array['#' || (request_id >> 17)::text]))) with (gin_pending_list_limit = 256)`.execute(db);
  await sql`drop index if exists request_search_document_idx`.execute(db);
  await sql`analyze request_search`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create index request_search_document_idx on request_search using gin (document) with (gin_pending_list_limit = 256)`.execute(db);
  await sql`drop index if exists request_search_span_idx`.execute(db);
}
