import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { grantPermissions, listRoles } from '../../core/http/access';
import { getSegmenter } from '../../core/search';
import { AppError, fieldError } from '../../core/http/errors';
import { ErrorReply, IdParams } from '../../core/http/schemas';
import { getDictionary, previewSegmentation, setDictionary } from './dictionary.service';
import { getImport, listImports, MAX_IMPORT_BYTES, queueImport, storeUpload } from './history-import.job';
import type { ImportOptions } from './history-import.service';
import { ensureNightlyRetrain, queueTraining, rescheduleNightlyRetrain } from './intelligence.jobs';
import { ClassifyBody, ClassifyReply, DictionaryBody, DictionaryReply, ImportView, ModelReply, SegmentBody, SegmentReply, SettingsSchema } from './intelligence.schema';
import { classifyRequest, describeSuggester, getIntelligenceSettings, setIntelligenceSettings } from './suggester.service';

// History imports are an administrator's job.
grantPermissions({ admin: ['intelligence.import'] });
// The suggester serves whoever accepts or dispatches requests (roles holding requests.accept or
// requests.dispatch when this module loads, i.e. after the requests module granted them).
for (const role of listRoles()) {
  if (role.permissions.has('requests.accept') || role.permissions.has('requests.dispatch')) grantPermissions({ [role.role]: ['intelligence.classify'] });
}

const tags = ['intelligence'];

export async function intelligenceRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/intelligence/dictionary', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '用户词典 The city dictionary: the administrator\'s words and what is built in (unit and category names)', response: { 200: DictionaryReply } },
  }, async () => getDictionary(ctx));

  r.put('/intelligence/dictionary', {
    config: { permission: 'settings.write' },
    schema: {
      tags, summary: '设置用户词典 Replace the administrator\'s words; every instance re-segments with them, the search index is rebuilt in the background',
      body: DictionaryBody, response: { 200: DictionaryReply, 400: ErrorReply },
    },
  }, async (req) => setDictionary(ctx, req.actor!, req.body.words));

  r.post('/intelligence/segment', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '分词预览 How a text is segmented with the current dictionary, and its keywords', body: SegmentBody, response: { 200: SegmentReply, 400: ErrorReply } },
  }, async (req) => previewSegmentation(ctx, req.body.text));

  r.post('/intelligence/classify', {
    config: { permission: 'intelligence.classify' },
    schema: {
      tags, summary: '智能分类 Suggested categories and units (best first, with probabilities) and keywords for a request text',
      description: 'Learned from the city\'s closed requests; `model` is null (and the lists empty) until a model was trained.',
      body: ClassifyBody, response: { 200: ClassifyReply, 400: ErrorReply },
    },
  }, async (req) => classifyRequest(ctx, req.body));

  r.get('/intelligence/model', {
    config: { permission: 'requests.read' },
    schema: { tags, summary: '模型 The suggester in use: version, when and on how many requests it was trained', response: { 200: ModelReply } },
  }, async () => describeSuggester(ctx));

  r.post('/intelligence/model/train', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '训练模型 Queue a training run now (it also runs every night)', response: { 202: Type.Object({ queued: Type.Boolean() }) } },
  }, async (req, reply) => {
    await queueTraining(ctx, req.actor!.username);
    return reply.status(202).send({ queued: true });
  });

  r.get('/intelligence/settings', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '智能设置 Automatic dispatch and nightly training', response: { 200: SettingsSchema } },
  }, async () => getIntelligenceSettings(ctx.db));

  r.put('/intelligence/settings', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '修改智能设置 Automatic dispatch (off by default) and nightly training', body: SettingsSchema, response: { 200: SettingsSchema, 400: ErrorReply } },
  }, async (req) => {
    const s = await setIntelligenceSettings(ctx, req.actor!, req.body);
    await rescheduleNightlyRetrain(ctx);
    return s;
  });

  r.post('/intelligence/imports', {
    config: { permission: 'intelligence.import' },
    schema: {
      tags, consumes: ['multipart/form-data'],
      summary: '导入历史诉求 Upload .jsonl, .csv or .xlsx of past requests; a durable job imports it (multipart `file`; optional fields `type`, `channel`, `batchSize`)',
      description: 'Fields: title, content, time, category (level1/level2/level3 or a prefix), district, unit, status (closed, accepted, withdrawn; default closed), '
        + 'reply, reply_time, type, channel, address, id. Follow the progress with GET /intelligence/imports/{id}.',
      response: { 202: ImportView, 400: ErrorReply, 413: ErrorReply, 415: ErrorReply },
    },
  }, async (req, reply) => reply.status(202).send(await receiveImport(ctx, req)));

  r.get('/intelligence/imports', {
    config: { permission: 'intelligence.import' },
    schema: { tags, summary: '导入任务 Recent imports', response: { 200: Type.Object({ items: Type.Array(ImportView) }) } },
  }, async () => ({ items: await listImports(ctx) }));

  r.get('/intelligence/imports/:id', {
    config: { permission: 'intelligence.import' },
    schema: { tags, summary: '导入进度 An import: rows done of total, imported, skipped, bad rows with their lines', params: IdParams, response: { 200: ImportView, 404: ErrorReply } },
  }, async (req) => getImport(ctx, req.params.id));

  await ensureNightlyRetrain(ctx);
  // Loading jieba's dictionary takes most of a second: do it now, not inside the first accepting transaction.
  await getSegmenter(ctx);
}

/** Reads the multipart body: option fields and one `file`, which is streamed to disk as it arrives. */
async function receiveImport(ctx: AppContext, req: FastifyRequest) {
  if (!req.isMultipart()) throw fieldError('file', { zh: '请以 multipart/form-data 上传文件', en: 'upload the file as multipart/form-data' }, 'UNSUPPORTED_MEDIA_TYPE');
  const opts: ImportOptions = {};
  let upload: { key: string; filename: string } | null = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        upload = await storeUpload(ctx, part);
        continue;
      }
      const value = String(part.value ?? '').trim();
      if (!value) continue;
      if (part.fieldname === 'type') opts.defaultType = value.slice(0, 40);
      else if (part.fieldname === 'channel') opts.defaultChannel = value.slice(0, 60);
      else if (part.fieldname === 'batchSize') {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 20_000) throw fieldError('batchSize', { zh: '应为 1 到 20000 的整数', en: 'must be a whole number from 1 to 20000' });
        opts.batchSize = n;
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('PAYLOAD_TOO_LARGE', { details: [{ field: 'file', message: { zh: '文件不能超过 200 MB', en: 'the file must be at most 200 MB' } }] });
    if (code === 'FST_FILES_LIMIT') throw fieldError('file', { zh: '一次只能上传一个文件', en: 'upload one file at a time' });
    throw err;
  }
  if (!upload) throw fieldError('file', { zh: '请选择要导入的文件', en: 'is required' });
  return queueImport(ctx, req.actor!, upload, opts);
}
