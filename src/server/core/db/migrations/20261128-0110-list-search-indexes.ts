import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers';

// Found by the benchmarks at the city's scale (bench/, 3 million requests), with business time set to the
// end of the generated half-year (ZT_CLOCK_START), so that "overdue" means what it would on that day.
// - A text search counts its matches (up to a cap) joined to requests for the filters: reading a whole
//   request row per match to test `status != 'merged'` was most of the cost. (id, status) answers the
//   join from a small index instead (SQLite: covering index; PostgreSQL: index-only scan).
// - A unit's inbox tabs and their badge counts (handling unit + status, then deadline, overdue mark and
//   pending extension) read this index alone; accepted_at stays third so a one-status tab is read newest
//   first without a sort. Replaces (handling_unit_id, status, accepted_at), a prefix of it.
// - The overdue lists test `is_overdue = 1 OR (reply_due_at < now AND replied_at IS NULL …)` per open
//   request: with replied_at and accepted_at in the index the count and the sort read the index alone.
//   Replaces (status, reply_due_at, is_overdue), a prefix of it.
// - Both end with id (SQLite has it anyway as the rowid): the page's ids then come from the index alone on
//   PostgreSQL too (index-only scan), and only the page's twenty rows are read.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('requests_id_status_idx').ifNotExists().on('requests').columns(['id', 'status']).execute();
  await db.schema.createIndex('requests_inbox_idx').ifNotExists().on('requests')
    .columns(['handling_unit_id', 'status', 'accepted_at', 'reply_due_at', 'is_overdue', 'extension_pending', 'id']).execute();
  await db.schema.dropIndex('requests_handling_time_idx').ifExists().execute();
  await db.schema.createIndex('requests_open_due_cover_idx').ifNotExists().on('requests')
    .columns(['status', 'reply_due_at', 'is_overdue', 'replied_at', 'accepted_at', 'id']).execute();
  await db.schema.dropIndex('requests_open_due_idx').ifExists().execute();
  if (isPostgres(db)) {
    await sql`analyze requests`.execute(db);
    // GIN's pending list (new rows not yet merged into the index) is read by every search: after a bulk
    // write it held 430 pages, and a search that found nothing took 145 ms instead of 7 (150k requests).
    // A 256 kB list keeps that small while inserts still batch; clean what is pending now.
    await sql`alter index request_search_document_idx set (gin_pending_list_limit = 256)`.execute(db);
    await sql`select gin_clean_pending_list('request_search_document_idx'::regclass)`.execute(db);
  } else {
    // Statistics for the new indexes: without them SQLite prefers the table's rowid to the (id, status)
    // index in the search join, which costs a request row read per match.
    for (const index of ['requests_id_status_idx', 'requests_inbox_idx', 'requests_open_due_cover_idx']) await sql`analyze ${sql.id(index)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await sql`alter index request_search_document_idx reset (gin_pending_list_limit)`.execute(db);
  await db.schema.createIndex('requests_open_due_idx').ifNotExists().on('requests').columns(['status', 'reply_due_at', 'is_overdue']).execute();
  await db.schema.dropIndex('requests_open_due_cover_idx').ifExists().execute();
  await db.schema.createIndex('requests_handling_time_idx').ifNotExists().on('requests').columns(['handling_unit_id', 'status', 'accepted_at']).execute();
  await db.schema.dropIndex('requests_inbox_idx').ifExists().execute();
  await db.schema.dropIndex('requests_id_status_idx').ifExists().execute();
}
