import { createHash } from 'node:crypto';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { toLocalDate } from '../../core/calendar';
import { lockKey, type Tx } from '../../core/db/database';
import type { Actor } from '../../core/http/access';
import { bulkSegmenter, getSegmenter, segmentationThreads, toSearchDocument, type Segmenter } from '../../core/search';
import { tuneBulkConnection } from '../requests/requests.bulk';
import type { RequestStatus } from '../requests/requests.tables';
import { parseImportFile, parseImportTime, type ImportRecord } from './history-file';
import { existingSourceRefs, IMPORT_SOURCE, insertImportedRequests, type NewRequest } from './history-import.repository';

/**
 * 历史数据导入 Importing past requests (another system's export, a message board's archive) so that search,
 * the suggester and the analyses know the city's history. Good rows are imported, bad ones reported with
 * their line; re-importing a file skips the rows it already brought in.
 */

export interface ImportOptions {
  /** Request type when a row has none: a code (consult, complaint, …) or its name (咨询, 投诉, …). */
  defaultType?: string;
  /** Channel when a row has none: a code (message-board, phone, …) or its name. */
  defaultChannel?: string;
  /** Rows per transaction. */
  batchSize?: number;
}

export const DEFAULT_IMPORT_OPTIONS = { defaultType: 'consult', defaultChannel: 'message-board', batchSize: 2000 };

/** From this many rows a file is segmented on worker threads: below it, starting them costs more than it saves. */
const PARALLEL_IMPORT_ROWS = 50_000;

export interface ImportRowError {
  line: number;
  message: string;
}

/** A good row, resolved against the database's reference data. */
export interface PreparedRow {
  line: number;
  ref: string;
  request: NewRequest;
}

export interface PreparedImport {
  rows: PreparedRow[];
  errors: ImportRowError[];
  /** Data rows in the file, good and bad. */
  total: number;
}

type ImportStatusName = Extract<RequestStatus, 'closed' | 'accepted' | 'withdrawn'>;

const STATUS_WORDS: Record<string, ImportStatusName> = {
  closed: 'closed', 已办结: 'closed', 办结: 'closed', 已完成: 'closed', 完成: 'closed', 已答复: 'closed', 已回复: 'closed', 已关闭: 'closed',
  accepted: 'accepted', 已受理: 'accepted', 受理: 'accepted', 待派单: 'accepted', 待处理: 'accepted',
  withdrawn: 'withdrawn', 已撤销: 'withdrawn', 撤销: 'withdrawn', 已撤回: 'withdrawn',
};

const TITLE_MAX = 500;
const CONTENT_MAX = 50_000;

const text = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v)).trim();

/** Names as people write them: spaces folded, full-width forms (ＡＢ１) folded. */
const key = (s: string) => s.normalize('NFKC').replace(/[\s\u3000]+/g, '').toLowerCase();

/** `resolve`, remembering its answer for each text. */
function remembered<T>(resolve: (s: string) => T): (s: string) => T {
  const seen = new Map<string, T>();
  return (s) => {
    if (seen.has(s)) return seen.get(s) as T;
    const value = resolve(s);
    seen.set(s, value);
    return value;
  };
}

/** The reference data a file's names resolve to, read once per import. */
async function loadReferences(db: Tx) {
  const [categories, units, channels, types] = await Promise.all([
    db.selectFrom('categories').select(['id', 'path', 'active']).execute(),
    db.selectFrom('units').select(['id', 'code', 'name', 'kind', 'active']).execute(),
    db.selectFrom('channels').select(['id', 'code', 'name', 'family', 'active']).execute(),
    db.selectFrom('request_types').select(['code', 'name']).execute(),
  ]);
  const categoryByPath = new Map(categories.map((c) => [c.path.split('/').map(key).join('/'), c.id]));
  const unitByName = new Map<string, number>();
  const districtByName = new Map<string, number>();
  for (const u of units) {
    for (const k of [u.code, u.name, u.name.replace(/(人民政府|办事处)$/, '')].map(key)) {
      if (!unitByName.has(k)) unitByName.set(k, u.id);
      if (u.kind === 'district' && !districtByName.has(k)) districtByName.set(k, u.id);
    }
  }
  const channelByName = new Map<string, number>();
  for (const c of channels) for (const k of [c.code, c.name].map(key)) if (!channelByName.has(k)) channelByName.set(k, c.id);
  const typeByName = new Map<string, string>();
  for (const t of types) for (const k of [t.code, t.name].map(key)) typeByName.set(k, t.code);
  const firstNetworkChannel = channels.find((c) => c.active && c.family === 'network')?.id ?? channels[0]?.id ?? null;
  return { categoryByPath, unitByName, districtByName, channelByName, typeByName, firstNetworkChannel };
}

