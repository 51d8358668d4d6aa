import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../context';
import { systemActor } from '../../core/http/access';
import { DIALECTS, createTestApp, createTestContext, loginAs, unitIdByCode, type Session, type TestContext } from '../../test/harness';
import { DEMO_TAXONOMY, REQUEST_TYPES, getTimeLimits, importCategoryFile, parseCategoryFile, resolveDefaultUrgency, resolveDispatch } from './index';

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────

/** A multipart/form-data body as a browser would send it: text fields, then the file. */
function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer; type?: string }) {
  const boundary = `----zt${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    chunks.push(file.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function importFile(s: Session, name: string, content: Buffer, replace = false, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const m = multipart({ replace: String(replace) }, { name, content });
  return s.post('/api/v1/catalog/categories/import', m.body, { ...m.headers, ...headers });
}

async function readSheet(buffer: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as Parameters<typeof wb.xlsx.load>[0]);
  const rows: string[][] = [];
  wb.worksheets[0].eachRow((row) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(row.getCell(c).text);
    rows.push(cells);
  });
  return rows;
}

async function categoryId(ctx: AppContext, p: string): Promise<number> {
  const row = await ctx.db.selectFrom('categories').select('id').where('path', '=', p).executeTakeFirstOrThrow();
  return row.id;
}

async function countCategories(ctx: AppContext, active?: boolean): Promise<number> {
  let q = ctx.db.selectFrom('categories').select((eb) => eb.fn.countAll<number>().as('n'));
  if (active !== undefined) q = q.where('active', '=', active ? 1 : 0);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function auditActions(ctx: AppContext, prefix: string): Promise<Array<{ action: string; actor_name: string }>> {
  return ctx.db.selectFrom('audit_log').select(['action', 'actor_name']).where('action', 'like', `${prefix}%`).orderBy('id').execute();
}

function fieldsOf(res: LightMyRequestResponse): string[] {
  return (res.json().details ?? []).map((d: { field: string }) => d.field);
}

/**
 * The always-present fixture: good rows, a duplicate, a 2-level leaf, a quoted comma, white space to
 * trim, and four bad rows (lines 5, 8, 9, 11). The last row is already in the demo taxonomy.
 */
const FIXTURE_CSV = [
  'level1,level2,level3',
  '测试城建,物业管理,物业服务质量',
  '测试城建,物业管理,物业费纠纷',
  '测试城建,住房保障,',
  ',缺少一级,某项',
  '测试城建,物业管理,物业服务质量',
  '测试环保,噪声污染,"施工噪音,夜间"',
  '测试环保,噪声污染,社会生活噪音,多余',
  '测试环保,大气/水,扬尘',
  '  测试环保 , 噪声污染 ,交通噪音 ',
  '测试环保,,交通噪音',
  '城乡建设,物业管理,物业服务质量',
].join('\r\n');
const FIXTURE_BAD_LINES = [5, 8, 9, 11];

// ── pure: reading files ──────────────────────────────────────────────────────────────────────────

describe('category file reader', () => {
  it('reads the CSV fixture: good rows kept, bad rows named by line', async () => {
    const parsed = await parseCategoryFile(Buffer.from(`\uFEFF${FIXTURE_CSV}`), 'taxonomy.csv');
    expect(parsed.errors.map((e) => e.line)).toEqual(FIXTURE_BAD_LINES);
    expect(parsed.rows).toContainEqual(['测试城建', '住房保障']);
    expect(parsed.rows).toContainEqual(['测试环保', '噪声污染', '施工噪音,夜间']);
    expect(parsed.rows).toContainEqual(['测试环保', '噪声污染', '交通噪音']);
    expect(parsed.lines).toEqual([2, 3, 4, 6, 7, 10, 12]);
    expect(parsed.errors.find((e) => e.line === 9)!.messageEn).toContain('"/"');
  });

  it('reads GB18030 text as Excel saves a CSV on Chinese Windows', async () => {
    // 'level1,level2,level3\n水电气热,供水,停水' in GB18030.
    const gbk = Buffer.concat([
      Buffer.from('level1,level2,level3\n'),
      Buffer.from([0xcb, 0xae, 0xb5, 0xe7, 0xc6, 0xf8, 0xc8, 0xc8, 0x2c, 0xb9, 0xa9, 0xcb, 0xae, 0x2c, 0xcd, 0xa3, 0xcb, 0xae]),
    ]);
    const parsed = await parseCategoryFile(gbk, 'x.csv');
    expect(parsed.rows).toEqual([['水电气热', '供水', '停水']]);
  });

  it('rejects a file without the header, and other file types', async () => {
    const parsed = await parseCategoryFile(Buffer.from('水电气热,供水,停水\n'), 'x.csv');
    expect(parsed.rows).toEqual([]);
    expect(parsed.errors).toEqual([expect.objectContaining({ line: 1 })]);
    await expect(parseCategoryFile(Buffer.from('x'), 'x.pdf')).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    await expect(parseCategoryFile(Buffer.from('not a zip'), 'x.xlsx')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

const TAXONOMY = path.resolve(process.cwd(), '../shared/data/taxonomy.csv');
const hasTaxonomy = fs.existsSync(TAXONOMY);
if (!hasTaxonomy) console.info(`Real taxonomy import skipped: ${TAXONOMY} is absent (a fresh machine has no ../shared).`);

for (const dialect of DIALECTS) {
  // ── reference data, dispatch and time limits on the demo city ──────────────────────────────────
  describe(`catalogue (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let admin: Session;
    let agent: Session;

    beforeAll(async () => {
      ctx = await createTestContext(dialect);
      app = await createTestApp(ctx);
      admin = await loginAs(app, 'admin');
      agent = await loginAs(app, 'agent1');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    it('ships the request types, the channel families and the default time limits', async () => {
      const types = (await agent.get('/api/v1/catalog/request-types')).json();
      expect(types.items.map((t: { code: string }) => t.code)).toEqual([...REQUEST_TYPES]);
      expect(types.items[2]).toMatchObject({ code: 'complaint', name: '投诉' });

      const channels = (await agent.get('/api/v1/catalog/channels')).json().items as Array<{ code: string; family: string }>;
      expect(new Set(channels.map((c) => c.family))).toEqual(new Set(['phone', 'network']));
      expect(channels.find((c) => c.code === 'open311')).toMatchObject({ family: 'network' });
      expect(channels.find((c) => c.code === 'phone')).toMatchObject({ family: 'phone' });
      const phoneOnly = (await agent.get('/api/v1/catalog/channels?family=phone')).json().items as Array<{ family: string }>;
      expect(phoneOnly.length).toBeGreaterThan(1);
      expect(phoneOnly.every((c) => c.family === 'phone')).toBe(true);

      const limits = (await agent.get('/api/v1/catalog/time-limits')).json().items;
      expect(limits).toHaveLength(4);
      expect(limits.find((l: { urgency: string }) => l.urgency === 'emergency')).toMatchObject({
        requestType: null, sign: { amount: 0.5, unit: 'calendar-hours' }, reply: { amount: 2, unit: 'calendar-hours' }, extensionMax: { amount: 10, unit: 'working-days' }, pauseOnExtension: false,
      });
    });

    it('seeds the demo taxonomy with generated codes and default urgencies', async () => {
      const level1 = (await agent.get('/api/v1/catalog/categories?level=1')).json().items;
      expect(level1.map((c: { name: string }) => c.name)).toEqual(Object.keys(DEMO_TAXONOMY));
      expect(level1[0]).toMatchObject({ code: '01', name: '城乡建设', parentId: null, level: 1 });
      const leaf = (await agent.get('/api/v1/catalog/categories?q=物业服务质量')).json().items;
      expect(leaf).toEqual([expect.objectContaining({ code: '01.01.01', path: '城乡建设/物业管理/物业服务质量', level: 3, active: true })]);
      const twoLevelLeaf = (await agent.get(`/api/v1/catalog/categories?parentId=${await categoryId(ctx, '城市管理')}`)).json().items;
      expect(twoLevelLeaf.map((c: { name: string }) => c.name)).toContain('共享单车停放');

      expect(await resolveDefaultUrgency(ctx.db, await categoryId(ctx, '水电气热/供水/停水'))).toBe('urgent');
      expect(await resolveDefaultUrgency(ctx.db, await categoryId(ctx, '水电气热/燃气/燃气泄漏'))).toBe('emergency');
      expect(await resolveDefaultUrgency(ctx.db, await categoryId(ctx, '环境保护/噪声污染/施工噪音'))).toBeNull();
    });

    describe('dispatch resolution', () => {
      const resolve = async (categoryPath: string | null, districtCode: string | null) => resolveDispatch(ctx.db, {
        categoryId: categoryPath ? await categoryId(ctx, categoryPath) : null,
        districtUnitId: districtCode ? await unitIdByCode(ctx, districtCode) : null,
      });

      it('a leaf rule beats its first-level class', async () => {
        expect((await resolve('劳动和社会保障/社会保险/医保报销', 'QC-D01')).leadUnitId).toBe(await unitIdByCode(ctx, 'QC-YBJ'));
        // A sibling leaf without its own rule falls through to the class.
        const r = await resolve('劳动和社会保障/社会保险/社保缴纳', 'QC-D01');
        expect(r).toMatchObject({ leadUnitId: await unitIdByCode(ctx, 'QC-RSJ'), fallback: false });
      });

      it('for the same category an exact district beats any district', async () => {
        expect((await resolve('水电气热/供水/停水', 'QC-D06')).leadUnitId).toBe(await unitIdByCode(ctx, 'QC-ZLS'));
        const res = await admin.post('/api/v1/catalog/dispatch-rules', {
          categoryId: await categoryId(ctx, '水电气热/供水'), districtId: await unitIdByCode(ctx, 'QC-D06'), leadUnitId: await unitIdByCode(ctx, 'QC-SWJ'), note: '滨海新区自建水厂',
        });
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({ categoryPath: '水电气热/供水', districtName: '滨海新区人民政府', leadUnitName: '市水务局', active: true });
        expect(await resolve('水电气热/供水/停水', 'QC-D06')).toMatchObject({ leadUnitId: await unitIdByCode(ctx, 'QC-SWJ'), ruleId: res.json().id });
        expect((await resolve('水电气热/供水/停水', 'QC-D01')).leadUnitId).toBe(await unitIdByCode(ctx, 'QC-ZLS'));
      });

      it('a deeper category beats an exact district on a shallower one', async () => {
        // 物业管理 has one rule per district (→ that district); a leaf rule for any district wins over it.
        expect((await resolve('城乡建设/物业管理/物业服务质量', 'QC-D02')).leadUnitId).toBe(await unitIdByCode(ctx, 'QC-D02'));
        const res = await admin.post('/api/v1/catalog/dispatch-rules', { categoryId: await categoryId(ctx, '城乡建设/物业管理/维修基金使用'), leadUnitId: await unitIdByCode(ctx, 'QC-ZJJ') });
        expect(res.statusCode).toBe(201);
        expect((await resolve('城乡建设/物业管理/维修基金使用', 'QC-D02')).leadUnitId).toBe(await unitIdByCode(ctx, 'QC-ZJJ'));
        // Without a district the per-district rules cannot apply: the class rule (住建局) takes it.
        expect((await resolve('城乡建设/物业管理/物业服务质量', null)).leadUnitId).toBe(await unitIdByCode(ctx, 'QC-ZJJ'));
      });

      it('adds co-units, including the request district when the rule says so', async () => {
        const food = await resolve('市场监管/食品安全/过期食品', 'QC-D03');
        expect(food).toMatchObject({ leadUnitId: await unitIdByCode(ctx, 'QC-SCJGJ'), coUnitIds: [await unitIdByCode(ctx, 'QC-D03')] });
        const gas = await resolve('水电气热/燃气/燃气泄漏', 'QC-D01');
        expect(gas).toMatchObject({ leadUnitId: await unitIdByCode(ctx, 'QC-RQJT'), coUnitIds: [await unitIdByCode(ctx, 'QC-XFZD')] });

        const api = await agent.get(`/api/v1/catalog/dispatch-rules/resolve?categoryId=${await categoryId(ctx, '市场监管/食品安全/过期食品')}&districtId=${await unitIdByCode(ctx, 'QC-D03')}`);
        expect(api.statusCode).toBe(200);
        expect(api.json()).toMatchObject({ lead: { code: 'QC-SCJGJ', name: '市市场监督管理局' }, coUnits: [{ code: 'QC-D03', name: '南江区人民政府' }], fallback: false });
      });

      it('falls back to the district government when nothing matches, and needs a district then', async () => {
        const other = await admin.post('/api/v1/catalog/categories', { parentId: null, name: '其他' });
        expect(other.statusCode).toBe(201);
        expect(other.json()).toMatchObject({ code: String(Object.keys(DEMO_TAXONOMY).length + 1).padStart(2, '0'), level: 1, path: '其他' });
        const child = await admin.post('/api/v1/catalog/categories', { parentId: other.json().id, name: '其他事项' });
        expect(child.json()).toMatchObject({ code: `${other.json().code}.01`, path: '其他/其他事项' });

        expect(await resolve('其他/其他事项', 'QC-D04')).toEqual({ leadUnitId: await unitIdByCode(ctx, 'QC-D04'), coUnitIds: [], ruleId: null, fallback: true });
        expect(await resolve(null, 'QC-D04')).toMatchObject({ leadUnitId: await unitIdByCode(ctx, 'QC-D04'), fallback: true });
        await expect(resolve('其他/其他事项', null)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'districtId' })] });

        const api = await agent.get(`/api/v1/catalog/dispatch-rules/resolve?categoryId=${child.json().id}`);
        expect(api.statusCode).toBe(400);
        expect(fieldsOf(api)).toEqual(['districtId']);
        const notDistrict = await agent.get(`/api/v1/catalog/dispatch-rules/resolve?districtId=${await unitIdByCode(ctx, 'QC-ZJJ')}`);
        expect(fieldsOf(notDistrict)).toEqual(['districtId']);
      });

      it('validates rules: field named, a second active rule for the same key is a conflict', async () => {
        const stth = await unitIdByCode(ctx, 'QC-STHJJ');
        const dup = await admin.post('/api/v1/catalog/dispatch-rules', { categoryId: await categoryId(ctx, '环境保护/噪声污染'), leadUnitId: stth });
        expect(dup.statusCode).toBe(409);
        expect(fieldsOf(dup)).toEqual(['categoryId']);
        const badLead = await admin.post('/api/v1/catalog/dispatch-rules', { categoryId: await categoryId(ctx, '卫生健康/医疗服务'), leadUnitId: 999999 });
        expect(badLead.statusCode).toBe(400);
        expect(fieldsOf(badLead)).toEqual(['leadUnitId']);
        const coIsLead = await admin.post('/api/v1/catalog/dispatch-rules', { categoryId: await categoryId(ctx, '卫生健康/医疗服务'), leadUnitId: stth, coUnitIds: [stth] });
        expect(fieldsOf(coIsLead)).toEqual(['coUnitIds']);
        const unknownField = await admin.post('/api/v1/catalog/dispatch-rules', { leadUnitId: stth, priority: 1 });
        expect(unknownField.statusCode).toBe(400);
        expect(fieldsOf(unknownField)).toEqual(['priority']);
      });

      it('updates and deletes rules; lists them with names; exports them as .xlsx', async () => {
        const created = await admin.post('/api/v1/catalog/dispatch-rules', { categoryId: await categoryId(ctx, '卫生健康/公共卫生'), leadUnitId: await unitIdByCode(ctx, 'QC-WJW'), coUnitIds: [await unitIdByCode(ctx, 'QC-SCJGJ')] });
        const id = created.json().id;
        const patched = await admin.patch(`/api/v1/catalog/dispatch-rules/${id}`, { districtCoUnit: true, note: '疾控中心配合' });
        expect(patched.json()).toMatchObject({ districtCoUnit: true, note: '疾控中心配合', coUnits: [{ name: '市市场监督管理局' }] });
        const list = (await agent.get(`/api/v1/catalog/dispatch-rules?categoryId=${await categoryId(ctx, '城乡建设/物业管理')}`)).json();
        expect(list.total).toBe(10);
        expect(list.items[0]).toMatchObject({ categoryPath: '城乡建设/物业管理', leadUnitName: expect.stringContaining('人民政府') });

        const xlsx = await agent.get('/api/v1/catalog/dispatch-rules/export.xlsx');
        expect(xlsx.statusCode).toBe(200);
        expect(xlsx.headers['content-type']).toContain('spreadsheetml');
        const sheet = await readSheet(xlsx.rawPayload);
        expect(sheet[0].slice(0, 5)).toEqual(['编号 id', '分类编码 categoryCode', '分类 category', '区县 district', '主办单位 lead']);
        const all = (await agent.get('/api/v1/catalog/dispatch-rules?pageSize=200')).json();
        expect(sheet).toHaveLength(all.total + 1);
        expect(sheet.find((r) => r[2] === '水电气热/供水' && r[3] === '（任意）')?.[4]).toBe('市自来水有限公司');

        expect((await agent.delete(`/api/v1/catalog/dispatch-rules/${id}`)).statusCode).toBe(403);
        expect((await admin.delete(`/api/v1/catalog/dispatch-rules/${id}`)).statusCode).toBe(204);
        expect((await admin.get(`/api/v1/catalog/dispatch-rules/${id}`)).statusCode).toBe(404);
        expect((await auditActions(ctx, 'dispatch_rule.')).map((a) => a.action)).toEqual(expect.arrayContaining(['dispatch_rule.create', 'dispatch_rule.update', 'dispatch_rule.delete']));
      });
    });

    describe('time limits', () => {
      it('a row for the type beats the row for any type; edits take effect', async () => {
        expect(await getTimeLimits(ctx.db, { type: 'complaint', urgency: 'normal' })).toMatchObject({ reply: { amount: 5, unit: 'working-days' }, sign: { amount: 2, unit: 'working-hours' }, requestType: null });
        expect(await getTimeLimits(ctx.db, { type: 'help', urgency: 'urgent' })).toMatchObject({ reply: { amount: 24, unit: 'calendar-hours' } });

        const values = { sign: { amount: 1, unit: 'working-hours' }, reply: { amount: 3, unit: 'working-days' }, extensionMax: { amount: 5, unit: 'working-days' }, pauseOnExtension: true };
        const created = await admin.post('/api/v1/catalog/time-limits', { requestType: 'complaint', urgency: 'normal', ...values });
        expect(created.statusCode).toBe(201);
        expect(await getTimeLimits(ctx.db, { type: 'complaint', urgency: 'normal' })).toMatchObject({ requestType: 'complaint', reply: { amount: 3 }, pauseOnExtension: true });
        expect(await getTimeLimits(ctx.db, { type: 'consult', urgency: 'normal' })).toMatchObject({ requestType: null, reply: { amount: 5 } });
        const again = await admin.post('/api/v1/catalog/time-limits', { requestType: 'complaint', urgency: 'normal', ...values });
        expect(again.statusCode).toBe(409);

        const normal = (await agent.get('/api/v1/catalog/time-limits')).json().items.find((l: { requestType: string | null; urgency: string }) => l.requestType === null && l.urgency === 'normal');
        const put = await admin.put(`/api/v1/catalog/time-limits/${normal.id}`, { ...values, reply: { amount: 7, unit: 'working-days' }, pauseOnExtension: false });
        expect(put.statusCode).toBe(200);
        expect(await getTimeLimits(ctx.db, { type: 'consult', urgency: 'normal' })).toMatchObject({ reply: { amount: 7, unit: 'working-days' } });
        expect(await getTimeLimits(ctx.db, { type: 'complaint', urgency: 'normal' })).toMatchObject({ reply: { amount: 3 } });

        expect((await admin.delete(`/api/v1/catalog/time-limits/${normal.id}`)).statusCode).toBe(400);
        expect((await admin.delete(`/api/v1/catalog/time-limits/${created.json().id}`)).statusCode).toBe(204);
        expect(await getTimeLimits(ctx.db, { type: 'complaint', urgency: 'normal' })).toMatchObject({ requestType: null, reply: { amount: 7 } });
        expect((await auditActions(ctx, 'time_limit.')).map((a) => a.action)).toEqual(['time_limit.create', 'time_limit.update', 'time_limit.delete']);
      });

      it('rejects impossible values, naming the field; agents cannot edit', async () => {
        const row = (await admin.get('/api/v1/catalog/time-limits')).json().items[0];
        const body = { sign: row.sign, reply: row.reply, extensionMax: row.extensionMax, pauseOnExtension: false };
        const halfDay = await admin.put(`/api/v1/catalog/time-limits/${row.id}`, { ...body, reply: { amount: 2.5, unit: 'working-days' } });
        expect(halfDay.statusCode).toBe(400);
        expect(fieldsOf(halfDay)).toEqual(['reply.amount']);
        const zero = await admin.put(`/api/v1/catalog/time-limits/${row.id}`, { ...body, sign: { amount: 0, unit: 'working-hours' } });
        expect(fieldsOf(zero)).toEqual(['sign.amount']);
        const unit = await admin.put(`/api/v1/catalog/time-limits/${row.id}`, { ...body, extensionMax: { amount: 3, unit: 'weeks' } });
        expect(unit.statusCode).toBe(400);
        expect(fieldsOf(unit)).toEqual(['extensionMax.unit']);
        const type = await admin.post('/api/v1/catalog/time-limits', { requestType: 'gossip', urgency: 'normal', ...body });
        expect(fieldsOf(type)).toEqual(['requestType']);
        expect((await agent.put(`/api/v1/catalog/time-limits/${row.id}`, body)).statusCode).toBe(403);

        const sheet = await readSheet((await agent.get('/api/v1/catalog/time-limits/export.xlsx')).rawPayload);
        expect(sheet[0][0]).toBe('诉求类型 requestType');
        expect(sheet.find((r) => r[1] === '特急')?.slice(2, 4)).toEqual(['0.5 自然小时', '2 自然小时']);
      });
    });

    describe('channels', () => {
      it('admins create and deactivate channels; agents read but cannot write', async () => {
        const body = { code: 'hotline-12320', name: '12320卫生热线（并入）', family: 'phone' };
        expect((await agent.post('/api/v1/catalog/channels', body)).statusCode).toBe(403);
        const created = await admin.post('/api/v1/catalog/channels', body);
        expect(created.statusCode).toBe(201);
        expect(created.json()).toMatchObject({ ...body, active: true });
        const dup = await admin.post('/api/v1/catalog/channels', { ...body, name: '重复' });
        expect(dup.statusCode).toBe(409);
        expect(fieldsOf(dup)).toEqual(['code']);
        const badFamily = await admin.post('/api/v1/catalog/channels', { code: 'fax', name: '传真', family: 'fax' });
        expect(badFamily.statusCode).toBe(400);
        expect(fieldsOf(badFamily)).toEqual(['family']);
        const badCode = await admin.post('/api/v1/catalog/channels', { code: 'Has Space', name: 'x', family: 'network' });
        expect(fieldsOf(badCode)).toEqual(['code']);

        const off = await admin.patch(`/api/v1/catalog/channels/${created.json().id}`, { active: false });
        expect(off.json().active).toBe(false);
        const active = (await agent.get('/api/v1/catalog/channels?active=true')).json().items.map((c: { code: string }) => c.code);
        expect(active).not.toContain('hotline-12320');
        expect((await auditActions(ctx, 'channel.')).map((a) => a.action)).toEqual(['channel.create', 'channel.update']);
        expect((await auditActions(ctx, 'channel.'))[0].actor_name).toBe('admin');

        const sheet = await readSheet((await agent.get('/api/v1/catalog/channels/export.xlsx')).rawPayload);
        expect(sheet[0]).toEqual(['编码 code', '名称 name', '类别 family', '排序 sortOrder', '状态 active']);
        expect(sheet.find((r) => r[0] === 'open311')?.[2]).toBe('网络');
        expect(sheet.find((r) => r[0] === 'hotline-12320')?.[4]).toBe('否');
      });
    });

    describe('categories', () => {
      it('creates, renames and deactivates; paths follow; levels stop at three', async () => {
        const parent = await categoryId(ctx, '城市管理/市政设施');
        const created = await admin.post('/api/v1/catalog/categories', { parentId: parent, name: '  窨井 盖板  ' });
        expect(created.statusCode).toBe(201);
        expect(created.json()).toMatchObject({ name: '窨井 盖板', level: 3, path: '城市管理/市政设施/窨井 盖板', code: '09.03.04' });
        const tooDeep = await admin.post('/api/v1/catalog/categories', { parentId: created.json().id, name: '四级' });
        expect(tooDeep.statusCode).toBe(400);
        expect(fieldsOf(tooDeep)).toEqual(['parentId']);
        const sibling = await admin.post('/api/v1/catalog/categories', { parentId: parent, name: '路灯不亮' });
        expect(sibling.statusCode).toBe(409);
        expect(fieldsOf(sibling)).toEqual(['name']);
        const slash = await admin.post('/api/v1/catalog/categories', { parentId: parent, name: '路灯/井盖' });
        expect(slash.statusCode).toBe(400);
        expect(fieldsOf(slash)).toEqual(['name']);
        expect((await agent.post('/api/v1/catalog/categories', { parentId: parent, name: '话务员不能建' })).statusCode).toBe(403);

        const renamed = await admin.patch(`/api/v1/catalog/categories/${parent}`, { name: '市政公用设施' });
        expect(renamed.json()).toMatchObject({ path: '城市管理/市政公用设施', code: '09.03' });
        expect((await admin.get(`/api/v1/catalog/categories/${created.json().id}`)).json().path).toBe('城市管理/市政公用设施/窨井 盖板');

        const off = await admin.patch(`/api/v1/catalog/categories/${parent}`, { active: false });
        expect(off.json().active).toBe(false);
        const children = (await admin.get(`/api/v1/catalog/categories?parentId=${parent}`)).json().items;
        expect(children.length).toBe(4);
        expect(children.every((c: { active: boolean }) => !c.active)).toBe(true);
        const childOn = await admin.patch(`/api/v1/catalog/categories/${created.json().id}`, { active: true });
        expect(childOn.statusCode).toBe(400);
        expect(fieldsOf(childOn)).toEqual(['active']);
        expect((await admin.patch(`/api/v1/catalog/categories/${parent}`, { active: true })).json().active).toBe(true);
        const urgency = await admin.patch(`/api/v1/catalog/categories/${parent}`, { defaultUrgency: 'urgent' });
        expect(urgency.json().defaultUrgency).toBe('urgent');
        expect(await resolveDefaultUrgency(ctx.db, created.json().id)).toBe('urgent');

        const actions = (await auditActions(ctx, 'category.')).map((a) => a.action);
        expect(actions.filter((a) => a === 'category.create').length).toBeGreaterThanOrEqual(3);
        expect(actions).toContain('category.update');
      });
    });
  });

  // ── import and export, on a database of their own (replace switches off the demo taxonomy) ─────
  describe(`category import (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let admin: Session;

    beforeAll(async () => {
      ctx = await createTestContext(dialect);
      app = await createTestApp(ctx);
      admin = await loginAs(app, 'admin');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    it('imports a CSV: good rows merged, bad rows reported by line; a re-import never duplicates', async () => {
      const before = await countCategories(ctx);
      const res = await importFile(admin, 'fixture.csv', Buffer.from(FIXTURE_CSV));
      expect(res.statusCode).toBe(200);
      const result = res.json();
      expect(result).toMatchObject({ rows: 7, created: 9, existing: 3, reactivated: 0, deactivated: 0, replaceSkipped: false });
      expect(result.errors.map((e: { line: number }) => e.line)).toEqual(FIXTURE_BAD_LINES);
      expect(result.errors[0].message).toBe('一级分类为空');
      expect(await countCategories(ctx)).toBe(before + 9);
      expect((await admin.get('/api/v1/catalog/categories?q=测试城建')).json().items.map((c: { path: string }) => c.path)).toEqual([
        '测试城建', '测试城建/物业管理', '测试城建/物业管理/物业服务质量', '测试城建/物业管理/物业费纠纷', '测试城建/住房保障',
      ]);

      const again = (await importFile(admin, 'fixture.csv', Buffer.from(FIXTURE_CSV), false, { 'accept-language': 'en' })).json();
      expect(again).toMatchObject({ created: 0, existing: 12 });
      expect(again.errors[0]).toEqual({ line: 5, message: 'level1 is empty' });
      expect(await countCategories(ctx)).toBe(before + 9);
      const audit = await auditActions(ctx, 'category.import');
      expect(audit.filter((a) => a.actor_name === 'admin')).toHaveLength(2);
    });

    it('imports an .xlsx with the same columns; line numbers are sheet rows', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('分类');
      ws.addRow(['level1', 'level2', 'level3']);
      ws.addRow(['表格导入', '分类甲', '叶子一']);
      ws.addRow(['表格导入', null, '叶子二']);
      ws.addRow(['表格导入', '分类乙', null]);
      ws.addRow(['表格导入', '分类乙', 2024]);
      const res = await importFile(admin, 'upload.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ rows: 3, created: 5, existing: 0 });
      expect(res.json().errors).toEqual([{ line: 3, message: '二级分类为空' }]);
      expect((await admin.get('/api/v1/catalog/categories?q=表格导入/分类乙/2024')).json().total).toBe(1);
    });

    it('replace deactivates what the file leaves out, never deletes, and is skipped for a damaged file', async () => {
      const total = await countCategories(ctx);
      const goodOnly = FIXTURE_CSV.split('\r\n').filter((_, i) => !FIXTURE_BAD_LINES.includes(i + 1)).join('\n');
      const damaged = (await importFile(admin, 'fixture.csv', Buffer.from(FIXTURE_CSV), true)).json();
      expect(damaged).toMatchObject({ replaceSkipped: true, deactivated: 0 });
      expect(await countCategories(ctx, false)).toBe(0);

      const activeBefore = await countCategories(ctx, true);
      const res = (await importFile(admin, 'good.csv', Buffer.from(goodOnly), true)).json();
      expect(res).toMatchObject({ errors: [], created: 0, existing: 12, replaceSkipped: false, deactivated: activeBefore - 12 });
      expect(await countCategories(ctx)).toBe(total);
      expect(await countCategories(ctx, true)).toBe(12);
      const water = (await admin.get('/api/v1/catalog/categories?q=水电气热/供水/停水')).json().items[0];
      expect(water.active).toBe(false);

      // The fixture again without replace brings nothing back that it does not name…
      expect((await importFile(admin, 'good.csv', Buffer.from(goodOnly))).json()).toMatchObject({ reactivated: 0 });
      // …and a file naming an inactive category revives it and its ancestors.
      const revive = (await importFile(admin, 'r.csv', Buffer.from('level1,level2,level3\n水电气热,供水,停水\n'))).json();
      expect(revive).toMatchObject({ created: 0, existing: 3, reactivated: 3 });
      expect((await admin.get(`/api/v1/catalog/categories/${water.id}`)).json().active).toBe(true);
      expect((await auditActions(ctx, 'category.import')).length).toBeGreaterThanOrEqual(5);
    });

    it('exports one leaf per row in the import format; reading it back with replace changes nothing', async () => {
      const res = await admin.get('/api/v1/catalog/categories/export.xlsx');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toContain('categories.xlsx');
      const sheet = await readSheet(res.rawPayload);
      expect(sheet[0]).toEqual(['一级分类 level1', '二级分类 level2', '三级分类 level3', '编码 code', '状态 active', '默认紧急程度 defaultUrgency']);
      const all = (await admin.get('/api/v1/catalog/categories')).json().items as Array<{ id: number; parentId: number | null; path: string; active: boolean }>;
      const parents = new Set(all.map((c) => c.parentId));
      const leaves = all.filter((c) => !parents.has(c.id));
      expect(sheet).toHaveLength(leaves.length + 1);
      expect(sheet).toContainEqual(['测试城建', '住房保障', '', expect.stringMatching(/^\d{2}\.\d{2}$/), '是', '']);
      // The column holds each category's own default (leaves inherit theirs from 水电气热 when resolved).
      expect(sheet).toContainEqual(['水电气热', '供水', '停水', expect.any(String), '是', '']);
      expect(sheet.find((r) => r[2] === '施工噪音')?.[4]).toBe('否');

      const activeBefore = await countCategories(ctx, true);
      const back = (await importFile(admin, 'export.xlsx', res.rawPayload, true)).json();
      expect(back).toMatchObject({ errors: [], created: 0, deactivated: 0, reactivated: 0, replaceSkipped: false });
      expect(await countCategories(ctx, true)).toBe(activeBefore);
    });

    it('refuses what is not an import: wrong role, not multipart, wrong type, no file, bad flag', async () => {
      const agent = await loginAs(app, 'agent1');
      expect((await importFile(agent, 'fixture.csv', Buffer.from(FIXTURE_CSV))).statusCode).toBe(403);
      const json = await admin.post('/api/v1/catalog/categories/import', { file: 'x' });
      expect(json.statusCode).toBe(415);
      const pdf = await importFile(admin, 'taxonomy.pdf', Buffer.from('%PDF'));
      expect(pdf.statusCode).toBe(415);
      expect(fieldsOf(pdf)).toEqual(['file']);
      const none = multipart({ replace: 'true' });
      const noFile = await admin.post('/api/v1/catalog/categories/import', none.body, none.headers);
      expect(noFile.statusCode).toBe(400);
      expect(fieldsOf(noFile)).toEqual(['file']);
      const flag = multipart({ replace: 'maybe' }, { name: 'f.csv', content: Buffer.from(FIXTURE_CSV) });
      expect(fieldsOf(await admin.post('/api/v1/catalog/categories/import', flag.body, flag.headers))).toEqual(['replace']);
      const big = await importFile(admin, 'big.csv', Buffer.alloc(6 * 1024 * 1024, 0x61));
      expect(big.statusCode).toBe(413);
    });
  });

  // ── the real 517-leaf taxonomy, when the shared data folder is there ───────────────────────────
  describe.skipIf(!hasTaxonomy)(`real taxonomy import (${dialect})`, () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext(dialect, { demo: false });
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    it('imports all 517 leaves of ../shared/data/taxonomy.csv, and again without duplicating', async () => {
      const buffer = fs.readFileSync(TAXONOMY);
      const lines = buffer.toString('utf8').split(/\r?\n/).slice(1).filter((l) => l.trim());
      const paths = lines.map((l) => l.split(',').map((s) => s.trim()).filter(Boolean));
      const nodes = new Set(paths.flatMap((p) => p.map((_, i) => p.slice(0, i + 1).join('/'))));
      const actor = systemActor('test');

      const first = await importCategoryFile(ctx, actor, buffer, 'taxonomy.csv', { replace: false });
      expect(first.errors).toEqual([]);
      expect(first.rows).toBe(517);
      expect(first.created).toBe(nodes.size);
      expect(await countCategories(ctx)).toBe(nodes.size);
      const level1 = await ctx.db.selectFrom('categories').select('name').where('level', '=', 1).execute();
      expect(level1).toHaveLength(new Set(paths.map((p) => p[0])).size);

      const second = await importCategoryFile(ctx, actor, buffer, 'taxonomy.csv', { replace: true });
      expect(second).toMatchObject({ created: 0, existing: nodes.size, deactivated: 0, errors: [] });
      expect(await countCategories(ctx)).toBe(nodes.size);
    });
  });
}
