import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Tx } from '../../core/db/database';
import { systemActor, type Actor } from '../../core/http/access';
import { AppError, fieldError, notFound } from '../../core/http/errors';
import { registerJobHandler, scheduleJob } from '../../core/jobs';
import { getSegmenter } from '../../core/search';
import { IMPORT_EXTENSIONS, parseImportFile } from './history-file';
import { DEFAULT_IMPORT_OPTIONS, fileHashOf, prepareImport, segmentBatch, withoutImported, writeImportBatch, type ImportOptions, type PreparedImport } from './history-import.service';
import type { IntelligenceImportsTable } from './intelligence.tables';

/**
 * History imports through the API: the upload is stored under DATA_DIR, a row in intelligence_imports
 * tracks it, and a durable job works through the file one batch per run — each run one transaction, so
 * progress is visible between batches, the rest of the platform keeps working, and a restart resumes
 * where the last committed batch ended.
 */

export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
export const IMPORT_JOB = 'intelligence.import';
const ERRORS_KEPT = 1000;

type ImportRow = Selectable<IntelligenceImportsTable>;

function importsDir(ctx: AppContext): string {
  return path.join(ctx.config.dataDir, 'imports');
}

/** Streams an upload to DATA_DIR/imports; returns its storage key. Refuses other file types, empty and over-large files. */
export async function storeUpload(ctx: AppContext, file: MultipartFile): Promise<{ key: string; filename: string }> {
  const ext = path.extname(file.filename).toLowerCase();
  if (!IMPORT_EXTENSIONS.includes(ext)) {
    file.file.resume();
    throw fieldError('file', { zh: '只支持 .jsonl、.csv 或 .xlsx 文件', en: 'must be a .jsonl, .csv or .xlsx file' }, 'UNSUPPORTED_MEDIA_TYPE');
  }
  const dir = importsDir(ctx);
  fs.mkdirSync(dir, { recursive: true });
  const key = `${randomUUID()}${ext}`;
  const target = path.join(dir, key);
  await pipeline(file.file, fs.createWriteStream(target));
  if (file.file.truncated) {
    fs.rmSync(target, { force: true });
    throw fieldError('file', { zh: `文件不能超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, en: `must be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB` }, 'PAYLOAD_TOO_LARGE');
  }
  if (fs.statSync(target).size === 0) {
    fs.rmSync(target, { force: true });
    throw fieldError('file', { zh: '文件是空的', en: 'the file is empty' });
  }
  return { key, filename: path.basename(file.filename).slice(0, 200) };
}

/** Queues the import of a stored upload; returns the import as GET shows it. */
export async function queueImport(ctx: AppContext, actor: Actor, upload: { key: string; filename: string }, opts: ImportOptions) {
  const now = ctx.clock.now();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('intelligence_imports').values({
      filename: upload.filename, storage_key: upload.key, status: 'queued', total_rows: null, rows_done: 0, imported: 0, skipped: 0,
      error_count: 0, errors: null, options: JSON.stringify(opts), message: null, created_by: actor.userId, created_at: now.toISOString(), started_at: null, finished_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    await scheduleJob(trx, { kind: IMPORT_JOB, runAt: now, payload: { importId: row.id }, dedupeKey: `intelligence:import:${row.id}`, now });
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'intelligence.import.start', entity: 'intelligence_import', entityId: row.id, after: { filename: upload.filename, ...opts } });
    return row.id;
  });
  return getImport(ctx, id);
}

export function toImportView(r: ImportRow) {
  return {
    id: r.id, filename: r.filename, status: r.status, totalRows: r.total_rows, rowsDone: r.rows_done, imported: r.imported, skipped: r.skipped,
    errorCount: r.error_count, errors: r.errors ? (JSON.parse(r.errors) as Array<{ line: number; message: string }>) : [],
    progress: r.total_rows ? Math.round((r.rows_done / r.total_rows) * 1000) / 1000 : r.status === 'done' ? 1 : 0,
    message: r.message, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}

export async function getImport(ctx: AppContext, id: number) {
  const r = await ctx.db.selectFrom('intelligence_imports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound({ zh: '导入任务', en: 'Import' });
  return toImportView(r);
}

export async function listImports(ctx: AppContext, limit = 50) {
  const rows = await ctx.db.selectFrom('intelligence_imports').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...toImportView(r), errors: undefined }));
}

// The file read and checked, per import, for the runs that follow the first (on this instance).
const prepared = new Map<number, { prepared: PreparedImport; parseErrors: number }>();

async function readPrepared(ctx: AppContext, trx: Tx, imp: ImportRow): Promise<{ prepared: PreparedImport; parseErrors: number }> {
  const hit = prepared.get(imp.id);
  if (hit) return hit;
  const buffer = fs.readFileSync(path.join(importsDir(ctx), imp.storage_key));
  const parsed = await parseImportFile(buffer, imp.filename);
  const opts = imp.options ? (JSON.parse(imp.options) as ImportOptions) : {};
  const p = await prepareImport(ctx, trx, parsed.records, { ...opts, fileHash: fileHashOf(buffer) });
  p.errors.push(...parsed.errors);
  p.errors.sort((a, b) => a.line - b.line);
  const entry = { prepared: p, parseErrors: parsed.errors.length };
  prepared.set(imp.id, entry);
  // Only a few imports run at once; do not keep old ones alive.
  while (prepared.size > 4) prepared.delete(prepared.keys().next().value!);
  return entry;
}

/**
 * One run of an import: the first reads and checks the file (bad rows are recorded at once), each run
 * then writes one batch of good rows and, while rows remain, queues the next run.
 */
export async function advanceImport(ctx: AppContext, trx: Tx, importId: number): Promise<void> {
  const imp = await trx.selectFrom('intelligence_imports').selectAll().where('id', '=', importId).executeTakeFirst();
  if (!imp || imp.status === 'done' || imp.status === 'failed') return;
  const now = ctx.clock.now();
  let entry: { prepared: PreparedImport; parseErrors: number };
  try {
    entry = await readPrepared(ctx, trx, imp);
  } catch (err) {
    // A file that cannot be read will not become readable by retrying: the import fails, with the reason.
    const message = err instanceof AppError ? (typeof err.msg === 'string' ? err.msg : `${err.msg.zh} / ${err.msg.en}`) : String((err as Error).message ?? err);
    await trx.updateTable('intelligence_imports').set({ status: 'failed', message: message.slice(0, 500), finished_at: now.toISOString() }).where('id', '=', importId).execute();
    return;
  }
  const { prepared: p } = entry;
  const opts = imp.options ? (JSON.parse(imp.options) as ImportOptions) : {};
  const size = Math.max(1, opts.batchSize ?? DEFAULT_IMPORT_OPTIONS.batchSize);
  const total = p.total + entry.parseErrors;
  // Good rows already handled: rows_done counts the bad ones too (recorded in the first run).
  const goodDone = imp.status === 'queued' ? 0 : imp.rows_done - p.errors.length;
  const batch = p.rows.slice(goodDone, goodDone + size);
  let imported = 0;
  let skipped = 0;
  const fresh = batch.length ? await withoutImported(trx, batch) : [];
  skipped = batch.length - fresh.length;
  if (fresh.length) {
    const seg = await getSegmenter(ctx, trx);
    const actor = imp.created_by ? await actorOf(trx, imp.created_by) : systemActor('import');
    const r = await writeImportBatch(ctx, trx, actor, fresh, segmentBatch(seg, fresh), { source: imp.filename, batch: Math.floor(goodDone / size) + 1 });
    imported = r.imported;
    skipped += r.skipped;
  }
  const rowsDone = p.errors.length + goodDone + batch.length;
  const finished = rowsDone >= total;
  await trx.updateTable('intelligence_imports').set({
    status: finished ? 'done' : 'running', total_rows: total, rows_done: rowsDone, imported: imp.imported + imported, skipped: imp.skipped + skipped,
    error_count: p.errors.length, errors: JSON.stringify(p.errors.slice(0, ERRORS_KEPT)),
    started_at: imp.started_at ?? now.toISOString(), finished_at: finished ? now.toISOString() : null,
  }).where('id', '=', importId).execute();
  if (finished) {
    prepared.delete(importId);
    await recordAudit(trx, ctx.dialect, now, { actor: systemActor('import'), action: 'intelligence.import.done', entity: 'intelligence_import', entityId: importId, note: { total, imported: imp.imported + imported, skipped: imp.skipped + skipped, errors: p.errors.length } });
  } else {
    await scheduleJob(trx, { kind: IMPORT_JOB, runAt: now, payload: { importId }, dedupeKey: `intelligence:import:${importId}`, now });
  }
}

/** The uploader, for the audit rows of the batches (the import runs later, in a job). */
async function actorOf(trx: Tx, userId: number): Promise<Actor> {
  const u = await trx.selectFrom('users').select(['id', 'username', 'display_name', 'unit_id']).where('id', '=', userId).executeTakeFirst();
  if (!u) return systemActor('import');
  return { ...systemActor(u.username), userId: u.id, username: u.username, displayName: u.display_name, unitId: u.unit_id };
}

registerJobHandler(IMPORT_JOB, (ctx, trx, payload: { importId: number }) => advanceImport(ctx, trx, payload.importId));