/** A row reference that survives re-import: the source system's id, else the file's content hash and the line. */
function sourceRefOf(rec: ImportRecord, fileHash: string): string {
  const id = text(rec.values.id);
  return id ? `id:${id.slice(0, 200)}` : `${fileHash}:${rec.line}`;
}

/** Checks and resolves every record; pure apart from reading the reference data once. */
export async function prepareImport(ctx: AppContext, db: Tx, records: ImportRecord[], opts: ImportOptions & { fileHash: string }): Promise<PreparedImport> {
  const refs = await loadReferences(db);
  const tz = ctx.config.timeZone;
  const nowIso = ctx.clock.now().toISOString();
  const defaultType = refs.typeByName.get(key(opts.defaultType ?? DEFAULT_IMPORT_OPTIONS.defaultType));
  const defaultChannel = refs.channelByName.get(key(opts.defaultChannel ?? DEFAULT_IMPORT_OPTIONS.defaultChannel)) ?? refs.firstNetworkChannel;
  // A file names the same few hundred categories, units and channels again and again: each text is resolved once.
  const categoryOf = remembered((s) => refs.categoryByPath.get(s.split(/\s*[/>＞→]\s*/).map(key).filter(Boolean).join('/')) ?? null);
  const districtOf = remembered((s) => refs.districtByName.get(key(s)) ?? null);
  const unitOf = remembered((s) => refs.unitByName.get(key(s)) ?? null);
  // Own keys only: "constructor" is not a status.
  const statusOf = remembered((s): ImportStatusName | undefined => (Object.hasOwn(STATUS_WORDS, key(s)) ? STATUS_WORDS[key(s)] : undefined));
  const typeOf = remembered((s) => refs.typeByName.get(key(s)));
  const channelOf = remembered((s) => refs.channelByName.get(key(s)));
  const rows: PreparedRow[] = [];
  const errors: ImportRowError[] = [];
  // The line that first used each source reference: an id twice in one file is one request, not two.
  const lineOfRef = new Map<string, number>();
  for (const rec of records) {
    const v = rec.values;
    const problems: string[] = [];
    const ref = sourceRefOf(rec, opts.fileHash);
    const firstLine = lineOfRef.get(ref);
    if (firstLine !== undefined) problems.push(`编号与第 ${firstLine} 行重复 / the same id as line ${firstLine}`);
    else lineOfRef.set(ref, rec.line);
    const title = text(v.title);
    const content = text(v.content);
    if (!content) problems.push('内容为空 / content is empty');
    if (title.length > TITLE_MAX) problems.push(`标题超过 ${TITLE_MAX} 字 / title longer than ${TITLE_MAX} characters`);
    if (content.length > CONTENT_MAX) problems.push(`内容超过 ${CONTENT_MAX} 字 / content longer than ${CONTENT_MAX} characters`);
    const acceptedAt = parseImportTime(v.time, tz);
    if (!acceptedAt) problems.push(text(v.time) ? `时间无法识别：${text(v.time).slice(0, 40)} / time not recognised` : '缺少时间 / time is missing');
    const replyText = text(v.reply) || null;
    let repliedAt: Date | null = null;
    if (text(v.reply_time)) {
      repliedAt = parseImportTime(v.reply_time, tz);
      if (!repliedAt) problems.push(`答复时间无法识别：${text(v.reply_time).slice(0, 40)} / reply_time not recognised`);
    }
    const category = text(v.category);
    let categoryId: number | null = null;
    if (category) {
      categoryId = categoryOf(category);
      if (categoryId === null) problems.push(`没有这个分类：${category} / no such category`);
    }
    const district = text(v.district);
    let districtId: number | null = null;
    if (district) {
      districtId = districtOf(district);
      if (districtId === null) problems.push(`没有这个区县：${district} / no such district`);
    }
    const unit = text(v.unit);
    let unitId: number | null = null;
    if (unit) {
      unitId = unitOf(unit);
      if (unitId === null) problems.push(`没有这个单位：${unit} / no such unit`);
    }
    const statusText = text(v.status);
    const status = statusText ? statusOf(statusText) : 'closed';
    if (!status) problems.push(`状态应为 closed（已办结）、accepted（已受理）或 withdrawn（已撤销）：${statusText} / unsupported status`);
    const typeText = text(v.type);
    const type = typeText ? typeOf(typeText) : defaultType;
    if (!type) problems.push(typeText ? `没有这个诉求类型：${typeText} / no such request type` : '默认诉求类型不存在 / the default request type does not exist');
    const channelText = text(v.channel);
    const channelId = channelText ? channelOf(channelText) : defaultChannel;
    if (!channelId) problems.push(channelText ? `没有这个渠道：${channelText} / no such channel` : '没有可用的渠道 / no channel to use');
    if (problems.length) {
      errors.push({ line: rec.line, message: problems.join('；') });
      continue;
    }
    const at = acceptedAt!;
    const localDate = toLocalDate(at, tz);
    const closedAt = status === 'closed' ? (repliedAt ?? at) : status === 'withdrawn' ? at : null;
    rows.push({
      line: rec.line,
      ref,
      request: {
        kind: 'citizen', channel_id: channelId!, type: type!, urgency: 'normal', title: title || null, content, category_id: categoryId,
        district_unit_id: districtId, street_unit_id: null, address: text(v.address) || null, lat: null, lng: null,
        requester_name: null, requester_phone: null, is_anonymous: 0, is_confidential: 0, enterprise_name: null, enterprise_credit_code: null,
        status: status!, version: 1, accepted_at: at.toISOString(), accepted_by: null, local_date: localDate, local_month: localDate.slice(0, 7),
        // The unit that finally handled it: what the suggester learns units from.
        lead_unit_id: unitId, handling_unit_id: unitId, dispatched_at: null, sign_due_at: null, signed_at: null, reply_due_at: null, due_at: null,
        replied_at: replyText || repliedAt ? (repliedAt ?? closedAt ?? at).toISOString() : null, reply_result: null, reply_text: replyText, reviewed_at: null,
        callback_at: null, callback_attempts: 0, callback_resolved: null, callback_satisfaction: null, callback_unreachable: 0,
        closed_at: closedAt ? closedAt.toISOString() : null, closed_on_time: null, is_direct: 0, sign_overdue: 0, is_overdue: 0,
        extension_pending: 0, extension_requested_at: null, extension_days: null, extension_reason: null, extension_days_granted: 0,
        return_count: 0, redo_count: 0, urge_count: 0, is_supervised: 0, merged_into_id: null, source: IMPORT_SOURCE, source_ref: null,
        created_at: nowIso, updated_at: nowIso,
      },
    });
  }
  return { rows, errors, total: records.length };
}

