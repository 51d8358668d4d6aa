import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { AppError, fieldError } from '../../core/http/errors';
import { ErrorReply, IdParams, Page, Strict } from '../../core/http/schemas';
import { XLSX_MIME } from '../../core/xlsx';
import { dispatchIfConfident } from '../intelligence';
import { addAttachment, MAX_ATTACHMENT_BYTES, openAttachment } from './requests.attachments';
import { exportRequestsXlsx, exportStatsXlsx } from './requests.export';
import { inboxCounts, listRequests } from './requests.query';
import { AcceptBody, ActionBody, ActionParams, KpiSettingsSchema, ListQuerySchema, RequestPage, RequestSummary, StatsQuerySchema } from './requests.schema';
import * as requests from './requests.service';
import { getKpiSettings, requestStats, setKpiSettings } from './requests.stats';

const tags = ['requests'];
const Detail = Type.Object({}, { additionalProperties: true, description: 'The request with allowedActions, clocks, orders and timeline' });

export async function requestsRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/requests', {
    config: { permission: 'requests.accept' },
    schema: {
      tags, summary: '受理 Accept a request (Idempotency-Key header makes retries safe)', body: AcceptBody,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      response: { 201: Detail, 400: ErrorReply, 422: ErrorReply },
    },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'] as string | undefined;
    const { id, replayed, accepted } = await requests.acceptRequest(ctx, req.actor!, req.body, key);
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    // Above the configured confidence (off by default) the suggester dispatches at once; a failure leaves it for a person.
    const dispatched = replayed ? false : await dispatchIfConfident(ctx, id).then((o) => o.dispatched, (err) => {
      req.log.error({ err, requestId: id }, 'auto-dispatch failed');
      return true; // it may have got part way: read the request back
    });
    // Unchanged since the accept wrote it: reply from what was written instead of reading it back.
    const detail = accepted && !dispatched ? await requests.describeAcceptedRequest(ctx, req.actor!, accepted) : await requests.getRequest(ctx, req.actor!, id);
    return reply.status(201).send(detail);
  });

  r.get('/requests', {
    config: { permission: 'requests.read' },
    schema: { tags, summary: '诉求列表 Requests in the caller\'s scope, filtered and paged', querystring: ListQuerySchema, response: { 200: RequestPage, 400: ErrorReply } },
  }, async (req) => listRequests(ctx, req.actor!, req.query));

  r.get('/requests/export.xlsx', {
    config: { permission: 'requests.export' },
    schema: { tags, summary: '导出诉求 The filtered list as .xlsx (personal data masked unless permitted)', querystring: ListQuerySchema },
  }, async (req, reply) => {
    const buf = await exportRequestsXlsx(ctx, req.actor!, req.query);
    return reply.type(XLSX_MIME).header('content-disposition', `attachment; filename="requests.xlsx"`).send(buf);
  });

  r.get('/requests/inbox-counts', {
    config: { permission: 'requests.read' },
    schema: { tags, summary: '待办数量 Counts for the unit inbox tabs', response: { 200: Type.Record(Type.String(), Type.Integer()) } },
  }, async (req) => inboxCounts(ctx, req.actor!));

  r.get('/requests/caller-history', {
    config: { permission: 'requests.personal' },
    schema: { tags, summary: '来电历史 Earlier requests from a phone number', querystring: Strict({ phone: Type.String({ minLength: 5, maxLength: 20 }) }) },
  }, async (req) => ({ items: await requests.callerHistory(ctx, req.actor!, req.query.phone) }));

  r.get('/requests/stats', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '考核指标 Counts and rates (三率 …) per group and in total', querystring: StatsQuerySchema },
  }, async (req) => requestStats(ctx, req.actor!, req.query as Parameters<typeof requestStats>[2]));

  r.get('/requests/stats.xlsx', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '导出考核指标 The stats table as .xlsx', querystring: StatsQuerySchema },
  }, async (req, reply) => {
    const buf = await exportStatsXlsx(ctx, req.actor!, req.query as Parameters<typeof requestStats>[2]);
    return reply.type(XLSX_MIME).header('content-disposition', `attachment; filename="request-stats.xlsx"`).send(buf);
  });

  r.get('/requests/kpi-settings', {
    config: { permission: 'requests.read' },
    schema: { tags, summary: '考核参数 KPI weights', response: { 200: KpiSettingsSchema } },
  }, async () => getKpiSettings(ctx));

  r.put('/requests/kpi-settings', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '设置考核参数 Set KPI weights', body: KpiSettingsSchema, response: { 200: KpiSettingsSchema, 400: ErrorReply } },
  }, async (req) => setKpiSettings(ctx, req.actor!, req.body));

  r.get('/requests/:id', {
    config: { permission: 'requests.read' },
    schema: { tags, summary: '诉求详情 One request with allowedActions, deadline clocks and timeline', params: IdParams, response: { 200: Detail, 404: ErrorReply } },
  }, async (req) => requests.getRequest(ctx, req.actor!, req.params.id));

  r.post('/requests/:id/actions/:action', {
    config: { permission: 'requests.read' },
    schema: {
      tags, summary: '办理操作 dispatch, forward, sign, return, request-extension, approve-extension, deny-extension, urge, supervise, reply, review, callback, redo, close, merge, withdraw',
      params: ActionParams, body: ActionBody, response: { 200: Detail, 400: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply },
    },
  }, async (req) => {
    const { version, ...body } = req.body;
    if (!requests.isUserAction(req.params.action)) throw fieldError('action', { zh: '没有这个操作', en: 'no such action' });
    return requests.performAction(ctx, req.actor!, req.params.id, req.params.action, body, version);
  });

  r.post('/requests/:id/attachments', {
    config: { permission: 'requests.read' },
    schema: {
      tags, summary: '上传附件 Upload an attachment (multipart field "file"; optional field "purpose": intake or reply)', params: IdParams,
      consumes: ['multipart/form-data'], response: { 201: Type.Object({}, { additionalProperties: true }), 400: ErrorReply, 413: ErrorReply, 415: ErrorReply },
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    const file = await req.file({ limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1 } });
    if (!file) throw fieldError('file', { zh: '请选择文件', en: 'a file is required' });
    const purposeField = file.fields.purpose as { value?: unknown } | undefined;
    const purpose = purposeField?.value === 'reply' ? 'reply' : 'intake';
    return reply.status(201).send(await addAttachment(ctx, req.actor!, req.params.id, file, purpose));
  });

  r.get('/requests/:id/attachments/:attachmentId', {
    config: { permission: 'requests.read' },
    schema: { tags, summary: '下载附件 Download an attachment', params: Strict({ id: Type.Integer({ minimum: 1 }), attachmentId: Type.Integer({ minimum: 1 }) }) },
  }, async (req, reply) => {
    const a = await openAttachment(ctx, req.actor!, req.params.id, req.params.attachmentId);
    return reply.type(a.mimeType).header('content-length', a.size)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`).send(a.stream);
  });
}
