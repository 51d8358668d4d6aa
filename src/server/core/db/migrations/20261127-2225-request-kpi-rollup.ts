import type { Kysely } from 'kysely';

const COUNTERS = ['accepted', 'direct', 'replied', 'callbacks', 'resolved', 'satisfied', 'basic', 'dissatisfied', 'closed', 'closed_on_time', 'redone', 'orders', 'orders_signed_on_time', 'orders_returned'];

export async function up(db: Kysely<any>): Promise<void> {
  // KPI counters per local day, request kind and one grouping dimension, kept up to date in the same
  // transaction as every request change, so half-year KPIs read a few thousand rows, not millions.
  let t = db.schema
    .createTable('request_kpi_rollup')
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('dim_value', 'text', (c) => c.notNull());
  for (const name of COUNTERS) t = t.addColumn(name, 'integer', (c) => c.notNull().defaultTo(0));
  await t.addPrimaryKeyConstraint('request_kpi_rollup_pk', ['dim', 'local_date', 'kind', 'dim_value']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('request_kpi_rollup').ifExists().execute();
}
