import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, createTestContext, DIALECTS, tokenSession, type TestContext } from '../../test/harness';
import { buildDispatchedRequest, createWorld, type RequestWorld } from './test-factories';

function multipart(fields: Record<string, string>, file: { name: string; type: string; data: Buffer }) {
  const boundary = `----zt${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

for (const dialect of DIALECTS) {
  describe(`request attachments (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    beforeAll(async () => {
      ctx = await createTestContext(dialect);
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('stores an upload with its SHA-256, lists it on the request and returns the same bytes', async () => {
      const r = await buildDispatchedRequest(w);
      const body = multipart({ purpose: 'reply' }, { name: '现场照片.png', type: 'image/png', data: PNG });
      const up = await w.handler.post(`/api/v1/requests/${r.id}/attachments`, body.payload, body.headers);
      expect(up.statusCode).toBe(201);
      expect(up.json()).toMatchObject({ filename: '现场照片.png', size: PNG.length, sha256: createHash('sha256').update(PNG).digest('hex'), purpose: 'reply' });
      const detail = (await w.handler.get(`/api/v1/requests/${r.id}`)).json();
      expect(detail.attachments).toHaveLength(1);
      const down = await w.handler.get(`/api/v1/requests/${r.id}/attachments/${up.json().id}`);
      expect(down.statusCode).toBe(200);
      expect(Buffer.compare(down.rawPayload, PNG)).toBe(0);
      expect(down.headers['content-disposition']).toContain(encodeURIComponent('现场照片.png'));
    });

    it('refuses a type it does not accept and keeps nothing; other units cannot upload or download', async () => {
      const r = await buildDispatchedRequest(w);
      const exe = multipart({}, { name: 'virus.exe', type: 'application/octet-stream', data: Buffer.from('MZ') });
      const bad = await w.handler.post(`/api/v1/requests/${r.id}/attachments`, exe.payload, exe.headers);
      expect(bad.statusCode).toBe(415);
      expect(bad.json().details[0].field).toBe('file');
      const rows = await ctx.db.selectFrom('request_attachments').select('id').where('request_id', '=', r.id).execute();
      expect(rows).toHaveLength(0);
      const other = await tokenSession(app, ctx, 'xishan.handler1');
      const png = multipart({}, { name: 'a.png', type: 'image/png', data: PNG });
      expect((await other.post(`/api/v1/requests/${r.id}/attachments`, png.payload, png.headers)).statusCode).toBe(404);
    });
  });
}
