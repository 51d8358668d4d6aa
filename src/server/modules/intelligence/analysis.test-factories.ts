import { inflateRawSync } from 'node:zlib';
import type { AppContext } from '../../context';
import { zonedTimeToInstant } from '../../core/calendar';
import { formatRequestNumber } from '../requests/request-rules';
import { finishBulkWrite, reserveIds, writeRequestBatch } from '../requests/requests.bulk';
import type { OrderRow, RequestRow } from '../requests/requests.repository';
import type { RequestStatus, Satisfaction } from '../requests/requests.tables';

/**
 * Data sets for the analysis tests, written through the requests module's bulk path (requests.bulk: rows,
 * lead orders, day counters and the KPI rollup in one transaction), so requestStats reads them as it reads
 * requests made through the API.
 */

export interface BulkRequest {
  localDate: string;
  /** Local hour of acceptance (default 10). */
  hour?: number;
  title?: string | null;
  content: string;
  /** A category path of the demo taxonomy, e.g. 水电气热/供水/停水. */
  category: string;
  /** A district unit code, e.g. QC-D01. */
  district: string;
  /** A street unit code, e.g. QC-D01-S02. */
  street?: string | null;
  address?: string | null;
  phone?: string | null;
  name?: string | null;
  type?: string;
  channel?: 'phone' | 'network';
  /**
   * closed: dispatched to `unit`, signed (on time unless `signedLate`), replied, called back with the answer and closed;
   * open: dispatched and waiting; accepted: not dispatched; direct: answered at intake; merged: merged into the request before it.
   */
  fate?: 'closed' | 'open' | 'accepted' | 'direct' | 'merged';
  unit?: string;
  signedLate?: boolean;
  resolved?: boolean;
  satisfaction?: Satisfaction;
  confidential?: boolean;
}

const H = 3_600_000;

