import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { AppContext } from '../../context';
import { AppError, resolveMsg, type ErrorCode, type Lang } from '../../core/http/errors';
import type { RawParams } from './open311.params';
import * as open311 from './open311.service';
import { toXmlDocument, type XmlValue } from './open311.xml';

/** Where GeoReport v2 lives: outside /api/v1, with its own auth (api_key) and its own error shape. */
export const OPEN311_PREFIX = '/open311/v2';

type Format = 'xml' | 'json';
const FORMATS: Format[] = ['xml', 'json'];
const CONTENT_TYPES: Record<Format, string> = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' };
const tags = ['open311'];

/** The reply format a URL asks for; XML (the format GeoReport requires) unless it ends in .json. */
function formatOfUrl(url: string): Format {
  return url.split('?')[0].toLowerCase().endsWith('.json') ? 'json' : 'xml';
}

/** `01.03.02.json` → { id: '01.03.02', format: 'json' }; null for a format we do not speak. */
function splitFormat(file: string): { id: string; format: Format } | null {
  const dot = file.lastIndexOf('.');
  const format = file.slice(dot + 1).toLowerCase();
  if (dot < 0 || !FORMATS.includes(format as Format)) return null;
  return { id: file.slice(0, dot), format: format as Format };
}

function send(reply: FastifyReply, format: Format, status: number, xmlRoot: string, data: XmlValue) {
  const body = format === 'json' ? JSON.stringify(data) : toXmlDocument(xmlRoot, data);
  return reply.status(status).type(CONTENT_TYPES[format]).send(body);
}

interface Open311ErrorItem {
  code: number;
  description: string;
}

function sendErrors(reply: FastifyReply, format: Format, status: number, errors: Open311ErrorItem[]) {
  return send(reply, format, status, 'errors', errors as unknown as XmlValue);
}

/** GeoReport knows three answers to a bad call: 404 (unknown service, request, jurisdiction), 403 (api_key), 400 (the rest). */
function statusOf(code: ErrorCode): number {
  if (code === 'NOT_FOUND') return 404;
  if (code === 'FORBIDDEN' || code.startsWith('AUTH_') || code === 'CSRF_INVALID') return 403;
  if (code === 'INTERNAL' || code === 'UNAVAILABLE') return 500;
  return 400;
}

function toErrorItems(err: unknown, req: FastifyRequest, lang: Lang): { status: number; errors: Open311ErrorItem[] } {
  if (err instanceof AppError) {
    const status = statusOf(err.code);
    const errors = err.details?.length
      ? err.details.map((d) => ({ code: status, description: `${d.field}: ${resolveMsg(d.message, lang)}` }))
      : [{ code: status, description: resolveMsg(err.msg, lang) }];
    return { status, errors };
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 400, errors: [{ code: 400, description: resolveMsg({ zh: '请求体应为 application/x-www-form-urlencoded; charset=utf-8', en: 'the body must be application/x-www-form-urlencoded; charset=utf-8' }, lang) }] };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: 400, errors: [{ code: 400, description: resolveMsg({ zh: '请求无法解析', en: 'the request could not be read' }, lang) }] };
  }
  req.log.error({ err, requestId: req.id }, 'unhandled error in Open311');
  return { status: 500, errors: [{ code: 500, description: `${resolveMsg({ zh: '服务器内部错误', en: 'Internal server error' }, lang)} (${req.id})` }] };
}

const params = (v: unknown): RawParams => (v && typeof v === 'object' ? (v as RawParams) : {});
/** A parameter from the body or, as many clients send it, the query string; '' counts as absent. */
function param(req: FastifyRequest, name: string): string | undefined {
  const v = params(req.body)[name] ?? params(req.query)[name];
  const s = typeof v === 'string' ? v.trim() : undefined;
  return s || undefined;
}

