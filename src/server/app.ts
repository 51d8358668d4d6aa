import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import type { AppContext } from './context';
import { auditRoutes } from './core/audit/audit.routes';
import { errorBody, installHttpConventions } from './core/http/conventions';
import { pickLang } from './core/http/errors';
import { installMetrics } from './core/http/metrics';
import { authRoutes, installAuthentication } from './modules/auth/auth.routes';
import { orgRoutes } from './modules/org/org.routes';
import { usersRoutes } from './modules/users/users.routes';
import { calendarRoutes } from './modules/calendar/calendar.routes';
import { catalogRoutes } from './modules/catalog';
import { requestsRoutes } from './modules/requests/requests.routes';
import { intelligenceRoutes } from './modules/intelligence';
import { analysisRoutes } from './modules/intelligence/analysis.routes';
import { open311AdminRoutes, open311Routes, OPEN311_PREFIX } from './modules/open311';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.resolve(here, '../../dist/web');
export const API_PREFIX = '/api/v1';

/** Every business module's routes, mounted under /api/v1. A new module adds one line here. */
const MODULES: Array<(app: FastifyInstance, ctx: AppContext) => Promise<void>> = [authRoutes, orgRoutes, usersRoutes, auditRoutes, calendarRoutes, catalogRoutes, requestsRoutes, open311AdminRoutes, intelligenceRoutes, analysisRoutes];

export async function buildApp(ctx: AppContext, opts: { serveWeb?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: ctx.config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    // A malformed URL (bad %-encoding) is answered before any hook runs: give it our error shape too.
    frameworkErrors: (_err, req, reply) => (reply as FastifyReply).status(400).send(errorBody('VALIDATION_FAILED', pickLang(req.headers['accept-language']), undefined, [
      { field: 'url', message: { zh: '网址编码不正确', en: 'the URL is not correctly encoded' } },
    ])),
  });

  installHttpConventions(app, { apiPrefixes: [API_PREFIX] });
  await app.register(cookie);
  // File uploads (category import, attachments): routes read parts themselves and may set lower limits.
  await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 5, fields: 20 } });
  installAuthentication(app, ctx);
  const metrics = installMetrics(app, ctx.database);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Zhengtong (政通) API',
        version: '1',
        description: 'Operations platform of a city government general office. Authenticate with the session cookie from /auth/login '
          + '(send X-CSRF-Token on writes) or with `Authorization: Bearer <API token>`. Errors: `{ error, message, details[] }`; '
          + 'messages in Chinese, or English with `Accept-Language: en`. '
          + 'Partner systems submit and track requests through Open311 GeoReport v2 under /open311/v2; see docs/open311.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'zt_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(async (api) => {
    for (const mod of MODULES) await mod(api, ctx);
    api.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());
  }, { prefix: API_PREFIX });
  await app.register(open311Routes(ctx), { prefix: OPEN311_PREFIX });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ready', database: ctx.dialect };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: ctx.dialect });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));

  const serveWeb = opts.serveWeb ?? true;
  const hasWeb = serveWeb && fs.existsSync(path.join(WEB_DIST, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: 'index.html' });
  else app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER_PAGE));

  app.setNotFoundHandler((req, reply) => {
    const isApi = req.url.startsWith('/api/') || req.url.startsWith('/open311/');
    // Client-side routes of the web app fall back to its index page.
    if (!isApi && hasWeb && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) return reply.sendFile('index.html');
    return reply.status(404).send(errorBody('NOT_FOUND', req.lang ?? 'zh'));
  });
  return app;
}

const PLACEHOLDER_PAGE = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>政通 Zhengtong</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>政通 Zhengtong</h1>
<p>The web app is not built. Run <code>npm start</code> (it builds it) or <code>npm run build</code>.</p>
<ul><li><a href="/api/docs">API documentation (Swagger UI)</a></li><li><a href="/api/v1/openapi.json">OpenAPI document</a></li></ul></body></html>`;
