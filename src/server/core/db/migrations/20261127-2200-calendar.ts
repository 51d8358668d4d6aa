import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Official days off and moved working days (调休上班), one row per exception to the plain week.
  await db.schema
    .createTable('calendar_days')
    .addColumn('date', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('calendar_days').ifExists().execute();
}
