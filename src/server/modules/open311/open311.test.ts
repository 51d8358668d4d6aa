import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../core/http/access';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, unitIdByCode, type Session, type TestContext } from '../../test/harness';
import { createApiToken } from '../auth/auth.service';
import { act, buildAcceptedRequest, createWorld, type RequestWorld } from '../requests/test-factories';
import { jsonAsXmlText, loadSchemas, parseXml, schemaErrors, xmlToData, type ReplyKind } from './open311.test-support';

// Monday 2024-09-30 10:00 in Shanghai.
const NOW = '2024-09-30T02:00:00.000Z';
const DAY = 24 * 3600 * 1000;
const BASE = '/open311/v2';

// The Open311 project's published JSON schemas (../shared/open311 beside the repository); the inline
// schemas of open311.test-support.ts run whether or not they are there.
const SCHEMA_DIR = process.env.OPEN311_SCHEMA_DIR ?? path.resolve(process.cwd(), '../shared/open311');
const schemas = loadSchemas(SCHEMA_DIR);
if (!schemas.publishedDir) console.info(`Open311: published JSON schemas not found at ${SCHEMA_DIR}; validating against the inline schemas only.`);

const XML_ROOT: Record<ReplyKind, string> = {
  request: 'service_requests', requests: 'service_requests', service: 'services', services: 'services', service_definition: 'service_definition',
  errors: 'errors', updates: 'service_request_updates', post_reply: 'service_requests', token_reply: 'service_requests', update_reply: 'service_request_updates', discovery: 'discovery',
};

type Form = Record<string, string | string[] | undefined>;

function encodeForm(form: Form): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) p.append(k, item);
  }
  return p.toString();
}

