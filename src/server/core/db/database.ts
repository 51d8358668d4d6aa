import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type DatabaseIntrospector, type RawBuilder, type SqlBool, type TableMetadata, type Transaction } from 'kysely';
import { CopyIn, runCopyIn } from './copy';
import { statementNames } from './prepared';
import type { DB } from './tables';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  /** The raw SQLite handle, for online backup; absent on PostgreSQL. */
  sqlite?: BetterSqlite3.Database;
  /** The PostgreSQL pool, for metrics; absent on SQLite. */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export type Tx = Transaction<DB> | Kysely<DB>;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

// Counts and sums come back from PostgreSQL as strings (int8/numeric); make both dialects return numbers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/**
 * What the migrator asks of the database (does the migration table exist?), answered from the
 * connection's own schema only. Kysely's PostgreSQL introspector reads every schema of the database
 * through has_schema_privilege(), which fails outright when another schema is dropped while it runs
 * (parallel test suites, other tenants of a shared database).
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas() {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')`.execute(this.db);
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v' || r.kind === 'm', columns: [] }));
  }

  async getMetadata() {
    return { tables: await this.getTables() };
  }
}

class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

export async function openDatabase(url: string, opts: { poolSize?: number; schema?: string } = {}): Promise<Database> {
  if (isPostgresUrl(url)) {
    // A schema of its own lets parallel test suites share one PostgreSQL database.
    const options = opts.schema ? `-c search_path=${opts.schema}` : undefined;
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, options });
    pool.on('connect', extendClient);
    const db = new Kysely<DB>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
    return { db, dialect: 'postgres', pool, close: () => db.destroy() };
  }
  if (url !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(url)), { recursive: true });
  const sqlite = new BetterSqlite3(url);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 32 MB of page cache (the default is 2 MB): a city's half-year is gigabytes, and every accept updates
  // a dozen indexes of it at random places.
  sqlite.pragma('cache_size = -32768');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}

/**
 * Extends a pool client's `query`: the statements runPrepared named (statementNames) go as named prepared
 * statements, and a COPY whose parameter is a CopyIn (copyRows) streams its rows.
 */
function extendClient(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, ...rest: unknown[]) => {
    const params = rest[0];
    if (typeof text !== 'string' || !Array.isArray(params)) return query(text, ...rest);
    if (params[0] instanceof CopyIn) return runCopyIn(query, text, params[0]);
    const name = statementNames.get(text);
    return name ? query({ name, text, values: params }, ...rest.slice(1)) : query(text, ...rest);
  };
}

/** Serialises writers of a shared sequence (audit chain, numbering) across instances on PostgreSQL. */
export async function lockKey(trx: Tx, dialect: DialectName, key: number): Promise<void> {
  // SQLite has one writer at a time already: the transaction itself is the lock.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
}

/**
 * Case-insensitive "contains" for search boxes, the same on both dialects (PostgreSQL's LIKE is
 * case-sensitive, SQLite's is not); % and _ typed by the user match themselves.
 */
export function containsText(column: string, text: string): RawBuilder<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
