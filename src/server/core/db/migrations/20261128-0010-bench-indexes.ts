import { sql, type Kysely } from 'kysely';

// Found by the benchmarks at the city's scale (bench/, BENCHMARKS.md: 3 million requests).
// - A unit's inbox tab (handling unit + status) listed newest first: with accepted_at in the index the page is
//   read in order, not sorted (a busy unit holds ten thousand open orders). Replaces (handling_unit_id, status).
// - The centre's overdue list counts open requests by status and deadline: with is_overdue in the index the
//   count reads the index alone. Replaces (status, reply_due_at).
// - The all-time overdue filter `is_overdue = 1 OR (open AND reply_due_at < now)`: with this partial index
//   PostgreSQL answers it as a bitmap OR of two index scans instead of reading every row.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('requests_handling_time_idx').ifNotExists().on('requests').columns(['handling_unit_id', 'status', 'accepted_at']).execute();
  await db.schema.dropIndex('requests_handling_idx').ifExists().execute();
  await db.schema.createIndex('requests_open_due_idx').ifNotExists().on('requests').columns(['status', 'reply_due_at', 'is_overdue']).execute();
  await db.schema.dropIndex('requests_status_idx').ifExists().execute();
  await db.schema.createIndex('requests_overdue_idx').ifNotExists().on('requests').column('accepted_at').where(sql.ref('is_overdue'), '=', 1).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('requests_overdue_idx').ifExists().execute();
  await db.schema.createIndex('requests_status_idx').ifNotExists().on('requests').columns(['status', 'reply_due_at']).execute();
  await db.schema.dropIndex('requests_open_due_idx').ifExists().execute();
  await db.schema.createIndex('requests_handling_idx').ifNotExists().on('requests').columns(['handling_unit_id', 'status']).execute();
  await db.schema.dropIndex('requests_handling_time_idx').ifExists().execute();
}
