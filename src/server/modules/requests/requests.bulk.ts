import { availableParallelism } from 'node:os';
import type { Selectable } from 'kysely';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database, Tx } from '../../core/db/database';
import { copyRows } from '../../core/db/copy';
import { preparedStatement } from '../../core/db/prepared';
import type { DB, WorkflowEventsTable } from '../../core/db/tables';
import type { OrderRow, RequestRow } from './requests.repository';
import { accumulate, KPI_COUNTERS } from './requests.rollup';
import type { RequestKpiRollupTable } from './requests.tables';

/**
 * The bulk path for requests (history generation, imports): many complete rows — request, its orders,
 * its timeline events — written in one transaction per batch with the KPI rollup deltas of exactly
 * those rows and the day counters, so the rollup and the numbering stay right after every batch.
 * SQLite writes through prepared statements; PostgreSQL through one COPY per table (core/db/copy).
 * Ids are given by the caller (see reserveIds): orders refer to each other, and
 * a merged request to its target, before anything is written. Run it while nobody else writes requests.
 */

export type EventRow = Omit<Selectable<WorkflowEventsTable>, 'id'>;

export interface RequestBatch {
  requests: RequestRow[];
  orders: OrderRow[];
  events: EventRow[];
  /** The last sequence number used per local day after this batch (numbers are gap-free per day). */
  counters: Array<{ day: string; last_seq: number }>;
  /** The KPI rollup rows these rows add (rollupOf), when the batch's builder computed them. */
  rollup?: RequestKpiRollupTable[];
}

/**
 * Something another module writes beside each batch in the same transaction (e.g. a search index). The
 * optional `prepare` does the hook's heavy work outside the transaction — the writer may run it while the
 * previous batch is being written — and its result comes back to the hook as `prepared`.
 */
export type BatchHook = ((trx: Tx, rows: RequestRow[], prepared?: unknown) => Promise<void>) & {
  prepare?: (rows: RequestRow[]) => Promise<unknown>;
};