export async function insertBulkRequests(ctx: AppContext, specs: BulkRequest[]): Promise<number[]> {
  if (!specs.length) return [];
  const tz = ctx.config.timeZone;
  const [units, categories, channels] = await Promise.all([
    ctx.db.selectFrom('units').select(['id', 'code']).execute(),
    ctx.db.selectFrom('categories').select(['id', 'path']).execute(),
    ctx.db.selectFrom('channels').select(['id', 'family']).where('active', '=', 1).orderBy('id').execute(),
  ]);
  const unitId = new Map(units.map((u) => [u.code, u.id]));
  const categoryId = new Map(categories.map((c) => [c.path, c.id]));
  const channelOf = { phone: channels.find((c) => c.family === 'phone')!.id, network: channels.find((c) => c.family === 'network')!.id };
  const need = <T>(m: Map<string, T>, k: string, what: string): T => {
    const v = m.get(k);
    if (v === undefined) throw new Error(`insertBulkRequests: unknown ${what} ${k}`);
    return v;
  };
  const counters = new Map((await ctx.db.selectFrom('request_counters').selectAll().execute()).map((c) => [c.day, c.last_seq]));
  const { requestId, orderId } = await reserveIds(ctx.db);
  let nextOrder = orderId;
  const requests: RequestRow[] = [];
  const orders: OrderRow[] = [];
  specs.forEach((s, i) => {
    const id = requestId + i;
    const [y, m, d] = s.localDate.split('-').map(Number);
    const accepted = zonedTimeToInstant({ year: y, month: m, day: d, hour: s.hour ?? 10, minute: i % 60 }, tz).getTime();
    const at = (hours: number) => new Date(accepted + hours * H).toISOString();
    const seq = (counters.get(s.localDate) ?? 0) + 1;
    counters.set(s.localDate, seq);
    const fate = s.fate ?? 'closed';
    const dispatched = fate === 'closed' || fate === 'open';
    const lead = dispatched ? need(unitId, s.unit ?? 'QC-ZJJ', 'unit') : null;
    const closed = fate === 'closed';
    const status: RequestStatus = fate === 'closed' || fate === 'direct' ? 'closed' : fate === 'open' ? 'handling' : fate === 'merged' ? 'merged' : 'accepted';
    requests.push({
      id, number: formatRequestNumber(s.localDate, seq), kind: 'citizen', channel_id: channelOf[s.channel ?? 'phone'], type: s.type ?? 'complaint', urgency: 'normal',
      title: s.title ?? null, content: s.content, category_id: need(categoryId, s.category, 'category'), district_unit_id: need(unitId, s.district, 'district'),
      street_unit_id: s.street ? need(unitId, s.street, 'street') : null, address: s.address ?? null, lat: null, lng: null,
      requester_name: s.name ?? null, requester_phone: s.phone ?? null, is_anonymous: 0, is_confidential: s.confidential ? 1 : 0, enterprise_name: null,
      enterprise_credit_code: null, status, version: 1, accepted_at: at(0), accepted_by: null, local_date: s.localDate, local_month: s.localDate.slice(0, 7),
      lead_unit_id: lead, handling_unit_id: lead, dispatched_at: dispatched ? at(0.5) : null, sign_due_at: dispatched ? at(2.5) : null,
      signed_at: dispatched ? at(s.signedLate ? 4 : 1) : null, reply_due_at: dispatched ? at(120) : null, due_at: dispatched ? at(120) : null,
      replied_at: closed ? at(48) : fate === 'direct' ? at(0) : null, reply_result: closed || fate === 'direct' ? 'resolved' : null,
      reply_text: closed ? '已现场处理。' : fate === 'direct' ? '已当场答复。' : null, reviewed_at: closed ? at(50) : null,
      callback_at: closed ? at(72) : null, callback_attempts: closed ? 1 : 0, callback_resolved: closed ? (s.resolved === false ? 0 : 1) : null,
      callback_satisfaction: closed ? (s.satisfaction ?? 'satisfied') : null, callback_unreachable: 0, closed_at: closed ? at(73) : fate === 'direct' ? at(0) : null,
      closed_on_time: closed || fate === 'direct' ? 1 : null, is_direct: fate === 'direct' ? 1 : 0, sign_overdue: s.signedLate ? 1 : 0, is_overdue: 0,
      extension_pending: 0, extension_requested_at: null, extension_days: null, extension_reason: null, extension_days_granted: 0, return_count: 0, redo_count: 0,
      urge_count: 0, is_supervised: 0, merged_into_id: fate === 'merged' && i > 0 ? requestId + i - 1 : null, source: 'test', source_ref: null,
      created_at: at(0), updated_at: at(closed ? 73 : 1),
    });
    if (dispatched) {
      orders.push({
        id: nextOrder++, request_id: id, unit_id: lead!, role: 'lead', parent_order_id: null, status: closed ? 'replied' : 'signed', dispatched_at: at(0.5),
        dispatched_by: null, sign_due_at: at(2.5), signed_at: at(s.signedLate ? 4 : 1), signed_on_time: s.signedLate ? 0 : 1, returned_at: null, return_reason: null,
        replied_at: closed ? at(48) : null, local_date: s.localDate,
      });
    }
  });
  for (let i = 0; i < requests.length; i += 500) {
    const part = requests.slice(i, i + 500);
    const ids = new Set(part.map((r) => r.id));
    const days = new Set(part.map((r) => r.local_date));
    await writeRequestBatch(ctx.database, {
      requests: part, orders: orders.filter((o) => ids.has(o.request_id)), events: [],
      counters: [...days].map((day) => ({ day, last_seq: counters.get(day)! })),
    });
  }
  await finishBulkWrite(ctx.database);
  return requests.map((r) => r.id);
}

/** The entries of a zip file (a .docx), read from its central directory: enough to check what Word would open. */
export function readZip(buf: Buffer): Map<string, Buffer> {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLength = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataStart, dataStart + compressed);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nameLength + extra + comment;
  }
  return out;
}
