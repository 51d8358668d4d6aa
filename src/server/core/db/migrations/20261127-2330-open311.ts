import type { Kysely } from 'kysely';
import { idType, withId } from './helpers';

// Open311 GeoReport v2: the extra fields (attributes) an administrator configures per category, and
// what a partner submitted with each request it sent (token, attribute values, media URL).
export async function up(db: Kysely<any>): Promise<void> {
  const ref = idType(db);

  await withId(db, db.schema.createTable('open311_attributes'))
    .addColumn('category_id', ref, (c) => c.notNull().references('categories.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('variable', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('datatype', 'text', (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('datatype_description', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('values_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('open311_attributes_category_code_uq', ['category_id', 'code'])
    .execute();

  await db.schema.createTable('open311_submissions')
    .addColumn('request_id', ref, (c) => c.primaryKey().references('requests.id'))
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('partner_user_id', ref, (c) => c.notNull().references('users.id'))
    .addColumn('account_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('email', 'text')
    .addColumn('address_id', 'text')
    .addColumn('media_url', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('jurisdiction_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // GET servicerequestupdates reads the request timeline by time window.
  await db.schema.createIndex('workflow_events_entity_at_idx').on('workflow_events').columns(['entity', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('workflow_events_entity_at_idx').ifExists().execute();
  for (const t of ['open311_submissions', 'open311_attributes']) await db.schema.dropTable(t).ifExists().execute();
}