const REQUEST_COLUMNS = [
  'id', 'number', 'kind', 'channel_id', 'type', 'urgency', 'title', 'content', 'category_id', 'district_unit_id', 'street_unit_id', 'address', 'lat', 'lng',
  'requester_name', 'requester_phone', 'is_anonymous', 'is_confidential', 'enterprise_name', 'enterprise_credit_code', 'status', 'version', 'accepted_at',
  'accepted_by', 'local_date', 'local_month', 'lead_unit_id', 'handling_unit_id', 'dispatched_at', 'sign_due_at', 'signed_at', 'reply_due_at', 'due_at',
  'replied_at', 'reply_result', 'reply_text', 'reviewed_at', 'callback_at', 'callback_attempts', 'callback_resolved', 'callback_satisfaction',
  'callback_unreachable', 'closed_at', 'closed_on_time', 'is_direct', 'sign_overdue', 'is_overdue', 'extension_pending', 'extension_requested_at',
  'extension_days', 'extension_reason', 'extension_days_granted', 'return_count', 'redo_count', 'urge_count', 'is_supervised', 'merged_into_id', 'source',
  'source_ref', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof RequestRow>;

const ORDER_COLUMNS = [
  'id', 'request_id', 'unit_id', 'role', 'parent_order_id', 'status', 'dispatched_at', 'dispatched_by', 'sign_due_at', 'signed_at', 'signed_on_time',
  'returned_at', 'return_reason', 'replied_at', 'local_date',
] as const satisfies ReadonlyArray<keyof OrderRow>;

const EVENT_COLUMNS = ['entity', 'entity_id', 'action', 'from_state', 'to_state', 'actor_id', 'actor_name', 'unit_id', 'at', 'payload'] as const satisfies ReadonlyArray<keyof EventRow>;

const BULK_TABLES = ['requests', 'request_orders', 'workflow_events'];
// PostgreSQL also drops the search index's GIN: inserted batch by batch it merges its pending list every
// 256 kB (100k requests: 14.8 s writing the search rows with it, 8.7 s without, then 2 s to build it).
const PG_BULK_TABLES = [...BULK_TABLES, 'request_search'];
// Memory for rebuilding those indexes on PostgreSQL (the server's default, 64 MB, spills every big sort to disk).
const PG_REBUILD_MEMORY = '512MB';

/**
 * Readies a database for a long bulk write and returns what undoes it. On SQLite: a page cache big
 * enough for the indexes. When the request tables start empty, their secondary indexes are dropped and
 * rebuilt at the end — one sort per index instead of millions of random B-tree inserts (PostgreSQL's
 * foreign keys between them too). Unique indexes and primary keys stay, so numbering and ids are checked
 * all along.
 */
export async function beginBulkWrite(database: Database): Promise<() => Promise<void>> {
  const restoreConnection = tuneBulkConnection(database);
  const empty = !(await database.db.selectFrom('requests').select('id').limit(1).executeTakeFirst())
    && !(await database.db.selectFrom('workflow_events').select('id').limit(1).executeTakeFirst());
  if (!empty) return async () => restoreConnection();
  const indexes = database.dialect === 'sqlite'
    ? (await sql<{ name: string; ddl: string }>`select name, sql as ddl from sqlite_master where type = 'index' and sql is not null and sql not like 'create unique%' and tbl_name in (${sql.join(BULK_TABLES)})`.execute(database.db)).rows
    : (await sql<{ name: string; ddl: string }>`select indexname as name, indexdef as ddl from pg_indexes where schemaname = current_schema() and tablename in (${sql.join(PG_BULK_TABLES)})
        and indexdef not like 'CREATE UNIQUE%'`.execute(database.db)).rows;
  for (const ix of indexes) await sql`drop index ${sql.id(ix.name)}`.execute(database.db);
  // PostgreSQL checks a foreign key row by row (a lookup of the request for each index row and order: 6 µs a
  // row); added back at the end, it is checked by one join.
  const foreignKeys = database.dialect === 'postgres' ? await postgresForeignKeys(database.db, sql`t.relname in (${sql.join(PG_BULK_TABLES)})`) : [];
  for (const fk of foreignKeys) await sql.raw(fk.drop).execute(database.db);
  return async () => {
    // The connection's own page cache first (SQLite): in the bulk write's gigabyte, SQLite would sort each
    // index as one run in memory, on one thread.
    restoreConnection();
    if (database.dialect === 'postgres') {
      await rebuildPostgresIndexes(database, indexes.map((ix) => ix.ddl));
      // After the indexes: adding a foreign key locks out index builds on both its tables.
      for (const fk of foreignKeys) await sql.raw(fk.add).execute(database.db);
    }
    else await database.db.connection().execute(async () => rebuildSqliteIndexes(database.sqlite!, indexes.map((ix) => ix.ddl)));
  };
}

/** A PostgreSQL foreign key: the table and (first) column that refer, the DDL that drops it and adds it back. */
export interface ForeignKey {
  table: string;
  column: string;
  drop: string;
  add: string;
  /** Whether an index leads with the referring column (else every delete of a referred row reads the table). */
  indexed: boolean;
}

/** The foreign keys of the connection's schema that `which` selects (`c`: pg_constraint, `t`: the referring table). */
export async function postgresForeignKeys(db: Tx, which: RawBuilder<SqlBool>): Promise<ForeignKey[]> {
  return (await sql<ForeignKey>`select t.relname as "table", a.attname as "column",
      format('alter table %I drop constraint %I', t.relname, c.conname) as drop,
      format('alter table %I add constraint %I %s', t.relname, c.conname, pg_get_constraintdef(c.oid)) as add,
      exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]) as indexed
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace and ${which}`.execute(db)).rows;
}

/**
 * Runs the indexes' DDL with SQLite's sorter on every core (`pragma threads`): it sorts runs the size of the
 * page cache on helper threads and merges them. At 3 million requests, the slowest index (status, reply due,
 * …) took 13.7 s sorted in a 1 GB cache on one thread, 4.6–7.1 s with the 32 MB cache and 2 threads.
 */
function rebuildSqliteIndexes(sqlite: BetterSqlite3.Database, ddl: string[]): void {
  const threads = sqlite.pragma('threads', { simple: true }) as number;
  sqlite.pragma(`threads = ${availableParallelism()}`);
  try {
    for (const statement of ddl) sqlite.exec(statement);
  } finally {
    sqlite.pragma(`threads = ${threads}`);
  }
}

/**
 * Builds the indexes on as many connections as there are cores, each with memory enough to sort an index in
 * one pass. PostgreSQL builds a GIN index on one core and takes the longest over it (at 300,000 requests
 * 3.1 s of 7): the GIN indexes go first, and the B-trees on the other connection meanwhile.
 */
async function rebuildPostgresIndexes(database: Database, ddl: string[]): Promise<void> {
  const queue = [...ddl].sort((a, b) => Number(/ using gin /i.test(b)) - Number(/ using gin /i.test(a)));
  await onConnections(database, availableParallelism(), async (conn) => {
    await sql`set maintenance_work_mem = ${sql.lit(PG_REBUILD_MEMORY)}`.execute(conn);
    try {
      for (let next = queue.shift(); next; next = queue.shift()) await sql.raw(next).execute(conn);
    } finally {
      await sql`reset maintenance_work_mem`.execute(conn);
    }
  });
}

/** Runs `work` on `n` connections of the pool at once (PostgreSQL: each its own server process). */
async function onConnections(database: Database, n: number, work: (conn: Kysely<DB>) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => database.db.connection().execute(work)));
}

