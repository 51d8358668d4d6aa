// The machine's limit for the intake path: a bare Fastify route that validates the same body as
// POST /api/v1/requests (the same TypeBox schema and Ajv options) and inserts one row into the same
// `requests` table in a transaction — no authentication, numbering, timeline, audit, rollup or index.
// Started as a child process by bench/harness.ts; prints {"port": N} once it listens.
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { openDatabase } from '../src/server/core/db/database';
import { AcceptBody } from '../src/server/modules/requests/requests.schema';

const database = await openDatabase(process.env.DATABASE_URL!);
const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } } }).withTypeProvider<TypeBoxTypeProvider>();
let n = 0;
const prefix = `BARE${process.pid}-`;

app.post('/bare/requests', { schema: { body: AcceptBody } }, async (req, reply) => {
  const b = req.body;
  const now = new Date().toISOString();
  const localDate = now.slice(0, 10);
  const row = await database.db.transaction().execute((trx) => trx.insertInto('requests').values({
    number: `${prefix}${++n}`, kind: b.enterprise ? 'enterprise' : 'citizen', channel_id: b.channelId, type: b.type, urgency: b.urgency ?? 'normal',
    title: b.title ?? null, content: b.content, category_id: b.categoryId ?? null, district_unit_id: b.districtId ?? null, street_unit_id: b.streetId ?? null,
    address: b.address ?? null, lat: b.lat ?? null, lng: b.lng ?? null, requester_name: b.requester?.name ?? null, requester_phone: b.requester?.phone ?? null,
    is_anonymous: 0, is_confidential: 0, enterprise_name: null, enterprise_credit_code: null, status: 'accepted', version: 1, accepted_at: now, accepted_by: null,
    local_date: localDate, local_month: localDate.slice(0, 7), lead_unit_id: null, handling_unit_id: null, dispatched_at: null, sign_due_at: null, signed_at: null,
    reply_due_at: null, due_at: null, replied_at: null, reply_result: null, reply_text: null, reviewed_at: null, callback_at: null, callback_attempts: 0,
    callback_resolved: null, callback_satisfaction: null, callback_unreachable: 0, closed_at: null, closed_on_time: null, is_direct: 0, sign_overdue: 0, is_overdue: 0,
    extension_pending: 0, extension_requested_at: null, extension_days: null, extension_reason: null, extension_days_granted: 0, return_count: 0, redo_count: 0,
    urge_count: 0, is_supervised: 0, merged_into_id: null, source: 'bench-bare', source_ref: null, created_at: now, updated_at: now,
  }).returning(['id', 'number']).executeTakeFirstOrThrow());
  return reply.status(201).send(row);
});

await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
