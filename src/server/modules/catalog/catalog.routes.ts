import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { grantPermissions } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { ErrorReply, IdParams, Page } from '../../core/http/schemas';
import * as catalog from './catalog.service';
import * as categories from './categories.service';
import * as dispatch from './dispatch.service';
import { XLSX_MIME } from '../../core/xlsx';
import { CATEGORY_FILE_MAX_BYTES } from './category-file';
import {
  Category, CategoryImportResult, Channel, CreateCategoryBody, CreateChannelBody, CreateDispatchRuleBody, CreateTimeLimitBody, DispatchResolution,
  DispatchRule, ListCategoriesQuery, ListChannelsQuery, ListDispatchRulesQuery, RequestTypeItem, ResolveDispatchQuery, TimeLimit, TimeLimitValuesBody,
  UpdateCategoryBody, UpdateChannelBody, UpdateDispatchRuleBody,
} from './catalog.schema';

// Everyone who handles requests reads the reference data; only administrators change it.
grantPermissions({
  admin: ['catalog.read', 'catalog.write'],
  hotline_agent: ['catalog.read'],
  dispatcher: ['catalog.read'],
  unit_handler: ['catalog.read'],
  unit_leader: ['catalog.read'],
  supervisor: ['catalog.read'],
  secretary: ['catalog.read'],
  leader: ['catalog.read'],
  analyst: ['catalog.read'],
});

const TAGS = {
  channels: ['catalog: channels'], types: ['catalog: request types'], categories: ['catalog: categories'],
  dispatch: ['catalog: dispatch rules'], limits: ['catalog: time limits'],
};
const READ = { permission: 'catalog.read' };
const WRITE = { permission: 'catalog.write' };
const Items = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), total: Type.Integer() });
const xlsxDoc = { description: 'An .xlsx workbook', content: { [XLSX_MIME]: { schema: { type: 'string', format: 'binary' } } } };

function sendXlsx(reply: FastifyReply, name: string, body: Buffer) {
  return reply
    .header('content-type', XLSX_MIME)
    .header('content-disposition', `attachment; filename="${name}.xlsx"`)
    .header('cache-control', 'no-store')
    .send(body);
}

