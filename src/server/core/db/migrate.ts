import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database';
import * as m20261127_2100 from './migrations/20261127-2100-foundation';
import * as m20261127_2200 from './migrations/20261127-2200-calendar';
import * as m20261127_2210 from './migrations/20261127-2210-catalog';
import * as m20261127_2220 from './migrations/20261127-2220-requests';
import * as m20261127_2225 from './migrations/20261127-2225-request-kpi-rollup';
import * as m20261127_2300 from './migrations/20261127-2300-audit-append-only';
import * as m20261127_2330 from './migrations/20261127-2330-open311';
import * as m20261127_2340 from './migrations/20261127-2340-search';
import * as m20261128_0020 from './migrations/20261128-0020-analysis';
import * as m20261128_0010 from './migrations/20261128-0010-bench-indexes';
import * as m20261128_0110 from './migrations/20261128-0110-list-search-indexes';
import * as m20261128_0330 from './migrations/20261128-0330-search-sample';
import * as m20261206_1900 from './migrations/20261206-1900-search-spans';
import * as m20261206_2000 from './migrations/20261206-2000-source-ref-first';
import * as m20261207_0100 from './migrations/20261207-0100-merged-requests';

/** Every migration, in order. Names are timestamps; a new one is appended here. */
const MIGRATIONS: Record<string, Migration> = {
  '20261127-2100-foundation': m20261127_2100,
  '20261127-2200-calendar': m20261127_2200,
  '20261127-2210-catalog': m20261127_2210,
  '20261127-2220-requests': m20261127_2220,
  '20261127-2225-request-kpi-rollup': m20261127_2225,
  '20261127-2300-audit-append-only': m20261127_2300,
  '20261127-2330-open311': m20261127_2330,
  '20261127-2340-search': m20261127_2340,
  '20261128-0010-bench-indexes': m20261128_0010,
  '20261128-0020-analysis': m20261128_0020,
  '20261128-0110-list-search-indexes': m20261128_0110,
  '20261128-0330-search-sample': m20261128_0330,
  '20261206-1900-search-spans': m20261206_1900,
  '20261206-2000-source-ref-first': m20261206_2000,
  '20261207-0100-merged-requests': m20261207_0100,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export async function migrateToLatest(database: Database): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: a second schema in
  // the same PostgreSQL database (parallel test suites, a staging copy) would make it skip creating them.
  const schema = database.dialect === 'postgres'
    ? (await sql<{ name: string }>`select current_schema() as name`.execute(database.db)).rows[0]?.name
    : undefined;
  // Modules land their migrations in parallel: one named earlier than a migration already applied (an
  // index added after a later module's tables) still runs, once, instead of being refused as "corrupted".
  const migrator = new Migrator({ db: database.db, provider: new StaticProvider(), allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
