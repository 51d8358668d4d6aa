import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers';

// A plain text search leaves merged requests out: it asks which of the thousand matches it picked are merged
// (requests.query, newestUnmerged). On PostgreSQL that took a thousand probes of the (id, status) index of
// every request: 1.6 ms with the index in memory, 3.1 ms not (3 million requests). Merged requests are few
// (0.6 % of the generated half-year); in an index of just them the same probes take 0.5 ms, and its twenty
// thousand entries stay in memory (the bench's 50 searches: p50 19.3–20.6 → 18.3–18.7 ms, p95 38.9–40.1 →
// 36.5–36.9 ms, alternating). SQLite keeps probing (id, status), which it prefers even with statistics.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await db.schema.createIndex('requests_merged_idx').ifNotExists().on('requests').column('id').where(sql.ref('status'), '=', sql.lit('merged')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('requests_merged_idx').ifExists().execute();
}
