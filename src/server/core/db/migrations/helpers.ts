// Migrations are frozen in time: they use Kysely<any> and never import application code.
import { PostgresAdapter, sql, type Kysely, type CreateTableBuilder } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-numbered integer primary key on both dialects. */
export function withId<T extends string>(db: Kysely<any>, table: CreateTableBuilder<T, any>): CreateTableBuilder<T, any> {
  return isPostgres(db)
    ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** The integer type used for foreign keys to withId() keys. */
export function idType(db: Kysely<any>): 'bigint' | 'integer' {
  return isPostgres(db) ? 'bigint' : 'integer';
}

export { sql };