/** The rows whose source reference is not in the database yet. */
export async function withoutImported(db: Tx, rows: PreparedRow[]): Promise<PreparedRow[]> {
  const seen = await existingSourceRefs(db, rows.map((r) => r.ref));
  return seen.size ? rows.filter((r) => !seen.has(r.ref)) : rows;
}

/** Search documents of a batch (the CPU-heavy part: done before the write transaction opens). */
export function segmentBatch(seg: Segmenter, rows: PreparedRow[]) {
  return rows.map((r) => toSearchDocument(seg, r.request));
}

// Held by each batch's write from its check of the rows imported before until its commit (PostgreSQL; SQLite has
// one writer at a time already): two imports of the same rows at once (the same file uploaded twice, on two
// instances) each found the rows new, and brought them in twice.
const IMPORT_LOCK_KEY = 72_300;

/**
 * Writes one batch in the caller's transaction: rows imported earlier (same source reference) are
 * skipped; one audit row for the batch.
 */
export async function writeImportBatch(
  ctx: AppContext, trx: Tx, actor: Actor, rows: PreparedRow[], docs: ReturnType<typeof segmentBatch>, meta: { source: string; batch: number },
): Promise<{ imported: number; skipped: number; firstId: number | null; lastId: number | null }> {
  await lockKey(trx, ctx.dialect, IMPORT_LOCK_KEY);
  const seen = await existingSourceRefs(trx, rows.map((r) => r.ref));
  const fresh: number[] = [];
  rows.forEach((r, i) => {
    if (!seen.has(r.ref)) fresh.push(i);
  });
  if (!fresh.length) return { imported: 0, skipped: rows.length, firstId: null, lastId: null };
  const now = ctx.clock.now();
  const ids = await insertImportedRequests(ctx, trx, fresh.map((i) => ({ ...rows[i].request, source_ref: rows[i].ref })), fresh.map((i) => docs[i]), {
    actorId: actor.userId, actorName: actor.displayName, payload: { source: meta.source, importedAt: now.toISOString() },
  });
  const firstId = ids[0];
  const lastId = ids[ids.length - 1];
  await recordAudit(trx, ctx.dialect, now, {
    actor, action: 'request.import', entity: 'request',
    note: { source: meta.source, batch: meta.batch, imported: ids.length, skipped: rows.length - ids.length, firstId, lastId, lines: [rows[0].line, rows[rows.length - 1].line] },
  });
  return { imported: ids.length, skipped: rows.length - ids.length, firstId, lastId };
}

