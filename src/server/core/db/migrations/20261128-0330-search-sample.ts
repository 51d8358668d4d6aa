import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers';

// A 1-in-64 sample of the SQLite full-text index, for bm25's document frequencies. FTS5's bm25() counts the
// requests holding each query word on every search, reading the word's whole doclist: at 3 million requests
// that is a million rows for 路 (50 ms), 440,000 three times over for 东湖区 and its parts, and it was most of
// a search's time. When a query's words are that frequent, the application now ranks the window of matches
// itself, with the same formula, and counts a frequent word in this sample instead (a sixty-fourth of the
// reading); a rarer word is still counted exactly in the index. The sample holds the requests whose id is a
// multiple of 64, all three fields in one column; no positions (detail=none): only "which requests hold the
// word" is asked of it.
// PostgreSQL ranks with ts_rank, which has no document frequency: nothing to do there.
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create virtual table request_search_sample using fts5(doc, detail = none, columnsize = 0, tokenize = 'unicode61 remove_diacritics 0')`.execute(db);
  // The existing rows' sample, read by rowid (a multiple of 64 at a time), not by scanning the index's content.
  await sql`
    insert into request_search_sample (rowid, doc)
    with recursive sampled(id) as (
      select 64 union all select id + 64 from sampled where id + 64 <= (select max(rowid) from request_search)
    )
    select s.rowid, s.title || ' ' || s.body || ' ' || s.reply from sampled join request_search s on s.rowid = sampled.id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`drop table if exists request_search_sample`.execute(db);
}
