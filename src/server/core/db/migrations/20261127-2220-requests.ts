import type { Kysely } from 'kysely';
import { idType, withId } from './helpers';

export async function up(db: Kysely<any>): Promise<void> {
  const ref = idType(db);

  // Gap-free daily sequence for request numbers: one row per local day, bumped in the accepting transaction.
  await db.schema
    .createTable('request_counters')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('requests'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel_id', ref, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('category_id', ref)
    .addColumn('district_unit_id', ref)
    .addColumn('street_unit_id', ref)
    .addColumn('address', 'text')
    .addColumn('lat', 'real')
    .addColumn('lng', 'real')
    .addColumn('requester_name', 'text')
    .addColumn('requester_phone', 'text')
    .addColumn('is_anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_confidential', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enterprise_name', 'text')
    .addColumn('enterprise_credit_code', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('accepted_at', 'text', (c) => c.notNull())
    .addColumn('accepted_by', ref)
    // Local (business time zone) acceptance date and month: the KPI grouping keys.
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('local_month', 'text', (c) => c.notNull())
    .addColumn('lead_unit_id', ref)
    .addColumn('handling_unit_id', ref)
    .addColumn('dispatched_at', 'text')
    .addColumn('sign_due_at', 'text')
    .addColumn('signed_at', 'text')
    .addColumn('reply_due_at', 'text')
    .addColumn('due_at', 'text')
    .addColumn('replied_at', 'text')
    .addColumn('reply_result', 'text')
    .addColumn('reply_text', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('callback_at', 'text')
    .addColumn('callback_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('callback_resolved', 'integer')
    .addColumn('callback_satisfaction', 'text')
    .addColumn('callback_unreachable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closed_at', 'text')
    .addColumn('closed_on_time', 'integer')
    .addColumn('is_direct', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sign_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extension_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extension_requested_at', 'text')
    .addColumn('extension_days', 'integer')
    .addColumn('extension_reason', 'text')
    .addColumn('extension_days_granted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('return_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('redo_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('urge_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_supervised', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merged_into_id', ref)
    .addColumn('source', 'text')
    .addColumn('source_ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('requests_status_idx').on('requests').columns(['status', 'reply_due_at']).execute();
  await db.schema.createIndex('requests_local_date_idx').on('requests').columns(['local_date']).execute();
  await db.schema.createIndex('requests_handling_idx').on('requests').columns(['handling_unit_id', 'status']).execute();
  await db.schema.createIndex('requests_lead_idx').on('requests').columns(['lead_unit_id', 'status']).execute();
  await db.schema.createIndex('requests_phone_idx').on('requests').columns(['requester_phone', 'accepted_at']).execute();
  await db.schema.createIndex('requests_accepted_idx').on('requests').columns(['accepted_at']).execute();

  // 派单 orders: one per unit a request was sent to (lead, co-unit, or a street office it was forwarded to).
  await withId(db, db.schema.createTable('request_orders'))
    .addColumn('request_id', ref, (c) => c.notNull().references('requests.id'))
    .addColumn('unit_id', ref, (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('parent_order_id', ref)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dispatched_at', 'text', (c) => c.notNull())
    .addColumn('dispatched_by', ref)
    .addColumn('sign_due_at', 'text')
    .addColumn('signed_at', 'text')
    .addColumn('signed_on_time', 'integer')
    .addColumn('returned_at', 'text')
    .addColumn('return_reason', 'text')
    .addColumn('replied_at', 'text')
    .addColumn('local_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_orders_request_idx').on('request_orders').columns(['request_id']).execute();
  await db.schema.createIndex('request_orders_unit_idx').on('request_orders').columns(['unit_id', 'status']).execute();
  await db.schema.createIndex('request_orders_date_idx').on('request_orders').columns(['local_date', 'unit_id']).execute();

  await withId(db, db.schema.createTable('request_attachments'))
    .addColumn('request_id', ref, (c) => c.notNull().references('requests.id'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', ref)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_attachments_request_idx').on('request_attachments').columns(['request_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['request_attachments', 'request_orders', 'requests', 'request_counters']) await db.schema.dropTable(t).ifExists().execute();
}
