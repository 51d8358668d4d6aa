import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, buildApp } from '../../app';
import { DIALECTS, createTestApp, createTestContext, loginAs, type Session, type TestContext } from '../../test/harness';
import { ERROR_MESSAGES, ERROR_STATUS } from './errors';

for (const dialect of DIALECTS) {
  describe(`HTTP conventions (${dialect})`, () => {
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

    describe('errors', () => {
      it('have one shape: error code, message, and details naming fields', async () => {
        const res = await admin.post('/api/v1/units', { parentId: 'x', code: 'A B' });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const body = res.json();
        expect(Object.keys(body).sort()).toEqual(['details', 'error', 'message']);
        expect(body.error).toBe('VALIDATION_FAILED');
        expect(body.message).toBe(ERROR_MESSAGES.VALIDATION_FAILED.zh);
        expect(body.details.map((d: { field: string }) => d.field).sort()).toEqual(['code', 'kind', 'name', 'parentId']);
        for (const d of body.details) expect(Object.keys(d).sort()).toEqual(['field', 'message']);
      });

      it('speak English to Accept-Language: en, Chinese otherwise', async () => {
        const en = await app.inject({ method: 'GET', url: '/api/v1/users', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
        expect(en.json()).toEqual({ error: 'AUTH_REQUIRED', message: 'Please log in' });
        const zh = await app.inject({ method: 'GET', url: '/api/v1/users', headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } });
        expect(zh.json().message).toBe('请先登录');
        const details = (await admin.post('/api/v1/units', { parentId: null, code: 'OK', name: 'x', kind: 'planet' }, { 'accept-language': 'en' })).json();
        expect(details).toEqual({ error: 'VALIDATION_FAILED', message: 'The input is invalid; see the fields named', details: [{ field: 'kind', message: 'is not one of the allowed values' }] });
        const required = (await admin.post('/api/v1/units', { parentId: null, code: 'OK', kind: 'street' }, { 'accept-language': 'en' })).json();
        expect(required.details).toEqual([{ field: 'name', message: 'is required' }]);
        expect((await admin.get('/api/v1/nothing-here', { 'accept-language': 'en' })).json()).toEqual({ error: 'NOT_FOUND', message: 'Not found' });
      });

      it('map each code to its status, with a message in both languages', () => {
        for (const [code, status] of Object.entries(ERROR_STATUS)) {
          expect(status, code).toBeGreaterThanOrEqual(400);
          const msg = ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES];
          expect(msg.zh, code).toMatch(/\p{Script=Han}/u);
          expect(msg.en, code).toMatch(/^[\x20-\x7e]+$/);
        }
      });

      it('refuse to tell a stranger anything about the input before they log in', async () => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/units', payload: { nonsense: true } });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'AUTH_REQUIRED', message: '请先登录' });
      });

      it('answer invalid JSON, an empty JSON body and NUL characters with a 400', async () => {
        const broken = await admin.post('/api/v1/units', '{"name": ', { 'content-type': 'application/json' });
        expect(broken.statusCode).toBe(400);
        expect(broken.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'body' }] });
        const empty = await admin.post('/api/v1/units', '', { 'content-type': 'application/json' });
        expect(empty.statusCode).toBe(400);
        expect(empty.json().details).toEqual([expect.objectContaining({ field: 'body' })]);
        const nul = await admin.post('/api/v1/calendar/import', { years: { 2027: { off: ['2027-01-01\u0000'], work: [] } } });
        expect(nul.statusCode).toBe(400);
        expect(nul.json().details).toEqual([expect.objectContaining({ field: 'years.2027.off.0' })]);
        const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ad\u0000min', password: 'x' } });
        expect(login.statusCode).toBe(400);
        expect(login.json().details).toEqual([expect.objectContaining({ field: 'username' })]);
      });

      it('answer a body over the limit with 413, and an unknown media type with 415', async () => {
        const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(1024 * 1024 + 10) });
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: big, headers: { 'content-type': 'application/json' } });
        expect(res.statusCode).toBe(413);
        expect(res.json()).toEqual({ error: 'PAYLOAD_TOO_LARGE', message: '提交的内容过大' });
        const xml = await admin.post('/api/v1/units', '<unit/>', { 'content-type': 'application/xml' });
        expect(xml.statusCode).toBe(415);
        expect(xml.json().error).toBe('UNSUPPORTED_MEDIA_TYPE');
      });
    });

    describe('unexpected failures', () => {
      let logged: string[];
      let boomApp: FastifyInstance;

      beforeAll(async () => {
        logged = [];
        const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
        boomApp = await buildApp({ ...ctx, log }, { serveWeb: false });
        boomApp.get(`${API_PREFIX}/test/boom`, { config: { permission: 'public' } }, async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
        });
        await boomApp.ready();
      });
      afterAll(async () => {
        await boomApp?.close();
      });

      it('become a 500 with a request id, logged with that id, and reveal nothing', async () => {
        const res = await boomApp.inject({ method: 'GET', url: `${API_PREFIX}/test/boom`, headers: { 'accept-language': 'en' } });
        expect(res.statusCode).toBe(500);
        const body = res.json();
        expect(body).toEqual({ error: 'INTERNAL', message: 'Internal server error', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        expect(res.body).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7|stack|at /);
        const entry = logged.map((l) => JSON.parse(l)).find((l) => l.requestId === body.requestId);
        expect(entry).toBeDefined();
        expect(entry.err.message).toContain('ECONNREFUSED');
        // Each failure has its own id.
        const again = await boomApp.inject({ method: 'GET', url: `${API_PREFIX}/test/boom` });
        expect(again.json().requestId).not.toBe(body.requestId);
        expect(again.json().message).toBe('服务器内部错误');
      });
    });

    describe('permissions on routes', () => {
      it('are declared by every /api/v1 route: an undeclared one stops the app from starting', async () => {
        const bad = await buildApp(ctx, { serveWeb: false });
        const start = async () => {
          bad.get(`${API_PREFIX}/test/forgotten`, async () => ({ ok: true }));
          await bad.ready();
        };
        await expect(start()).rejects.toThrow(`Route GET ${API_PREFIX}/test/forgotten declares no permission`);
        await bad.close().catch(() => undefined);

        // Inside a plugin under the prefix, the same.
        const nested = await buildApp(ctx, { serveWeb: false });
        nested.register(async (api) => {
          api.post('/test/nested', async () => ({ ok: true }));
        }, { prefix: API_PREFIX });
        await expect(nested.ready()).rejects.toThrow(/POST \/api\/v1\/test\/nested declares no permission/);
        await nested.close().catch(() => undefined);

        // Declared, or outside the API, it starts.
        const good = await buildApp(ctx, { serveWeb: false });
        good.get(`${API_PREFIX}/test/declared`, { config: { permission: 'authenticated' } }, async () => ({ ok: true }));
        good.get('/test/outside', async () => ({ ok: true }));
        await good.ready();
        expect((await good.inject({ method: 'GET', url: `${API_PREFIX}/test/declared` })).statusCode).toBe(401);
        await good.close();
      });

      it('hold for the real app: it starts, and every API route but the public ones refuses a stranger', async () => {
        // The app built at all, so the start-up check passed for every route it has; now walk them.
        const routes = listRoutes(app).filter((r) => r.url.startsWith(API_PREFIX) && r.method !== 'HEAD');
        expect(routes.length).toBeGreaterThan(15);
        expect(routes).toContainEqual({ method: 'GET', url: '/api/v1/users/:id' });
        // Public routes are few and deliberate: a new one belongs on this list after a review.
        const PUBLIC = ['POST /api/v1/auth/login', 'GET /api/v1/openapi.json'];
        for (const r of routes) {
          const name = `${r.method} ${r.url}`;
          const res = await app.inject({ method: r.method as 'GET', url: r.url.replace(/:\w+/g, '1') });
          if (PUBLIC.includes(name)) expect(res.statusCode, name).not.toBe(401);
          else expect(res.statusCode, name).toBe(401);
        }
      });
    });

    describe('operations endpoints', () => {
      it('/healthz and /readyz answer', async () => {
        expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
        const ready = await app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toEqual({ status: 'ready', database: dialect });
      });

      it('/readyz says 503 when the database is gone', async () => {
        const other = await createTestContext(dialect, { demo: false });
        const otherApp = await createTestApp(other);
        try {
          await other.database.close();
          const res = await otherApp.inject({ method: 'GET', url: '/readyz' });
          expect(res.statusCode).toBe(503);
          expect(res.json()).toEqual({ status: 'unavailable', database: dialect });
          expect((await otherApp.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
        } finally {
          await otherApp.close();
          await other.cleanup().catch(() => undefined);
        }
      });

      it('/metrics counts requests by route template', async () => {
        await admin.get('/api/v1/units/1');
        await admin.get('/api/v1/units/2');
        const res = await app.inject({ method: 'GET', url: '/metrics' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.body).toMatch(/^zt_http_requests_total\{method="GET",route="\/api\/v1\/units\/:id",status="200"\} [2-9]\d*$/m);
        expect(res.body).toContain('zt_http_request_duration_seconds_bucket');
        expect(res.body).toMatch(/zt_db_pool_connections\{state="total"\}/);
        // One series per route, not per id.
        expect(res.body).not.toContain('route="/api/v1/units/1"');
      });

      it('/api/v1/openapi.json describes the API in OpenAPI 3', async () => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
        expect(res.statusCode).toBe(200);
        const spec = res.json();
        expect(spec.openapi).toMatch(/^3\./);
        expect(spec.info.title).toContain('Zhengtong');
        expect(spec.paths['/api/v1/auth/login'].post).toBeDefined();
        expect(spec.paths['/api/v1/users'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['role', 'unit', 'q', 'page', 'pageSize', 'sort']));
        expect(spec.paths['/api/v1/openapi.json']).toBeUndefined();
      });

      it('/api/docs serves Swagger UI', async () => {
        const res = await app.inject({ method: 'GET', url: '/api/docs' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.body).toContain('Swagger UI');
      });

      it('answers an unknown API path with a JSON 404, and a malformed URL with a JSON 400', async () => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/no/such/thing' });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'NOT_FOUND', message: '记录不存在' });
        const bad = await app.inject({ method: 'GET', url: '/api/v1/units/%E0%A4%A', headers: { 'accept-language': 'en' } });
        expect(bad.statusCode).toBe(400);
        expect(bad.json()).toEqual({ error: 'VALIDATION_FAILED', message: 'The input is invalid; see the fields named', details: [{ field: 'url', message: 'the URL is not correctly encoded' }] });
      });
    });
  });
}

/** Every route as method and URL, read from Fastify's route tree print-out (it has no list API). */
function listRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)(?:└──|├──) (.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    const url = (depth > 0 ? stack[depth - 1] : '') + m[2];
    stack[depth] = url;
    for (const method of m[3].split(', ')) out.push({ method, url: url.replace(/^\/\//, '/').replace(/^([^/])/, '/$1') });
  }
  return out;
}