for (const dialect of DIALECTS) {
  describe(`Open311 GeoReport v2 (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    let admin: Session;
    let apiKey: string;
    let agentKey: string;
    let lampCode: string;
    let plainCode: string;
    const clock = new FakeClock(NOW);
    /** Every Open311 reply body of the suite, for the personal-data check at the end. */
    const bodies: string[] = [];

    async function inject(method: 'GET' | 'POST', url: string, form?: Form | string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
      const res = await app.inject({
        method, url,
        ...(form !== undefined ? {
          payload: typeof form === 'string' ? form : encodeForm(form),
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
        } : { headers }),
      });
      bodies.push(res.body);
      return res;
    }

    /** Checks one reply: content type, schema (JSON) or well-formed document with the expected root (XML). */
    function checkReply(res: LightMyRequestResponse, format: 'json' | 'xml', kind: ReplyKind, status: number): unknown {
      expect(res.statusCode, res.body).toBe(status);
      if (format === 'json') {
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        const body = res.json();
        expect(schemaErrors(schemas, kind, body)).toEqual([]);
        return body;
      }
      expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
      const root = parseXml(res.body);
      expect(root.name).toBe(XML_ROOT[kind]);
      return xmlToData(root);
    }

    /** GET in both formats: each valid, and the XML carrying exactly the data of the JSON. */
    async function getBoth(pathNoExt: string, query: string, kind: ReplyKind, status = 200): Promise<any> {
      const json = checkReply(await inject('GET', `${BASE}${pathNoExt}.json${query}`), 'json', kind, status);
      const xml = checkReply(await inject('GET', `${BASE}${pathNoExt}.xml${query}`), 'xml', kind, status);
      expect(xml).toEqual(jsonAsXmlText(json));
      return json;
    }

    async function expectError(res: LightMyRequestResponse, status: number, format: 'json' | 'xml' = 'json'): Promise<string[]> {
      const data = checkReply(res, format, 'errors', status) as Array<{ code: number | string; description: string }>;
      expect(data.length).toBeGreaterThan(0);
      for (const e of data) expect(String(e.code)).toBe(String(status));
      return data.map((e) => e.description);
    }

    function submit(form: Form, format: 'json' | 'xml' = 'json', headers: Record<string, string> = {}) {
      return inject('POST', `${BASE}/requests.${format}`, form, headers);
    }

    const lampForm = (extra: Form = {}): Form => ({
      api_key: apiKey, service_code: lampCode, lat: '30.5912', long: '114.3055', address_string: '青川市东湖区花园街道幸福路 18 号',
      description: '幸福路 18 号门口的路灯连续三晚不亮，行人容易摔倒。', 'attribute[pole_number]': 'QC-0815', 'attribute[lamp_state]': 'dark',
      account_id: 'app-user-42', device_id: 'device-7', ...extra,
    });

    async function posted(form: Form): Promise<{ service_request_id: string; token: string; service_notice: string | null; account_id: string | null }> {
      const res = await submit(form);
      const body = checkReply(res, 'json', 'post_reply', 201) as Array<{ service_request_id: string; token: string; service_notice: string | null; account_id: string | null }>;
      return body[0];
    }

    const requestIdOf = async (number: string) => (await ctx.db.selectFrom('requests').select('id').where('number', '=', number).executeTakeFirstOrThrow()).id;

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
      admin = await tokenSession(app, ctx, 'admin');
      const partner = await ctx.db.selectFrom('users').select(['id', 'is_service_account']).where('username', '=', 'open311.partner').executeTakeFirstOrThrow();
      expect(partner.is_service_account).toBe(1);
      apiKey = (await createApiToken(ctx, systemActor('test'), { name: 'city app', userId: partner.id })).token;
      const agent = await ctx.db.selectFrom('users').select('id').where('username', '=', 'agent1').executeTakeFirstOrThrow();
      agentKey = (await createApiToken(ctx, systemActor('test'), { name: 'agent', userId: agent.id })).token;
      const code = async (p: string) => (await ctx.db.selectFrom('categories').select('code').where('path', '=', p).executeTakeFirstOrThrow()).code;
      lampCode = await code('城市管理/市政设施/路灯不亮');
      plainCode = await code('城市管理/市容环境/占道经营');
      const lampId = (await ctx.db.selectFrom('categories').select('id').where('code', '=', lampCode).executeTakeFirstOrThrow()).id;
      const res = await admin.put(`/api/v1/open311/categories/${lampId}/attributes`, {
        attributes: [
          { code: 'pole_number', datatype: 'string', required: true, description: '灯杆编号（杆身上的白色标牌）', datatypeDescription: '如 QC-0815' },
          { code: 'lamp_state', datatype: 'singlevaluelist', required: true, description: '路灯状况', values: [{ key: 'dark', name: '不亮' }, { key: 'flicker', name: '闪烁' }] },
          { code: 'hazards', datatype: 'multivaluelist', description: '其他隐患', values: [{ key: 'wire', name: '电线裸露' }, { key: 'leaning', name: '灯杆倾斜' }] },
          { code: 'request_type', datatype: 'singlevaluelist', description: '诉求类型', values: [{ key: 'complaint', name: '投诉' }, { key: 'help', name: '求助' }] },
          { code: 'safety_note', variable: false, datatype: 'text', description: '夜间请注意安全，勿触碰灯杆。' },
        ],
      });
      expect(res.statusCode, res.body).toBe(200);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    it('discovery names the endpoint, its two formats and a changeset', async () => {
      const d = await getBoth('/discovery', '', 'discovery');
      expect(d.endpoints).toEqual([expect.objectContaining({
        specification: 'http://wiki.open311.org/GeoReport_v2', url: expect.stringMatching(/\/open311\/v2$/), type: 'production', formats: ['text/xml', 'application/json'],
      })]);
      expect(d.changeset).toMatch(/\+08:00$/);
      expect(d.key_service).toContain('open311');
    });

    it('lists one service per active category leaf, with metadata where attributes are configured', async () => {
      const services = await getBoth('/services', '', 'services');
      const leaves = await ctx.db.selectFrom('categories as c').select('c.code').where('c.active', '=', 1)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('categories as k').select('k.id').whereRef('k.parent_id', '=', 'c.id')))).execute();
      expect(services.map((s: { service_code: string }) => s.service_code).sort()).toEqual(leaves.map((l) => l.code).sort());
      expect(services.find((s: { service_code: string }) => s.service_code === lampCode)).toEqual({
        service_code: lampCode, service_name: '路灯不亮', description: '城市管理 / 市政设施 / 路灯不亮', metadata: true, type: 'realtime',
        keywords: '城市管理,市政设施,路灯不亮', group: '城市管理',
      });
      expect(services.find((s: { service_code: string }) => s.service_code === plainCode).metadata).toBe(false);
      // A two-level leaf is a service; its first level is not.
      const bikes = await ctx.db.selectFrom('categories').select(['code', 'parent_id']).where('path', '=', '城市管理/共享单车停放').executeTakeFirstOrThrow();
      expect(services.some((s: { service_code: string }) => s.service_code === bikes.code)).toBe(true);
      const parent = await ctx.db.selectFrom('categories').select('code').where('id', '=', bikes.parent_id!).executeTakeFirstOrThrow();
      expect(services.some((s: { service_code: string }) => s.service_code === parent.code)).toBe(false);

      // A deactivated category stops being a service.
      const plainId = (await ctx.db.selectFrom('categories').select('id').where('code', '=', plainCode).executeTakeFirstOrThrow()).id;
      expect((await admin.patch(`/api/v1/catalog/categories/${plainId}`, { active: false })).statusCode).toBe(200);
      expect((await getBoth('/services', '', 'services')).some((s: { service_code: string }) => s.service_code === plainCode)).toBe(false);
      await expectError(await inject('GET', `${BASE}/services/${plainCode}.json`), 404);
      expect((await admin.patch(`/api/v1/catalog/categories/${plainId}`, { active: true })).statusCode).toBe(200);
    });

    it('defines a service by the attributes an administrator configured; an unknown service or format is a 404', async () => {
      const def = await getBoth(`/services/${lampCode}`, '', 'service_definition');
      expect(def.service_code).toBe(lampCode);
      expect(def.attributes.map((a: { code: string; order: number }) => [a.code, a.order])).toEqual([
        ['pole_number', 1], ['lamp_state', 2], ['hazards', 3], ['request_type', 4], ['safety_note', 5],
      ]);
      expect(def.attributes[1]).toEqual({
        variable: true, code: 'lamp_state', datatype: 'singlevaluelist', required: true, datatype_description: null, order: 2, description: '路灯状况',
        values: [{ key: 'dark', name: '不亮' }, { key: 'flicker', name: '闪烁' }],
      });
      expect(def.attributes[4]).toMatchObject({ variable: false, required: false, values: [] });
      expect((await getBoth(`/services/${plainCode}`, '', 'service_definition')).attributes).toEqual([]);

      const [desc] = await expectError(await inject('GET', `${BASE}/services/99.99.json`), 404);
      expect(desc).toContain('99.99');
      await expectError(await inject('GET', `${BASE}/services/99.99.xml`), 404, 'xml');
      await expectError(await inject('GET', `${BASE}/services/${lampCode}.csv`), 404, 'xml');
      await expectError(await inject('GET', `${BASE}/services.csv`), 404, 'xml');
      await expectError(await inject('GET', `${BASE}/nothing.json`), 404);
    });

    it('lets administrators read and replace a category\'s attributes, checked and audited; nobody else', async () => {
      const lampId = (await ctx.db.selectFrom('categories').select('id').where('code', '=', lampCode).executeTakeFirstOrThrow()).id;
      const got = (await admin.get(`/api/v1/open311/categories/${lampId}/attributes`)).json();
      expect(got).toMatchObject({ categoryId: lampId, serviceCode: lampCode, categoryPath: '城市管理/市政设施/路灯不亮' });
      expect(got.attributes.map((a: { code: string }) => a.code)).toEqual(['pole_number', 'lamp_state', 'hazards', 'request_type', 'safety_note']);

      const noValues = await admin.put(`/api/v1/open311/categories/${lampId}/attributes`, { attributes: [{ code: 'x', datatype: 'singlevaluelist', description: '选一个' }] });
      expect(noValues.statusCode).toBe(400);
      expect(noValues.json().details[0].field).toBe('attributes.0.values');
      const twice = await admin.put(`/api/v1/open311/categories/${lampId}/attributes`, { attributes: [{ code: 'x', datatype: 'string', description: 'a' }, { code: 'x', datatype: 'number', description: 'b' }] });
      expect(twice.json().details.map((d: { field: string }) => d.field)).toEqual(['attributes.1.code']);
      const badType = await admin.put(`/api/v1/open311/categories/${lampId}/attributes`, { attributes: [{ code: 'request_type', datatype: 'singlevaluelist', description: 't', values: [{ key: 'pothole', name: '坑' }] }] });
      expect(badType.json().details[0].field).toBe('attributes.0.values.0.key');
      expect((await admin.put('/api/v1/open311/categories/999999/attributes', { attributes: [] })).statusCode).toBe(404);
      expect((await w.agent.get(`/api/v1/open311/categories/${lampId}/attributes`)).statusCode).toBe(403);
      expect((await w.dispatcher.put(`/api/v1/open311/categories/${lampId}/attributes`, { attributes: [] })).statusCode).toBe(403);
      // Nothing above changed the list.
      expect((await admin.get(`/api/v1/open311/categories/${lampId}/attributes`)).json()).toEqual(got);
      // Writing the list back as read changes nothing but the discovery changeset, and is audited.
      const before = (await getBoth('/discovery', '', 'discovery')).changeset;
      clock.advance(60_000);
      const again = await admin.put(`/api/v1/open311/categories/${lampId}/attributes`, { attributes: got.attributes });
      expect(again.json()).toEqual(got);
      const after = (await getBoth('/discovery', '', 'discovery')).changeset;
      expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(60_000);
      const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor_name']).where('entity', '=', 'category').where('entity_id', '=', String(lampId)).execute();
      expect(audit).toEqual([{ action: 'open311.attributes-replace', actor_name: 'admin' }, { action: 'open311.attributes-replace', actor_name: 'admin' }]);
    });

    it('accepts a form-encoded submission as a normal request in the Open311 channel', async () => {
      const reply = await posted(lampForm({ 'attribute[hazards][]': ['wire', 'leaning'], 'attribute[request_type]': 'help', media_url: 'https://img.example.com/lamp.jpg', email: 'citizen@example.com' }));
      expect(reply.service_request_id).toMatch(/^20240930\d{5}$/);
      expect(reply.account_id).toBe('app-user-42');
      expect(reply.token).toMatch(/^o311-/);
      expect(reply.service_notice).toContain('工作日');

      const id = await requestIdOf(reply.service_request_id);
      const detail = (await w.dispatcher.get(`/api/v1/requests/${id}`)).json();
      expect(detail).toMatchObject({
        status: 'accepted', type: 'help', channelName: 'Open311', categoryPath: '城市管理/市政设施/路灯不亮', title: '路灯不亮',
        districtId: w.donghuId, streetId: await unitIdByCode(ctx, 'QC-D01-S02'), address: '青川市东湖区花园街道幸福路 18 号', lat: 30.5912, lng: 114.3055,
      });
      expect(detail.timeline.map((e: { action: string; actorName: string }) => [e.action, e.actorName])).toEqual([['accept', '青川市民通 App（Open311）']]);
      expect(detail.open311).toMatchObject({
        partner: { username: 'open311.partner' }, token: reply.token, accountId: 'app-user-42', deviceId: 'device-7', email: 'citizen@example.com',
        mediaUrl: 'https://img.example.com/lamp.jpg',
        attributes: [
          { code: 'pole_number', value: 'QC-0815', display: 'QC-0815' }, { code: 'lamp_state', value: 'dark', display: '不亮' },
          { code: 'hazards', value: ['wire', 'leaning'], display: '电线裸露、灯杆倾斜' }, { code: 'request_type', value: 'help', display: '求助' },
        ],
      });
      // A handling unit without the right to personal data sees the e-mail masked.
      const row = await ctx.db.selectFrom('requests').select(['source', 'source_ref', 'accepted_by', 'urgency']).where('id', '=', id).executeTakeFirstOrThrow();
      const partnerId = (await ctx.db.selectFrom('users').select('id').where('username', '=', 'open311.partner').executeTakeFirstOrThrow()).id;
      expect(row).toEqual({ source: 'open311', source_ref: 'app-user-42', accepted_by: partnerId, urgency: 'normal' });
      const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor_name']).where('entity', '=', 'request').where('entity_id', '=', String(id)).execute();
      expect(audit).toEqual([{ action: 'request.accept', actor_name: 'open311.partner' }]);

      // The same in XML, and a request with nothing but an address id.
      const xml = await submit({ api_key: apiKey, service_code: plainCode, address_id: 'ADDR-0042', description: '<占道> & "摆摊"' }, 'xml');
      const data = checkReply(xml, 'xml', 'post_reply', 201) as Array<Record<string, string | null>>;
      expect(data).toEqual([{ service_request_id: expect.stringMatching(/^\d{13}$/), service_notice: expect.any(String), token: expect.stringMatching(/^o311-/) }]);
      const plain = await getBoth(`/requests/${data[0].service_request_id}`, '', 'requests');
      expect(plain[0]).toMatchObject({ description: '<占道> & "摆摊"', address: null, address_id: 'ADDR-0042', lat: null, long: null });
    });

    it('answers a retried submission with the same request and token, and the token finds it', async () => {
      const form = lampForm({ description: '重试测试：路灯不亮。', account_id: 'retry-user' });
      const first = await posted(form);
      const again = await submit(form);
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual([first]);
      expect((await ctx.db.selectFrom('requests').select('id').where('source_ref', '=', 'retry-user').execute()).length).toBe(1);

      expect(await getBoth(`/tokens/${first.token}`, '', 'token_reply')).toEqual([{ service_request_id: first.service_request_id, token: first.token }]);
      await expectError(await inject('GET', `${BASE}/tokens/o311-nope.json`), 404);
      await expectError(await inject('GET', `${BASE}/tokens/o311-nope.xml`), 404, 'xml');

      // The partner's own Idempotency-Key makes two equal submissions two requests, and a reused key a 400.
      const a = await posted({ ...form, account_id: 'keyed' });
      expect((await submit({ ...form, account_id: 'keyed' }, 'json', { 'idempotency-key': 'citizen-report-0001' })).statusCode).toBe(201);
      expect((await submit({ ...form, account_id: 'keyed' }, 'json', { 'idempotency-key': 'citizen-report-0002' })).statusCode).toBe(201);
      expect((await submit({ ...form, account_id: 'keyed' }, 'json', { 'idempotency-key': 'citizen-report-0002' })).statusCode).toBe(200);
      await expectError(await submit({ ...form, account_id: 'keyed', description: '不同的内容' }, 'json', { 'idempotency-key': 'citizen-report-0002' }), 400);
      await expectError(await submit(form, 'json', { 'idempotency-key': 'short' }), 400);
      expect((await ctx.db.selectFrom('requests').select('number').where('source_ref', '=', 'keyed').execute()).map((r) => r.number)).toContain(a.service_request_id);
      expect((await ctx.db.selectFrom('requests').select('id').where('source_ref', '=', 'keyed').execute()).length).toBe(3);
    });

    it('refuses bad submissions with GeoReport\'s status codes and error shape', async () => {
      const cases: Array<[string, Form, number, RegExp?]> = [
        ['no api_key', lampForm({ api_key: undefined }), 403, /api_key/],
        ['an empty api_key', lampForm({ api_key: '' }), 403, /api_key/],
        ['an unknown api_key', lampForm({ api_key: 'zt_not-a-key' }), 403, /api_key/],
        ['the key of an account without open311_partner', lampForm({ api_key: agentKey }), 403, /open311_partner/],
        ['an unknown service_code', lampForm({ service_code: '99.99.99' }), 404, /99\.99\.99/],
        ['a non-leaf category as service_code', lampForm({ service_code: lampCode.split('.').slice(0, 2).join('.') }), 404],
        ['no service_code', lampForm({ service_code: undefined }), 400, /service_code/],
        ['no location', lampForm({ lat: undefined, long: undefined, address_string: '' }), 400, /lat: .*(location|位置)/],
        ['lat without long', lampForm({ long: undefined, address_string: undefined }), 400, /long/],
        ['lat out of range', lampForm({ lat: '91' }), 400, /^lat:/],
        ['a description over 4,000 characters', lampForm({ description: '灯'.repeat(4001) }), 400, /^description:/],
        ['a missing required attribute', lampForm({ 'attribute[pole_number]': undefined }), 400, /attribute\[pole_number\]/],
        ['a value not in the list', lampForm({ 'attribute[lamp_state]': 'exploded' }), 400, /attribute\[lamp_state\]/],
        ['two values for a single-value list', lampForm({ 'attribute[lamp_state]': ['dark', 'flicker'] }), 400, /attribute\[lamp_state\]/],
        ['an attribute the service does not have', lampForm({ 'attribute[colour]': 'red' }), 400, /attribute\[colour\]/],
        ['a media_url that is not http(s)', lampForm({ media_url: 'javascript:alert(1)' }), 400, /media_url/],
        ['a malformed e-mail', lampForm({ email: 'not-an-address' }), 400, /email/],
        ['a NUL character', lampForm({ description: 'a\u0000b' }), 400, /description/],
      ];
      for (const [what, form, status, pattern] of cases) {
        const descriptions = await expectError(await submit(form), status);
        if (pattern) expect(descriptions.join(' | '), what).toMatch(pattern);
        await expectError(await submit(form, 'xml'), status, 'xml');
      }
      // Several problems are named together.
      const many = await expectError(await submit(lampForm({ lat: 'x', description: '灯'.repeat(4001), 'attribute[lamp_state]': 'exploded' })), 400);
      expect(many.map((d) => d.split(':')[0])).toEqual(['lat', 'description', 'attribute[lamp_state]']);
      // A JSON body is not what GeoReport posts.
      await expectError(await app.inject({ method: 'POST', url: `${BASE}/requests.json`, payload: { api_key: apiKey }, headers: { 'content-type': 'application/json' } }), 400);
      // Exactly 4,000 characters are fine.
      expect((await submit(lampForm({ description: '灯'.repeat(4000), account_id: 'long-text' }))).statusCode).toBe(201);
      // English descriptions for clients that ask.
      const en = await submit(lampForm({ service_code: '99.99.99' }), 'json', { 'accept-language': 'en' });
      expect(en.json()[0].description).toMatch(/there is no service 99\.99\.99/);
    });

    it('a request posted through Open311 is dispatched, replied and closed in Zhengtong, then shows closed with the reply', async () => {
      clock.set(NOW);
      const { service_request_id: number } = await posted(lampForm({ description: '生命周期测试：幸福路路灯不亮。', account_id: 'lifecycle' }));
      const id = await requestIdOf(number);
      const fresh = (await getBoth(`/requests/${number}`, '', 'requests'))[0];
      expect(fresh).toMatchObject({
        service_request_id: number, status: 'open', status_notes: null, service_code: lampCode, service_name: '路灯不亮', agency_responsible: null,
        description: '生命周期测试：幸福路路灯不亮。', requested_datetime: '2024-09-30T10:00:00+08:00', expected_datetime: null, lat: 30.5912, long: 114.3055,
        address: '青川市东湖区花园街道幸福路 18 号', zipcode: null,
      });
      expect(fresh.service_notice).toMatch(/5 个工作日/);

      clock.advance(30 * 60 * 1000);
      await act(w.dispatcher, id, 'dispatch', { leadUnitId: w.donghuId });
      const dispatched = (await getBoth(`/requests/${number}`, '', 'requests'))[0];
      expect(dispatched).toMatchObject({ status: 'open', agency_responsible: '东湖区人民政府', expected_datetime: '2024-10-12T17:30:00+08:00', updated_datetime: '2024-09-30T10:30:00+08:00' });

      await act(w.handler, id, 'sign');
      const replyText = '已安排路灯所更换幸福路 18 号灯杆的光源，9 月 30 日晚已恢复照明。';
      await act(w.handler, id, 'reply', { result: 'resolved', text: replyText });
      expect((await getBoth(`/requests/${number}`, '', 'requests'))[0]).toMatchObject({ status: 'open', status_notes: replyText });
      await act(w.dispatcher, id, 'review', { decision: 'accept' });
      await act(w.agent, id, 'callback', { reached: true, resolved: true, satisfaction: 'satisfied' });
      clock.advance(60 * 60 * 1000);
      await act(w.dispatcher, id, 'close');

      const closed = (await getBoth(`/requests/${number}`, '', 'requests'))[0];
      expect(closed).toMatchObject({ status: 'closed', status_notes: replyText, service_notice: null, updated_datetime: '2024-09-30T11:30:00+08:00' });
      const list = await getBoth('/requests', `?service_request_id=${number}`, 'requests');
      expect(list).toEqual([closed]);

      const updates = (await getBoth('/servicerequestupdates', `?api_key=${apiKey}`, 'updates')).filter((u: { service_request_id: string }) => u.service_request_id === number);
      expect(updates.map((u: { status: string }) => u.status)).toEqual(['OPEN', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'CLOSED']);
      expect(updates.map((u: { description: string }) => u.description)).toEqual([
        '诉求已受理', '已派至东湖区人民政府办理', '承办单位已签收', replyText, '答复已审核', '已回访诉求人', '诉求已办结',
      ]);
      expect(updates[6].updated_datetime).toBe('2024-09-30T11:30:00+08:00');
      const ids = updates.map((u: { update_id: string }) => Number(u.update_id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    });

    it('lets a partner add a citizen\'s comment: it joins the timeline and the updates', async () => {
      const { service_request_id: number } = await posted(lampForm({ description: '评论测试：路灯不亮。', account_id: 'commenter' }));
      const id = await requestIdOf(number);
      const res = await inject('POST', `${BASE}/servicerequestupdates.json`, { api_key: apiKey, service_request_id: number, description: '今晚又不亮了，电话 13700001111', account_id: 'commenter', email: 'c@example.com', first_name: '小红' });
      const [{ update_id }] = checkReply(res, 'json', 'update_reply', 201) as Array<{ update_id: string }>;
      expect(update_id).toMatch(/^\d+$/);
      const xml = await inject('POST', `${BASE}/servicerequestupdates.xml`, { api_key: apiKey, service_request_id: number, description: '补充：附近还有一盏', media_url: 'https://img.example.com/2.jpg' });
      expect((checkReply(xml, 'xml', 'update_reply', 201) as Array<{ update_id: string }>)[0].update_id).toMatch(/^\d+$/);

      const detail = (await w.dispatcher.get(`/api/v1/requests/${id}`)).json();
      const comments = detail.timeline.filter((e: { action: string }) => e.action === 'comment');
      expect(comments.map((e: { payload: { text: string } }) => e.payload.text)).toEqual(['今晚又不亮了，电话 13700001111', '补充：附近还有一盏']);
      expect(detail.status).toBe('accepted');
      expect(detail.allowedActions).not.toContain('comment');
      expect(JSON.stringify(detail.timeline)).not.toContain('c@example.com');

      const updates = (await getBoth('/servicerequestupdates', `?api_key=${apiKey}`, 'updates')).filter((u: { service_request_id: string }) => u.service_request_id === number);
      expect(updates.map((u: Record<string, string | null>) => [u.status, u.description, u.media_url])).toEqual([
        ['OPEN', '诉求已受理', null], ['OPEN', '今晚又不亮了，电话 137****1111', null], ['OPEN', '补充：附近还有一盏', 'https://img.example.com/2.jpg'],
      ]);
      expect(updates[1].update_id).toBe(update_id);

      await expectError(await inject('POST', `${BASE}/servicerequestupdates.json`, { service_request_id: number, description: 'x' }), 403);
      await expectError(await inject('GET', `${BASE}/servicerequestupdates.json`), 403);
      await expectError(await inject('GET', `${BASE}/servicerequestupdates.xml?api_key=${agentKey}`), 403, 'xml');
      await expectError(await inject('POST', `${BASE}/servicerequestupdates.json`, { api_key: apiKey, service_request_id: number, description: '' }), 400);
      await expectError(await inject('POST', `${BASE}/servicerequestupdates.json`, { api_key: apiKey, service_request_id: '2099010100001', description: 'x' }), 404);
      await act(w.agent, id, 'withdraw', { reason: '市民来电撤销' });
      await expectError(await inject('POST', `${BASE}/servicerequestupdates.json`, { api_key: apiKey, service_request_id: number, description: 'x' }), 400);
    });

    it('searches by number, service and status; an empty parameter is an absent one', async () => {
      const a = await posted(lampForm({ description: '搜索测试 A', account_id: 'search' }));
      const b = await posted({ api_key: apiKey, service_code: plainCode, address_string: '西山区金沙街道', description: '搜索测试 B', account_id: 'search' });
      const both = await getBoth('/requests', `?service_request_id=${a.service_request_id},${b.service_request_id},2099010100001&service_code=${plainCode}&status=closed`, 'requests');
      expect(both.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([a.service_request_id, b.service_request_id].sort());

      const plainOnly = await getBoth('/requests', `?service_code=${plainCode}`, 'requests');
      expect(plainOnly.length).toBeGreaterThan(0);
      expect(plainOnly.every((r: { service_code: string }) => r.service_code === plainCode)).toBe(true);
      const twoServices = await getBoth('/requests', `?service_code=${plainCode},${lampCode}`, 'requests');
      expect(twoServices.length).toBeGreaterThan(plainOnly.length);
      await expectError(await inject('GET', `${BASE}/requests.json?service_code=99.99`), 404);

      const closed = await getBoth('/requests', '?status=closed', 'requests');
      expect(closed.length).toBeGreaterThan(0);
      expect(closed.every((r: { status: string }) => r.status === 'closed')).toBe(true);
      const open = await getBoth('/requests', '?status=open', 'requests');
      expect(open.every((r: { status: string }) => r.status === 'open')).toBe(true);
      const all = await getBoth('/requests', '', 'requests');
      expect(all.length).toBe(open.length + closed.length);
      expect(await getBoth('/requests', '?status=open,closed', 'requests')).toEqual(all);
      expect(await getBoth('/requests', '?status=open&status=closed', 'requests')).toEqual(all);
      // Newest first.
      const times = all.map((r: { requested_datetime: string }) => r.requested_datetime);
      expect([...times].sort().reverse()).toEqual(times);

      expect(await getBoth('/requests', '?status=&service_code=&start_date=&end_date=&page=&page_size=&service_request_id=&jurisdiction_id=', 'requests')).toEqual(all);
      const blank = await posted(lampForm({ description: '', media_url: '', email: '', phone: '', first_name: '', account_id: 'blank-fields' }));
      expect((await getBoth(`/requests/${blank.service_request_id}`, '', 'requests'))[0]).toMatchObject({ description: '城市管理 / 市政设施 / 路灯不亮（Open311 提交，未填写描述）', media_url: null });

      await expectError(await inject('GET', `${BASE}/requests.json?status=pending`), 400);
      await expectError(await inject('GET', `${BASE}/requests.json?page=0`), 400);
      await expectError(await inject('GET', `${BASE}/requests.json?page_size=1001`), 400);
      await expectError(await inject('GET', `${BASE}/requests/2099010100001.json`), 404);
      await expectError(await inject('GET', `${BASE}/requests/2099010100001.xml`), 404, 'xml');
      await expectError(await inject('GET', `${BASE}/requests/not-a-number.json`), 404);
    });

    it('keeps to the last 90 days by default; a span over 90 days is a 400', async () => {
      const now = new Date(NOW).getTime();
      clock.set(new Date(now - 100 * DAY));
      const old = await posted(lampForm({ description: '窗口测试：100 天前', account_id: 'window' }));
      clock.set(new Date(now - 10 * DAY));
      const recent = await posted(lampForm({ description: '窗口测试：10 天前', account_id: 'window' }));
      clock.set(NOW);
      const numbers = (list: Array<{ service_request_id: string }>) => list.map((r) => r.service_request_id);

      const byDefault = numbers(await getBoth('/requests', '', 'requests'));
      expect(byDefault).toContain(recent.service_request_id);
      expect(byDefault).not.toContain(old.service_request_id);
      const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
      const back = numbers(await getBoth('/requests', `?start_date=${iso(now - 120 * DAY)}&end_date=${iso(now - 31 * DAY)}`, 'requests'));
      expect(back).toContain(old.service_request_id);
      expect(back).not.toContain(recent.service_request_id);
      // From a start alone, the 90 days after it.
      const fromStart = numbers(await getBoth('/requests', `?start_date=${iso(now - 101 * DAY)}`, 'requests'));
      expect(fromStart).toContain(old.service_request_id);
      expect(fromStart).not.toContain(recent.service_request_id);
      // Local dates and offsets are read in their own zone.
      expect(numbers(await getBoth('/requests', '?start_date=2024-06-22&end_date=2024-06-23', 'requests'))).toContain(old.service_request_id);

      const [desc] = await expectError(await inject('GET', `${BASE}/requests.json?start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`), 400);
      expect(desc).toMatch(/^end_date:.*90/);
      await expectError(await inject('GET', `${BASE}/requests.xml?start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`), 400, 'xml');
      await expectError(await inject('GET', `${BASE}/requests.json?start_date=${iso(now)}&end_date=${iso(now - DAY)}`), 400);
      await expectError(await inject('GET', `${BASE}/requests.json?start_date=last-week`), 400);
      await expectError(await inject('GET', `${BASE}/servicerequestupdates.json?api_key=${apiKey}&start_date=${iso(now - 91 * DAY)}&end_date=${iso(now)}`), 400);
      const oldUpdates = await getBoth('/servicerequestupdates', `?api_key=${apiKey}&start_date=${iso(now - 101 * DAY)}&end_date=${iso(now - 99 * DAY)}`, 'updates');
      expect(oldUpdates.map((u: { service_request_id: string }) => u.service_request_id)).toEqual([old.service_request_id]);
    });

    it('returns at most 1,000 requests; page and page_size reach the rest', async () => {
      const template = await ctx.db.selectFrom('requests').selectAll().orderBy('id').limit(1).executeTakeFirstOrThrow();
      const { id: _id, ...base } = template;
      const start = Date.parse('2024-03-02T00:00:00Z');
      const rows = Array.from({ length: 1005 }, (_, i) => ({
        ...base, number: `19990302${String(i).padStart(5, '0')}`, status: 'accepted' as const, accepted_at: new Date(start + i * 60_000).toISOString(),
        local_date: '2024-03-02', local_month: '2024-03', source: null, source_ref: null, is_confidential: 0,
      }));
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 100) await trx.insertInto('requests').values(rows.slice(i, i + 100)).execute();
      });
      const window = '?start_date=2024-03-01&end_date=2024-03-31';
      const first = await getBoth('/requests', window, 'requests');
      expect(first.length).toBe(1000);
      expect(first[0].service_request_id).toBe('1999030201004');
      expect((await getBoth('/requests', `${window}&page=2`, 'requests')).map((r: { service_request_id: string }) => r.service_request_id))
        .toEqual(['1999030200004', '1999030200003', '1999030200002', '1999030200001', '1999030200000']);
      const small = await getBoth('/requests', `${window}&page=3&page_size=10`, 'requests');
      expect(small.map((r: { service_request_id: string }) => r.service_request_id)).toEqual(Array.from({ length: 10 }, (_, i) => `19990302${String(1004 - 20 - i).padStart(5, '0')}`));
      expect(await getBoth('/requests', `${window}&page=200`, 'requests')).toEqual([]);
    });

    it('checks jurisdiction_id once one is configured', async () => {
      expect((await getBoth('/services', '?jurisdiction_id=anything', 'services')).length).toBeGreaterThan(0);
      const set = await admin.put('/api/v1/open311/settings', { jurisdictionId: 'qingchuan.gov.cn', contact: '12345 热线中心 open311@qingchuan.gov.cn' });
      expect(set.json()).toMatchObject({ jurisdictionId: 'qingchuan.gov.cn', contact: '12345 热线中心 open311@qingchuan.gov.cn' });
      expect((await w.dispatcher.put('/api/v1/open311/settings', { jurisdictionId: null })).statusCode).toBe(403);
      const [desc] = await expectError(await inject('GET', `${BASE}/services.json?jurisdiction_id=elsewhere.gov`), 404);
      expect(desc).toMatch(/jurisdiction_id/);
      await expectError(await inject('GET', `${BASE}/requests.xml?jurisdiction_id=elsewhere.gov`), 404, 'xml');
      await expectError(await submit(lampForm({ jurisdiction_id: 'elsewhere.gov' })), 404);
      expect((await getBoth('/services', '?jurisdiction_id=qingchuan.gov.cn', 'services')).length).toBeGreaterThan(0);
      expect((await getBoth('/services', '?jurisdiction_id=', 'services')).length).toBeGreaterThan(0);
      const ok = await posted(lampForm({ jurisdiction_id: 'qingchuan.gov.cn', account_id: 'jurisdiction' }));
      expect(ok.service_request_id).toMatch(/^\d{13}$/);
      expect((await getBoth('/discovery', '', 'discovery')).contact).toBe('12345 热线中心 open311@qingchuan.gov.cn');
      await admin.put('/api/v1/open311/settings', { jurisdictionId: null });
      expect((await getBoth('/services', '?jurisdiction_id=elsewhere.gov', 'services')).length).toBeGreaterThan(0);
    });

    it('never shows personal data; a confidential request shows neither its text nor its place', async () => {
      const start = bodies.length;
      const secrets = ['欧阳明轩', '明轩', '13912345678', 'ouyang.mx@example.com', 'ouyang.mx'];
      const mine = await posted(lampForm({
        first_name: '明轩', last_name: '欧阳', phone: '13912345678', email: 'ouyang.mx@example.com', account_id: 'privacy',
        description: '我是欧阳明轩，电话13912345678，邮箱 ouyang.mx@example.com。楼下路灯不亮。',
      }));
      const id = await requestIdOf(mine.service_request_id);
      const stored = await ctx.db.selectFrom('requests').select(['requester_name', 'requester_phone', 'is_anonymous']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(stored).toEqual({ requester_name: '欧阳明轩', requester_phone: '13912345678', is_anonymous: 0 });
      await act(w.dispatcher, id, 'dispatch', { leadUnitId: w.donghuId });
      await act(w.handler, id, 'sign');
      await act(w.handler, id, 'reply', { result: 'resolved', text: '欧阳明轩先生您好，路灯已修复。如有问题请拨打 13912345678。' });
      await inject('POST', `${BASE}/servicerequestupdates.json`, { api_key: apiKey, service_request_id: mine.service_request_id, description: '谢谢！欧阳明轩 ouyang.mx@example.com', first_name: '明轩', last_name: '欧阳' });

      const confidential = await buildAcceptedRequest(w, { content: '举报某餐馆后厨卫生问题，请保密。', address: '南江区长桥街道 1 号', requester: { name: '李四', phone: '13600001111', confidential: true } });
      for (const format of ['json', 'xml']) {
        await inject('GET', `${BASE}/requests.${format}`);
        await inject('GET', `${BASE}/requests/${mine.service_request_id}.${format}`);
        await inject('GET', `${BASE}/tokens/${mine.token}.${format}`);
        await inject('GET', `${BASE}/servicerequestupdates.${format}?api_key=${apiKey}`);
      }
      const shown = (await getBoth(`/requests/${mine.service_request_id}`, '', 'requests'))[0];
      expect(shown.description).toBe('我是欧**，电话139****5678，邮箱 o***@***。楼下路灯不亮。');
      expect(shown.status_notes).toBe('欧**先生您好，路灯已修复。如有问题请拨打 139****5678。');
      const hidden = (await getBoth(`/requests/${confidential.number}`, '', 'requests'))[0];
      expect(hidden).toMatchObject({ description: null, address: null, lat: null, long: null, media_url: null });
      const replies = bodies.slice(start).join('\n');
      for (const s of [...secrets, '李四', '13600001111', '后厨']) expect(replies, s).not.toContain(s);
    });

    it('no reply of the whole suite carried a requester\'s name, phone or e-mail', () => {
      expect(bodies.length).toBeGreaterThan(100);
      const all = bodies.join('\n');
      for (const s of ['张三', '13812345678', '欧阳明轩', '13912345678', 'ouyang.mx@example.com', 'citizen@example.com', 'c@example.com', '13700001111', '小红', '李四']) {
        expect(all, s).not.toContain(s);
      }
    });
  });
}
