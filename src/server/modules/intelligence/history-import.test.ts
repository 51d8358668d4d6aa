import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { systemActor } from '../../core/http/access';
import { getSegmenter } from '../../core/search';
import { runDueJobs } from '../../core/jobs';
import { countsFromRecords, countsFromRollup } from '../requests/requests.stats';
import { buildAcceptedRequest, createWorld, type RequestWorld } from '../requests/test-factories';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, type Session, type TestContext } from '../../test/harness';
import { generateHistory, toJsonl } from './history-fixtures';
import { advanceImport } from './history-import.job';
import { fileHashOf, importHistoryFile, prepareImport, segmentBatch, writeImportBatch } from './history-import.service';
import { parseImportFile } from './history-file';

const REAL_DATA = '/work/shared/data/messages-with-replies.jsonl';
const realDataPresent = fs.existsSync(REAL_DATA);
if (!realDataPresent) console.info(`Real-data import test skipped: ${REAL_DATA} is absent (the generated fixtures still run).`);

/** A multipart/form-data body: text fields, then the file. */
function multipart(fields: Record<string, string>, file: { name: string; data: Buffer }) {
  const boundary = `----zt${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const seqOf = (number: string) => Number(number.slice(8));

for (const dialect of DIALECTS) {
  describe(`history import (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    let admin: Session;
    // 2025-03-03 10:00 in Shanghai.
    const clock = new FakeClock('2025-03-03T02:00:00.000Z');

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
      admin = await tokenSession(app, ctx, 'admin');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    it('imports the good rows, reports the bad ones by line, and numbers gap-free per day after the live requests', async () => {
      const live = await buildAcceptedRequest(w);
      expect(seqOf(live.number)).toBe(1);
      const history = generateHistory({ rows: 23, seed: 11, start: '2024-06-01', days: 5 });
      // Two more on the live request's day, in two of the formats exports use.
      history.push({ ...history[0], id: 'today-1', time: '2025/3/3 8:15:00', title: '今天早上的停水' }, { ...history[1], id: 'today-2', time: '2025-03-03T01:00:00Z' });
      const bad = [
        { id: 'bad-1', title: '时间不对', content: '内容', time: '去年夏天' },
        { id: 'bad-2', title: '分类不对', content: '内容', time: '2024/6/1', category: '不存在的分类' },
        { id: 'bad-3', title: '没有内容', content: '  ', time: '2024/6/1' },
        { id: 'bad-4', title: '单位不对', content: '内容', time: '2024/6/1', unit: '火星管理局', status: '处理中' },
        { id: 'bad-5', title: '状态不对', content: '内容', time: '2024/6/1', status: 'constructor' },
        // The first line's id again, with other content: one request per id.
        { ...history[5], id: history[0].id },
      ];
      const lines = [...history.slice(0, 10), bad[0], bad[1], ...history.slice(10, 20), bad[2], bad[3], bad[4], bad[5], ...history.slice(20)];
      const file = Buffer.from(`${toJsonl(lines)}{"broken json\n`);
      const result = await importHistoryFile(ctx, systemActor('test'), file, 'history.jsonl', { batchSize: 10 });
      expect(result.imported).toBe(history.length);
      expect(result.errors.map((e) => e.line)).toEqual([11, 12, 23, 24, 25, 26, lines.length + 1]);
      expect(result.errors[0].message).toContain('time not recognised');
      expect(result.errors[1].message).toContain('no such category');
      expect(result.errors[2].message).toContain('content is empty');
      expect(result.errors[3].message).toContain('no such unit');
      expect(result.errors[3].message).toContain('unsupported status');
      expect(result.errors[4].message).toContain('unsupported status');
      expect(result.errors[5].message).toContain('the same id as line 1');

      const imported = await ctx.db.selectFrom('requests').selectAll().where('source', '=', 'import').orderBy('id').execute();
      expect(imported).toHaveLength(history.length);
      // Per day the sequence runs 1, 2, 3 … with no gap; on the live day it continues after the live request.
      const byDay = new Map<string, number[]>();
      for (const r of imported) byDay.set(r.local_date, [...(byDay.get(r.local_date) ?? []), seqOf(r.number)]);
      for (const [day, seqs] of byDay) {
        const first = day === '2025-03-03' ? 2 : 1;
        expect(seqs.sort((a, b) => a - b), day).toEqual(seqs.map((_, i) => first + i));
        const counter = await ctx.db.selectFrom('request_counters').select('last_seq').where('day', '=', day).executeTakeFirstOrThrow();
        expect(counter.last_seq).toBe(first + seqs.length - 1);
      }
      const next = await buildAcceptedRequest(w);
      expect(seqOf(next.number)).toBe(4);

      // Closed, with its reply and the unit that handled it; category and district resolved from names.
      const first = imported.find((r) => r.source_ref === `id:${history[0].id}`)!;
      expect(first).toMatchObject({ status: 'closed', reply_text: history[0].reply, content: history[0].content, title: history[0].title });
      const category = await ctx.db.selectFrom('categories').select('path').where('id', '=', first.category_id!).executeTakeFirstOrThrow();
      expect(category.path).toBe(history[0].category);
      const unit = await ctx.db.selectFrom('units').select('code').where('id', '=', first.lead_unit_id!).executeTakeFirstOrThrow();
      expect(unit.code).toBe(history[0].unit);

      // One timeline event per request, one audit row per batch of 10.
      const events = await ctx.db.selectFrom('workflow_events').select(['entity_id', 'action', 'to_state']).where('action', '=', 'import').execute();
      expect(events).toHaveLength(history.length);
      const audits = await ctx.db.selectFrom('audit_log').select('diff').where('action', '=', 'request.import').execute();
      expect(audits).toHaveLength(Math.ceil(history.length / 10));
      const detail = (await w.dispatcher.get(`/api/v1/requests/${first.id}`)).json();
      expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual(['import']);

      // Searchable at once: the index rows were written with the batch.
      const found = (await w.dispatcher.get(`/api/v1/requests?q=${encodeURIComponent('今天早上的停水')}`)).json();
      expect(found.items.map((i: { title: string }) => i.title)).toContain('今天早上的停水');

      // The KPI rollup took the imported requests in, as the records count them.
      for (const groupBy of ['unit', 'category', 'district', 'day'] as const) {
        const range = { groupBy, from: '2024-01-01', to: '2025-12-31', kind: 'all' as const };
        const byKey = (rows: Array<[string, unknown]>) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
        expect(byKey(await countsFromRollup(ctx, range)), groupBy).toEqual(byKey(await countsFromRecords(ctx, range, null)));
      }

      // The same file again: nothing new.
      const again = await importHistoryFile(ctx, systemActor('test'), file, 'history.jsonl', { batchSize: 10 });
      expect(again).toMatchObject({ imported: 0, skipped: history.length });
    });

    it('writes each row once when two imports write the same rows at once (two uploads of one file, two instances)', async () => {
      const history = generateHistory({ rows: 30, seed: 31, start: '2024-08-01', days: 3 }).map((r, i) => ({ ...r, id: `twice-${i}` }));
      const file = Buffer.from(toJsonl(history));
      const { rows } = await prepareImport(ctx, ctx.db, (await parseImportFile(file, 'twice.jsonl')).records, { fileHash: fileHashOf(file) });
      const docs = segmentBatch(await getSegmenter(ctx), rows);
      // What each import's job run does: check the batch against the database and write it, in its own transaction.
      const results = await Promise.all([1, 2].map(() => ctx.db.transaction().execute((trx) => writeImportBatch(ctx, trx, systemActor('test'), rows, docs, { source: 'twice.jsonl', batch: 1 }))));
      expect(results.map((r) => r.imported).sort((a, b) => a - b)).toEqual([0, history.length]);
      const refs = await ctx.db.selectFrom('requests').select('source_ref').where('source', '=', 'import').where('source_ref', 'like', 'id:twice-%').execute();
      expect(refs.map((r) => r.source_ref).sort()).toEqual(history.map((r) => `id:${r.id}`).sort());
    });

    it('imports through the API as a durable job with visible progress; only administrators may', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('历史诉求');
      ws.addRow(['标题 title', '内容 content', '受理时间 time', '分类 category', '区县 district', '承办单位 unit', '答复 reply', '答复时间 reply_time']);
      const rows = generateHistory({ rows: 25, seed: 21, start: '2024-07-01', days: 3 });
      for (const r of rows) ws.addRow([r.title, r.content, new Date(Date.UTC(2024, 6, 2, 9, 30)), r.category, r.district, r.unit, r.reply, 45475.5]);
      ws.addRow(['坏行', '内容', '不是日期', '', '', '', '', '']);
      const body = multipart({ batchSize: '10', type: 'complaint' }, { name: '历史诉求.xlsx', data: Buffer.from(await wb.xlsx.writeBuffer()) });

      expect((await w.dispatcher.post('/api/v1/intelligence/imports', body.payload, body.headers)).statusCode).toBe(403);
      const res = await admin.post('/api/v1/intelligence/imports', body.payload, body.headers);
      expect(res.statusCode, res.body).toBe(202);
      const queued = res.json();
      expect(queued).toMatchObject({ status: 'queued', filename: '历史诉求.xlsx', rowsDone: 0 });

      // One run of the job: the file is read, the bad row is reported, the first batch written.
      await ctx.db.transaction().execute((trx) => advanceImport(ctx, trx, queued.id));
      const running = (await admin.get(`/api/v1/intelligence/imports/${queued.id}`)).json();
      expect(running).toMatchObject({ status: 'running', totalRows: 26, rowsDone: 11, imported: 10, errorCount: 1 });
      expect(running.progress).toBeCloseTo(11 / 26, 3);
      expect(running.errors).toEqual([{ line: 27, message: expect.stringContaining('time not recognised') }]);

      // The job worker finishes it.
      await runDueJobs(ctx);
      const done = (await admin.get(`/api/v1/intelligence/imports/${queued.id}`)).json();
      expect(done).toMatchObject({ status: 'done', totalRows: 26, rowsDone: 26, imported: 25, skipped: 0, errorCount: 1, progress: 1 });
      const importedRows = await ctx.db.selectFrom('requests').select(['type', 'accepted_at', 'replied_at']).where('source_ref', 'like', '%:%').where('local_date', '=', '2024-07-02').execute();
      expect(importedRows).toHaveLength(25);
      // An Excel date cell is wall-clock time in the city; the serial 45475.5 is 2024-07-02 12:00 there.
      expect(importedRows.every((r) => r.type === 'complaint' && r.accepted_at === '2024-07-02T01:30:00.000Z' && r.replied_at === '2024-07-02T04:00:00.000Z')).toBe(true);
      expect((await admin.get('/api/v1/intelligence/imports')).json().items[0]).toMatchObject({ id: queued.id, status: 'done' });
      expect((await admin.get('/api/v1/intelligence/imports/999999')).statusCode).toBe(404);
    });

    it.skipIf(!realDataPresent)('imports the real messages with replies (mixed date formats) and finds them', async () => {
      const buffer = fs.readFileSync(REAL_DATA);
      const result = await importHistoryFile(ctx, systemActor('test'), buffer, 'messages-with-replies.jsonl');
      expect(result.total).toBe(2816);
      expect(result.imported + result.skipped).toBe(2816 - result.errors.length);
      expect(result.errors).toEqual([]);
      const first = JSON.parse(buffer.toString('utf8').split('\n')[0]) as { title: string };
      const found = (await w.dispatcher.get(`/api/v1/requests?q=${encodeURIComponent('景蓉华苑')}&pageSize=50`)).json();
      expect(found.items.map((i: { title: string }) => i.title)).toContain(first.title);
    }, 120_000);
  });
}
