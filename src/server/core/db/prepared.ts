import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import type { Database, Tx } from './database';

/**
 * Hot-path SQL, written once with `?` placeholders, run on either dialect. On SQLite the statement is
 * prepared once per connection and kept (Kysely prepares every query anew, which costs more than running
 * it); it runs on the raw handle, which is the connection an open Kysely transaction holds (there is only
 * one). On PostgreSQL it goes through `trx` with $n placeholders. For the few statements every request or
 * every write runs (token check, accept, audit append); everything else stays in Kysely.
 *
 * `trx` must hold the connection — a transaction, or `db.connection().execute(…)` — so that on SQLite no
 * other request's transaction is open on the handle while the statement runs.
 */
export async function runPrepared<R>(trx: Tx, database: Pick<Database, 'sqlite'>, text: string, params: readonly unknown[]): Promise<R[]> {
  if (database.sqlite) {
    const st = preparedStatement(database.sqlite, text);
    return st.reader ? (st.all(...params) as R[]) : (st.run(...params), []);
  }
  const pgSql = toPostgresPlaceholders(text);
  if (params.length <= MAX_NAMED_PARAMS && !statementNames.has(pgSql)) statementNames.set(pgSql, `zt_${statementNames.size + 1}`);
  const rows = (await trx.executeQuery(CompiledQuery.raw(pgSql, params as unknown[]))).rows;
  return rows as R[];
}

/**
 * PostgreSQL: the hot-path statements run as named prepared statements, so that each connection parses
 * and plans them once, not on every request (planning a statement costs more than running these). Filled
 * by runPrepared; the pool's clients look their SQL up here (openDatabase). Only statements with few
 * parameters: the multi-row inserts of a group of accepts change text with the group's size and are
 * planned once per group anyway.
 */
export const statementNames = new Map<string, string>();
const MAX_NAMED_PARAMS = 32;

const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * The statement for `text` prepared on this SQLite connection, prepared once and kept with the connection:
 * the one cache of prepared statements (hot paths here, bulk writers and index writers elsewhere).
 */
export function preparedStatement(sqlite: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  let byText = statements.get(sqlite);
  if (!byText) statements.set(sqlite, (byText = new Map()));
  let st = byText.get(text);
  if (!st) byText.set(text, (st = sqlite.prepare(text)));
  return st;
}

const pgText = new Map<string, string>();

/** `?` → `$1, $2, …` (the hot-path statements hold no `?` inside string literals). */
function toPostgresPlaceholders(text: string): string {
  let out = pgText.get(text);
  if (out === undefined) {
    let i = 0;
    out = text.replace(/\?/g, () => `$${++i}`);
    pgText.set(text, out);
  }
  return out;
}