// WAL pages between checkpoints during a bulk write (4 KiB pages: 256 MiB), instead of SQLite's 1000.
const BULK_CHECKPOINT_PAGES = 65_536;

/**
 * SQLite connection settings for a long bulk write, and what restores them: a page cache big enough
 * for the indexes, checkpoints far apart — with the default, nearly every batch's commit copies and
 * syncs the WAL into the database (a third of an import's time) — and no automerge of the full-text
 * index (pauseSearchAutomerge). Changes nothing on PostgreSQL.
 */
export function tuneBulkConnection(database: Database): () => void {
  const sqlite = database.sqlite;
  if (!sqlite) return () => {};
  const cache = sqlite.pragma('cache_size', { simple: true }) as number;
  const checkpoint = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  sqlite.pragma('cache_size = -1048576');
  sqlite.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
  const resumeAutomerge = pauseSearchAutomerge(sqlite);
  return () => {
    resumeAutomerge();
    sqlite.pragma(`cache_size = ${cache}`);
    sqlite.pragma(`wal_autocheckpoint = ${checkpoint}`);
    // Moves the bulk write into the database file now rather than at some later commit.
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  };
}

// FTS5's automerge when the index has none set.
const FTS5_DEFAULT_AUTOMERGE = 4;

/**
 * Turns off FTS5's automerge of the request search index until the returned function runs. With it on,
 * each batch's commit goes on merging the index's old segments — at 3 million requests four of 200 MB
 * each — a piece per commit: 70 % of an import's full-text time, for work that is not the import's (at L,
 * 100 000 documents: 5.7 s with it, 1.6 s without). The crisis merge still folds every 16 segments of a
 * level into one, so what the bulk write adds stays merged among itself; later writes resume the old
 * merges where they were. The setting is stored in the index: if the process dies before restoring it,
 * only the crisis merge runs until the next bulk write restores it.
 */