export async function catalogRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // ── channels 渠道 ──
  r.get('/catalog/channels', {
    config: READ,
    schema: { tags: TAGS.channels, summary: '渠道列表 Intake channels, grouped in the phone and network families', querystring: ListChannelsQuery, response: { 200: Items(Channel) } },
  }, async (req) => {
    const items = await catalog.listChannels(ctx, req.query);
    return { items, total: items.length };
  });

  r.get('/catalog/channels/export.xlsx', {
    config: READ, schema: { tags: TAGS.channels, summary: '导出渠道 Channels as .xlsx', response: { 200: xlsxDoc } },
  }, async (_req, reply) => sendXlsx(reply, 'channels', await catalog.exportChannelsXlsx(ctx)));

  r.get('/catalog/channels/:id', {
    config: READ, schema: { tags: TAGS.channels, summary: '渠道 One channel', params: IdParams, response: { 200: Channel, 404: ErrorReply } },
  }, async (req) => catalog.getChannel(ctx, req.params.id));

  r.post('/catalog/channels', {
    config: WRITE, schema: { tags: TAGS.channels, summary: '新建渠道 Create a channel', body: CreateChannelBody, response: { 201: Channel, 400: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await catalog.createChannel(ctx, req.actor!, req.body)));

  r.patch('/catalog/channels/:id', {
    config: WRITE,
    schema: { tags: TAGS.channels, summary: '修改渠道 Update or deactivate a channel (never deleted: requests keep theirs)', params: IdParams, body: UpdateChannelBody, response: { 200: Channel, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply } },
  }, async (req) => catalog.updateChannel(ctx, req.actor!, req.params.id, req.body));

  // ── request types 诉求类型 ──
  r.get('/catalog/request-types', {
    config: READ, schema: { tags: TAGS.types, summary: '诉求类型 咨询 求助 投诉 举报 建议 表扬', response: { 200: Items(RequestTypeItem) } },
  }, async () => {
    const items = await catalog.listRequestTypes(ctx);
    return { items, total: items.length };
  });

  // ── categories 分类 ──
  r.get('/catalog/categories', {
    config: READ,
    schema: { tags: TAGS.categories, summary: '分类列表 Categories, flat (the tree is built from parentId), ordered by code', querystring: ListCategoriesQuery, response: { 200: Items(Category) } },
  }, async (req) => {
    const items = await categories.listCategories(ctx, req.query);
    return { items, total: items.length };
  });

  r.get('/catalog/categories/export.xlsx', {
    config: READ, schema: { tags: TAGS.categories, summary: '导出分类 Categories as .xlsx, one leaf per line (re-importable)', response: { 200: xlsxDoc } },
  }, async (_req, reply) => sendXlsx(reply, 'categories', await categories.exportCategoriesXlsx(ctx)));

  r.get('/catalog/categories/:id', {
    config: READ, schema: { tags: TAGS.categories, summary: '分类 One category', params: IdParams, response: { 200: Category, 404: ErrorReply } },
  }, async (req) => categories.getCategory(ctx, req.params.id));

  r.post('/catalog/categories', {
    config: WRITE,
    schema: { tags: TAGS.categories, summary: '新建分类 Create a category under a parent (parentId null: a first-level class)', body: CreateCategoryBody, response: { 201: Category, 400: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await categories.createCategory(ctx, req.actor!, req.body)));

  r.patch('/catalog/categories/:id', {
    config: WRITE,
    schema: { tags: TAGS.categories, summary: '修改分类 Rename, reorder, set default urgency, (de)activate (deactivation covers the subtree)', params: IdParams, body: UpdateCategoryBody, response: { 200: Category, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply } },
  }, async (req) => categories.updateCategory(ctx, req.actor!, req.params.id, req.body));

  r.post('/catalog/categories/import', {
    config: WRITE,
    schema: {
      tags: TAGS.categories, consumes: ['multipart/form-data'],
      summary: '导入分类 Import a .csv or .xlsx (header level1,level2,level3; one leaf per line); multipart fields `file` and `replace`',
      description: 'Merges by name path and never duplicates. With replace=true, active categories absent from the file are deactivated '
        + '(never deleted), unless the file has bad rows. Bad rows are reported with their line numbers; good rows are imported.',
      response: { 200: CategoryImportResult, 400: ErrorReply, 413: ErrorReply, 415: ErrorReply },
    },
  }, async (req) => {
    const upload = await readCategoryUpload(req);
    const result = await categories.importCategoryFile(ctx, req.actor!, upload.buffer, upload.filename, { replace: upload.replace });
    return { ...result, errors: result.errors.map((e) => ({ line: e.line, message: req.lang === 'en' ? e.messageEn : e.message })) };
  });

  // ── dispatch catalogue 派单目录 ──
  r.get('/catalog/dispatch-rules', {
    config: READ,
    schema: { tags: TAGS.dispatch, summary: '派单目录 Dispatch rules: category × district → lead unit and co-units', querystring: ListDispatchRulesQuery, response: { 200: Page(DispatchRule), 400: ErrorReply } },
  }, async (req) => dispatch.listDispatchRules(ctx, req.query));

  r.get('/catalog/dispatch-rules/resolve', {
    config: READ,
    schema: {
      tags: TAGS.dispatch, summary: '匹配承办单位 The units a request would go to (most specific rule; else the district government)',
      querystring: ResolveDispatchQuery, response: { 200: DispatchResolution, 400: ErrorReply },
    },
  }, async (req) => dispatch.previewDispatch(ctx, req.query));

  r.get('/catalog/dispatch-rules/export.xlsx', {
    config: READ, schema: { tags: TAGS.dispatch, summary: '导出派单目录 Dispatch rules as .xlsx', response: { 200: xlsxDoc } },
  }, async (_req, reply) => sendXlsx(reply, 'dispatch-rules', await dispatch.exportDispatchRulesXlsx(ctx)));

  r.get('/catalog/dispatch-rules/:id', {
    config: READ, schema: { tags: TAGS.dispatch, summary: '派单规则 One rule', params: IdParams, response: { 200: DispatchRule, 404: ErrorReply } },
  }, async (req) => dispatch.getDispatchRule(ctx, req.params.id));

  r.post('/catalog/dispatch-rules', {
    config: WRITE, schema: { tags: TAGS.dispatch, summary: '新建派单规则 Create a rule', body: CreateDispatchRuleBody, response: { 201: DispatchRule, 400: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await dispatch.createDispatchRule(ctx, req.actor!, req.body)));

  r.patch('/catalog/dispatch-rules/:id', {
    config: WRITE, schema: { tags: TAGS.dispatch, summary: '修改派单规则 Update a rule', params: IdParams, body: UpdateDispatchRuleBody, response: { 200: DispatchRule, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply } },
  }, async (req) => dispatch.updateDispatchRule(ctx, req.actor!, req.params.id, req.body));

  r.delete('/catalog/dispatch-rules/:id', {
    config: WRITE, schema: { tags: TAGS.dispatch, summary: '删除派单规则 Delete a rule', params: IdParams, response: { 204: Type.Null(), 404: ErrorReply } },
  }, async (req, reply) => {
    await dispatch.deleteDispatchRule(ctx, req.actor!, req.params.id);
    return reply.status(204).send(null);
  });

  // ── time limits 办理时限 ──
  r.get('/catalog/time-limits', {
    config: READ,
    schema: { tags: TAGS.limits, summary: '办理时限 Sign-for, reply and extension limits by request type (null = any) and urgency', response: { 200: Items(TimeLimit) } },
  }, async () => {
    const items = await catalog.listTimeLimits(ctx);
    return { items, total: items.length };
  });

  r.get('/catalog/time-limits/export.xlsx', {
    config: READ, schema: { tags: TAGS.limits, summary: '导出办理时限 Time limits as .xlsx', response: { 200: xlsxDoc } },
  }, async (_req, reply) => sendXlsx(reply, 'time-limits', await catalog.exportTimeLimitsXlsx(ctx)));

  r.put('/catalog/time-limits/:id', {
    config: WRITE,
    schema: { tags: TAGS.limits, summary: '修改办理时限 Replace the values of one row', params: IdParams, body: TimeLimitValuesBody, response: { 200: TimeLimit, 400: ErrorReply, 404: ErrorReply } },
  }, async (req) => catalog.updateTimeLimit(ctx, req.actor!, req.params.id, req.body));

  r.post('/catalog/time-limits', {
    config: WRITE,
    schema: { tags: TAGS.limits, summary: '新增类型时限 A row for one request type, overriding the any-type row', body: CreateTimeLimitBody, response: { 201: TimeLimit, 400: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await catalog.createTimeLimit(ctx, req.actor!, req.body)));

  r.delete('/catalog/time-limits/:id', {
    config: WRITE,
    schema: { tags: TAGS.limits, summary: '删除类型时限 Delete a type-specific row (the any-type rows stay)', params: IdParams, response: { 204: Type.Null(), 400: ErrorReply, 404: ErrorReply } },
  }, async (req, reply) => {
    await catalog.deleteTimeLimit(ctx, req.actor!, req.params.id);
    return reply.status(204).send(null);
  });
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);

/** The multipart body of an import: one `file` (.csv or .xlsx) and an optional `replace` flag. */
async function readCategoryUpload(req: FastifyRequest): Promise<{ buffer: Buffer; filename: string; replace: boolean }> {
  if (!req.isMultipart()) throw fieldError('file', { zh: '请以 multipart/form-data 上传文件', en: 'upload the file as multipart/form-data' }, 'UNSUPPORTED_MEDIA_TYPE');
  let file: { buffer: Buffer; filename: string } | null = null;
  let replace = false;
  try {
    for await (const part of req.parts({ limits: { fileSize: CATEGORY_FILE_MAX_BYTES, files: 1, fields: 10 } })) {
      if (part.type === 'file') {
        const buffer = await part.toBuffer();
        if (part.fieldname === 'file') file = { buffer, filename: part.filename };
      } else if (part.fieldname === 'replace') {
        const v = String(part.value).trim().toLowerCase();
        if (TRUE_WORDS.has(v)) replace = true;
        else if (!FALSE_WORDS.has(v)) throw fieldError('replace', { zh: '应为 true 或 false', en: 'must be true or false' });
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('PAYLOAD_TOO_LARGE', { details: [{ field: 'file', message: { zh: '文件不能超过 5 MB', en: 'the file must be at most 5 MB' } }] });
    if (code === 'FST_FILES_LIMIT') throw fieldError('file', { zh: '一次只能上传一个文件', en: 'upload one file at a time' });
    throw err;
  }
  if (!file) throw fieldError('file', { zh: '请选择要导入的文件', en: 'is required' });
  return { ...file, replace };
}