export interface ImportResult {
  total: number;
  imported: number;
  skipped: number;
  errors: ImportRowError[];
  seconds: number;
}

export function fileHashOf(buffer: Buffer): string {
  return createHash('sha256').update(buffer).digest('hex').slice(0, 12);
}

/**
 * Imports a whole file now, batch after batch, each in its own transaction (the CLI; the API runs the
 * same steps as a durable job). Segmentation of the next batch happens outside any transaction.
 */
export async function importHistoryFile(
  ctx: AppContext, actor: Actor, buffer: Buffer, filename: string, opts: ImportOptions & { onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const started = performance.now();
  const parsed = await parseImportFile(buffer, filename);
  // Threads start now, while the rows are checked: they take about as long to load jieba.
  const segment = bulkSegmenter(ctx, { threads: parsed.records.length >= PARALLEL_IMPORT_ROWS ? segmentationThreads() : 0 });
  const warmUp = segment([]);
  warmUp.catch(() => {});
  const prepared = await prepareImport(ctx, ctx.db, parsed.records, { ...opts, fileHash: fileHashOf(buffer) });
  const errors = [...parsed.errors, ...prepared.errors].sort((a, b) => a.line - b.line);
  const total = prepared.total + parsed.errors.length;
  const size = Math.max(1, opts.batchSize ?? DEFAULT_IMPORT_OPTIONS.batchSize);
  let imported = 0;
  let skipped = 0;
  let done = errors.length;
  // Rows an earlier import brought in are not segmented again (the write checks once more, in its transaction).
  // Resolves once checked, with the segmentation still running: the check needs the one SQLite connection,
  // so it must run before the previous batch's transaction takes it, the segmentation beside that transaction.
  const stage = async (from: number) => {
    const all = prepared.rows.slice(from, from + size);
    const rows = await withoutImported(ctx.db, all);
    const docs = rows.length ? segment(rows.map((r) => r.request)) : Promise.resolve([]);
    // Unhandled until awaited: a failure surfaces when its batch is written.
    docs.catch(() => {});
    return { all, rows, docs };
  };
  const restore = tuneBulkConnection(ctx.database);
  try {
    // Pipelined: the next batch is segmented (on other threads for a big file) while this one is written.
    let next = prepared.rows.length ? await stage(0) : null;
    for (let i = 0, batch = 1; next; i += size, batch++) {
      const { all, rows, docs } = next;
      const ready = await docs;
      next = i + size < prepared.rows.length ? await stage(i + size) : null;
      skipped += all.length - rows.length;
      if (rows.length) {
        const r = await ctx.db.transaction().execute((trx) => writeImportBatch(ctx, trx, actor, rows, ready, { source: filename, batch }));
        imported += r.imported;
        skipped += r.skipped;
      }
      done += all.length;
      opts.onProgress?.(done, total);
    }
  } finally {
    restore();
  }
  return { total, imported, skipped, errors, seconds: (performance.now() - started) / 1000 };
}