function pauseSearchAutomerge(sqlite: BetterSqlite3.Database): () => void {
  if (!sqlite.prepare("select 1 from sqlite_master where name = 'request_search_config'").get()) return () => {};
  const row = sqlite.prepare("select v from request_search_config where k = 'automerge'").get() as { v: number } | undefined;
  const before = row && row.v > 0 ? row.v : FTS5_DEFAULT_AUTOMERGE;
  const setAutomerge = (n: number) => sqlite.exec(`insert into request_search (request_search, rank) values ('automerge', ${Math.trunc(n)})`);
  setAutomerge(0);
  return () => setAutomerge(before);
}

/** The first free ids of requests and orders; the caller numbers its rows from there. */
export async function reserveIds(db: Tx): Promise<{ requestId: number; orderId: number }> {
  const r = await db.selectFrom('requests').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  const o = await db.selectFrom('request_orders').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return { requestId: Number(r?.m ?? 0) + 1, orderId: Number(o?.m ?? 0) + 1 };
}

const ROLLUP_KEY = ['local_date', 'kind', 'dim', 'dim_value'] as const;
const ROLLUP_COLUMNS = [...ROLLUP_KEY, ...KPI_COUNTERS] as const;
const ROLLUP_CONFLICT = `on conflict (dim, local_date, kind, dim_value) do update set ${KPI_COUNTERS.map((c) => `${c} = request_kpi_rollup.${c} + excluded.${c}`).join(', ')}`;

const insertText = (table: string, cols: readonly string[]) => `insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`;

/** The bulk writers' statements on SQLite (prepared once per connection, core/db/prepared). */
const SQLITE_BULK = {
  requests: insertText('requests', REQUEST_COLUMNS),
  orders: insertText('request_orders', ORDER_COLUMNS),
  events: insertText('workflow_events', EVENT_COLUMNS),
  rollup: `${insertText('request_kpi_rollup', ROLLUP_COLUMNS)} ${ROLLUP_CONFLICT}`,
  counter: 'insert into request_counters (day, last_seq) values (?, ?) on conflict (day) do update set last_seq = excluded.last_seq',
};

/** Runs a prepared insert for each row, its values in the statement's column order (one reused array). */
function runRows<R>(statement: BetterSqlite3.Statement, columns: readonly (keyof R & string)[], rows: readonly R[]): void {
  const params: unknown[] = [];
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) params[i] = row[columns[i]] ?? null;
    statement.run(params);
  }
}

/**
 * Inserts complete request, order and timeline rows inside the caller's transaction (on SQLite, the
 * transaction holds the one connection the prepared statements run on). Shared by every bulk path.
 */
export async function insertBulkRows(database: Database, trx: Tx, rows: { requests: RequestRow[]; orders?: OrderRow[]; events?: EventRow[] }): Promise<void> {
  const orders = rows.orders ?? [];
  const events = rows.events ?? [];
  if (database.dialect === 'sqlite') {
    const sqlite = database.sqlite!;
    runRows(preparedStatement(sqlite, SQLITE_BULK.requests), REQUEST_COLUMNS, rows.requests);
    runRows(preparedStatement(sqlite, SQLITE_BULK.orders), ORDER_COLUMNS, orders);
    runRows(preparedStatement(sqlite, SQLITE_BULK.events), EVENT_COLUMNS, events);
    return;
  }
  await copyRows(trx, 'requests', REQUEST_COLUMNS, rows.requests);
  await copyRows(trx, 'request_orders', ORDER_COLUMNS, orders);
  await copyRows(trx, 'workflow_events', EVENT_COLUMNS, events);
}

/**
 * Adds rollup rows (requests.rollup's counters per day × kind × dimension value) to the stored ones in
 * the caller's transaction: what upsertDeltas does, as one reused prepared statement (SQLite) or one
 * unnest upsert per chunk (PostgreSQL) — a batch spread over many days touches many rows.
 */