/** The GeoReport v2 endpoints, each in .xml and .json. Registered with the prefix OPEN311_PREFIX. */
export function open311Routes(ctx: AppContext): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // Form bodies only, and only here: the rest of the platform speaks JSON.
    app.removeAllContentTypeParsers();
    await app.register(formbody);

    app.setErrorHandler((err, req, reply) => {
      const { status, errors } = toErrorItems(err, req, req.lang ?? 'zh');
      return sendErrors(reply, formatOfUrl(req.url), status, errors);
    });
    app.setNotFoundHandler((req, reply) => sendErrors(reply, formatOfUrl(req.url), 404, [{
      code: 404, description: resolveMsg({ zh: '没有这个 Open311 资源（格式须为 .xml 或 .json）', en: 'No such Open311 resource (the format must be .xml or .json)' }, req.lang ?? 'zh'),
    }]));
    // The public replies (services, requests) may be read by web pages of any partner.
    app.addHook('onSend', async (req, reply) => {
      if (req.method === 'GET' || req.method === 'HEAD') reply.header('access-control-allow-origin', '*');
    });
    // jurisdiction_id is accepted on every call and checked when one is configured.
    app.addHook('preHandler', async (req) => {
      await open311.checkJurisdiction(ctx, param(req, 'jurisdiction_id'));
    });

    const both = (method: 'GET' | 'POST', path: string, summary: string, handler: (req: FastifyRequest, reply: FastifyReply, format: Format) => Promise<unknown>) => {
      for (const format of FORMATS) {
        app.route({ method, url: `${path}.${format}`, schema: { tags, summary }, handler: (req, reply) => handler(req, reply, format) });
      }
    };
    const byFile = (path: string, summary: string, handler: (req: FastifyRequest, reply: FastifyReply, id: string, format: Format) => Promise<unknown>) => {
      app.get(`${path}/:file`, { schema: { tags, summary } }, async (req, reply) => {
        const parsed = splitFormat((req.params as { file: string }).file);
        if (!parsed) throw new AppError('NOT_FOUND', { message: { zh: '格式须为 .xml 或 .json', en: 'the format must be .xml or .json' } });
        return handler(req, reply, parsed.id, parsed.format);
      });
    };

    both('GET', '/discovery', 'Open311 service discovery', async (req, reply, format) => {
      const base = `${req.protocol}://${req.host}${OPEN311_PREFIX}`;
      return send(reply, format, 200, 'discovery', await open311.discovery(ctx, base));
    });

    both('GET', '/services', 'Open311 services: one per active category leaf', async (_req, reply, format) =>
      send(reply, format, 200, 'services', await open311.listServices(ctx)));

    byFile('/services', 'Open311 service definition: the attributes of one service (service_code = category code)', async (_req, reply, code, format) =>
      send(reply, format, 200, 'service_definition', await open311.getServiceDefinition(ctx, code)));

    both('POST', '/requests', 'Open311 POST service request (form-encoded, api_key of an open311_partner account)', async (req, reply, format) => {
      const partner = await open311.authenticatePartner(ctx, param(req, 'api_key'), req.ip);
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || key.length < 8 || key.length > 100)) {
        throw new AppError('VALIDATION_FAILED', { details: [{ field: 'Idempotency-Key', message: { zh: '长度应为 8 至 100 个字符', en: 'must have 8 to 100 characters' } }] });
      }
      const body = { ...params(req.query), ...params(req.body) };
      const result = await open311.submitRequest(ctx, partner, body, { lang: req.lang, idempotencyKey: key });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      // account_id is left out when the partner sent none: the published description types it as a string.
      return send(reply, format, result.replayed ? 200 : 201, 'service_requests', [{
        service_request_id: result.serviceRequestId, service_notice: result.serviceNotice, account_id: result.accountId ?? undefined, token: result.token,
      }]);
    });

    byFile('/tokens', 'Open311 token: the request a submission token became', async (_req, reply, token, format) =>
      send(reply, format, 200, 'service_requests', [await open311.findToken(ctx, token)]));

    both('GET', '/requests', 'Open311 GET service requests (≤ 90 days, ≤ 1,000 rows; page/page_size)', async (req, reply, format) =>
      send(reply, format, 200, 'service_requests', (await open311.searchOpen311Requests(ctx, params(req.query), req.lang)) as unknown as XmlValue));

    // The spec's path is requests/{id}; the project's Swagger file says request/{id}: both answer.
    for (const path of ['/requests', '/request']) {
      byFile(path, 'Open311 GET one service request by its number', async (req, reply, number, format) =>
        send(reply, format, 200, 'service_requests', [(await open311.getOpen311Request(ctx, number, req.lang)) as unknown as XmlValue]));
    }

    both('GET', '/servicerequestupdates', 'Open311 update extension: public timeline events in a window (api_key)', async (req, reply, format) => {
      await open311.authenticatePartner(ctx, param(req, 'api_key'), req.ip);
      return send(reply, format, 200, 'service_request_updates', await open311.listUpdates(ctx, params(req.query), req.lang));
    });

    both('POST', '/servicerequestupdates', 'Open311 update extension: add a citizen\'s comment to a request (api_key)', async (req, reply, format) => {
      const partner = await open311.authenticatePartner(ctx, param(req, 'api_key'), req.ip);
      const result = await open311.postUpdate(ctx, partner, { ...params(req.query), ...params(req.body) });
      return send(reply, format, 201, 'service_request_updates', [result]);
    });
  };
}
