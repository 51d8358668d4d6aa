import { sql, type Kysely } from 'kysely';
import { idType, isPostgres, withId } from './helpers';

// Request reference data: channels, request types, the category tree, the dispatch catalogue and
// the time limits. The defaults below are written once here; after that they are the admin's data.
export async function up(db: Kysely<any>): Promise<void> {
  const ref = idType(db);
  const real = isPostgres(db) ? 'double precision' : 'real';
  const now = new Date().toISOString();

  await withId(db, db.schema.createTable('channels'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('request_types')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withId(db, db.schema.createTable('categories'))
    .addColumn('parent_id', ref, (c) => c.references('categories.id'))
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    // Also unique: the parent_id constraint below lets two roots share a name (NULLs are distinct).
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('default_urgency', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('categories_parent_name_uq', ['parent_id', 'name'])
    .execute();

  await withId(db, db.schema.createTable('dispatch_rules'))
    .addColumn('category_id', ref, (c) => c.references('categories.id'))
    .addColumn('district_unit_id', ref, (c) => c.references('units.id'))
    .addColumn('lead_unit_id', ref, (c) => c.notNull().references('units.id'))
    .addColumn('co_unit_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('district_co_unit', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('note', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dispatch_rules_match_idx').on('dispatch_rules').columns(['category_id', 'district_unit_id']).execute();

  await withId(db, db.schema.createTable('time_limits'))
    .addColumn('request_type', 'text', (c) => c.references('request_types.code'))
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('sign_amount', real, (c) => c.notNull())
    .addColumn('sign_unit', 'text', (c) => c.notNull())
    .addColumn('reply_amount', real, (c) => c.notNull())
    .addColumn('reply_unit', 'text', (c) => c.notNull())
    .addColumn('extension_max_amount', real, (c) => c.notNull())
    .addColumn('extension_max_unit', 'text', (c) => c.notNull())
    .addColumn('pause_on_extension', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // One row per (type or any type, urgency); coalesce so that the "any type" rows are unique too.
  await db.schema.createIndex('time_limits_key_uq').on('time_limits').unique().expression(sql`coalesce(request_type, ''), urgency`).execute();

  await db.insertInto('request_types').values([
    { code: 'consult', name: '咨询', name_en: 'Consultation', sort_order: 1, active: 1 },
    { code: 'help', name: '求助', name_en: 'Request for help', sort_order: 2, active: 1 },
    { code: 'complaint', name: '投诉', name_en: 'Complaint', sort_order: 3, active: 1 },
    { code: 'report', name: '举报', name_en: 'Report', sort_order: 4, active: 1 },
    { code: 'suggestion', name: '建议', name_en: 'Suggestion', sort_order: 5, active: 1 },
    { code: 'praise', name: '表扬', name_en: 'Praise', sort_order: 6, active: 1 },
  ]).execute();

  // DOMAIN defaults: emergency 2 h, water/power/gas/heat 24 h, general 5 working days, complex 15;
  // sign-for 2 working hours; extensions at most 10 working days.
  const ext = { extension_max_amount: 10, extension_max_unit: 'working-days', pause_on_extension: 0, updated_at: now, request_type: null };
  await db.insertInto('time_limits').values([
    { urgency: 'normal', sign_amount: 2, sign_unit: 'working-hours', reply_amount: 5, reply_unit: 'working-days', ...ext },
    { urgency: 'urgent', sign_amount: 2, sign_unit: 'working-hours', reply_amount: 24, reply_unit: 'calendar-hours', ...ext },
    { urgency: 'emergency', sign_amount: 0.5, sign_unit: 'calendar-hours', reply_amount: 2, reply_unit: 'calendar-hours', ...ext },
    { urgency: 'complex', sign_amount: 2, sign_unit: 'working-hours', reply_amount: 15, reply_unit: 'working-days', ...ext },
  ]).execute();

  // The two families and the legacy channels merged into them; each request keeps its own channel.
  const channels: Array<[code: string, name: string, family: 'phone' | 'network']> = [
    ['phone', '12345热线电话', 'phone'],
    ['hotline-12315', '12315消费者投诉热线（并入）', 'phone'],
    ['hotline-12369', '12369环保热线（并入）', 'phone'],
    ['hotline-12333', '12333人社热线（并入）', 'phone'],
    ['hotline-12319', '12319城建热线（并入）', 'phone'],
    ['hotline-12358', '12358价格举报热线（并入）', 'phone'],
    ['web', '政府网站留言', 'network'],
    ['app', '12345 APP', 'network'],
    ['mini-program', '微信小程序', 'network'],
    ['wechat', '微信公众号', 'network'],
    ['weibo', '政务微博', 'network'],
    ['leader-mailbox', '市长信箱', 'network'],
    ['email', '电子邮件', 'network'],
    ['message-board', '网上留言板', 'network'],
    ['people-cn', '人民网领导留言板', 'network'],
    ['media', '媒体转办', 'network'],
    ['sms', '12345 短信', 'network'],
    ['gov-service', '政务服务网', 'network'],
    ['national-platform', '国家政务服务便民热线转办', 'network'],
    ['open311', 'Open311', 'network'],
  ];
  await db.insertInto('channels').values(channels.map(([code, name, family], i) => ({
    code, name, family, active: 1, sort_order: i + 1, created_at: now, updated_at: now,
  }))).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['time_limits', 'dispatch_rules', 'categories', 'request_types', 'channels']) await db.schema.dropTable(t).ifExists().execute();
}