export async function addRollupDeltas(database: Database, trx: Tx, rows: RequestKpiRollupTable[]): Promise<void> {
  if (!rows.length) return;
  if (database.dialect === 'sqlite') {
    runRows(preparedStatement(database.sqlite!, SQLITE_BULK.rollup), ROLLUP_COLUMNS, rows);
    return;
  }
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    const arrays = ROLLUP_COLUMNS.map((c) => sql`${part.map((r) => r[c])}::${sql.raw((ROLLUP_KEY as readonly string[]).includes(c) ? 'text' : 'integer')}[]`);
    await sql`insert into request_kpi_rollup (${sql.join(ROLLUP_COLUMNS.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)}) ${sql.raw(ROLLUP_CONFLICT)}`.execute(trx);
  }
}

/** The rollup rows (one per day × kind × dimension value) that these requests add. */
export function rollupOf(requests: RequestRow[], orders: OrderRow[]): RequestKpiRollupTable[] {
  const byRequest = new Map<number, OrderRow[]>();
  for (const o of orders) {
    if (o.role !== 'lead') continue;
    const list = byRequest.get(o.request_id);
    if (list) list.push(o);
    else byRequest.set(o.request_id, [o]);
  }
  const into = new Map<string, RequestKpiRollupTable>();
  for (const r of requests) accumulate(into, r, byRequest.get(r.id) ?? []);
  return [...into.values()];
}

/** Writes one batch — rows, orders, events, day counters, rollup deltas and the hooks' rows — atomically. */
export async function writeRequestBatch(database: Database, batch: RequestBatch, hooks: BatchHook[] = [], prepared: unknown[] = []): Promise<void> {
  const rollup = batch.rollup ?? rollupOf(batch.requests, batch.orders);
  await database.db.transaction().execute(async (trx) => {
    // A lost batch (server crash) is a bulk write to run again, not a citizen's request: no WAL flush per commit.
    if (database.dialect === 'postgres') await sql`set local synchronous_commit = off`.execute(trx);
    await insertBulkRows(database, trx, batch);
    if (database.dialect === 'sqlite') {
      const counter = preparedStatement(database.sqlite!, SQLITE_BULK.counter);
      for (const c of batch.counters) counter.run(c.day, c.last_seq);
    } else {
      for (const c of batch.counters) {
        await trx.insertInto('request_counters').values(c)
          .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ last_seq: eb.ref('excluded.last_seq') }))).execute();
      }
    }
    await addRollupDeltas(database, trx, rollup);
    for (let i = 0; i < hooks.length; i++) await hooks[i](trx, batch.requests, prepared[i]);
  });
}

/**
 * After explicit ids: moves PostgreSQL's identity sequences past them, and refreshes planner statistics.
 * On PostgreSQL a VACUUM too, the tables spread over a connection per core: it marks the new pages
 * all-visible, so the list indexes' index-only scans read no table page, and sets the rows' hint bits once
 * — else the first reads of each page write it back (a busy unit's inbox count at 300k requests: 835 table
 * pages read and written back). Autovacuum would do it later, if it is on.
 */
export async function finishBulkWrite(database: Database): Promise<void> {
  if (database.dialect === 'postgres') {
    for (const t of ['requests', 'request_orders']) {
      await sql`select setval(pg_get_serial_sequence(${t}, 'id'), greatest((select max(id) from ${sql.table(t)}), 1))`.execute(database.db);
    }
    const tables = ['requests', 'workflow_events', 'request_search', 'request_orders', 'request_kpi_rollup'];
    await onConnections(database, availableParallelism(), async (conn) => {
      for (let t = tables.shift(); t; t = tables.shift()) await sql`vacuum (analyze) ${sql.table(t)}`.execute(conn);
    });
  } else {
    // Every table but the full-text indexes' shadow tables: FTS5 reads those by key whatever their
    // statistics say, and counting their rows took 7 of ANALYZE's 17 s at 3 million requests.
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and substr(name, 1, 14) <> 'request_search' and substr(name, 1, 7) <> 'sqlite_'`.execute(database.db);
    for (const { name } of tables.rows) await sql`analyze ${sql.table(name)}`.execute(database.db);
  }
}
