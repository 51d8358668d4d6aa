import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRICTS } from '../../demo/demo-city';
import { DIALECTS, FakeClock, createTestApp, createTestContext, loginAs, unitIdByCode, type Session, type TestContext } from '../../test/harness';

interface UnitReply {
  id: number;
  parentId: number | null;
  code: string;
  name: string;
  kind: string;
  sortOrder: number;
  active: boolean;
}

for (const dialect of DIALECTS) {
  describe(`units (${dialect})`, () => {
    const clock = new FakeClock('2026-03-02T01:00:00.000Z');
    let ctx: TestContext;
    let app: FastifyInstance;
    let admin: Session;
    let d01: number;
    let d02: number;
    let n = 0;
    const code = () => `T-${++n}`;
    const pathOf = async (id: number) => (await ctx.db.selectFrom('units').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
    const create = async (body: Record<string, unknown>) => {
      const res = await admin.post('/api/v1/units', { kind: 'street', name: '测试单位', ...body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as UnitReply;
    };

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      admin = await loginAs(app, 'admin');
      d01 = await unitIdByCode(ctx, 'QC-D01');
      d02 = await unitIdByCode(ctx, 'QC-D02');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    describe('list and read', () => {
      it('lists the whole city to any user with units.read, parents before children', async () => {
        const handler = await loginAs(app, 'donghu.handler1');
        const res = await handler.get('/api/v1/units');
        expect(res.statusCode).toBe(200);
        const { items, total } = res.json() as { items: UnitReply[]; total: number };
        expect(total).toBe(items.length);
        expect(items[0]).toMatchObject({ code: 'QC', name: '青川市人民政府', kind: 'government', parentId: null, active: true });
        const seen = new Set<number>();
        for (const u of items) {
          if (u.parentId !== null) expect(seen.has(u.parentId), u.code).toBe(true);
          seen.add(u.id);
        }
      });

      it('filters by kind, parent, text and active', async () => {
        const districts = (await admin.get('/api/v1/units?kind=district')).json();
        expect(districts.items.map((u: UnitReply) => u.name).sort()).toEqual(DISTRICTS.map((d) => `${d.name}人民政府`).sort());
        const streets = (await admin.get(`/api/v1/units?parentId=${d01}`)).json();
        expect(streets.items.map((u: UnitReply) => u.code)).toEqual(['QC-D01-S01', 'QC-D01-S02', 'QC-D01-S03', 'QC-D01-S04']);
        expect((await admin.get(`/api/v1/units?q=${encodeURIComponent('花园')}`)).json().items.map((u: UnitReply) => u.code)).toEqual(['QC-D01-S02']);
        // Codes are found whatever the case typed, on both databases.
        expect((await admin.get('/api/v1/units?q=qc-d02-s0')).json().items.map((u: UnitReply) => u.code)).toEqual(['QC-D02-S01', 'QC-D02-S02', 'QC-D02-S03']);

        const closed = await create({ parentId: d01, code: code(), name: '已撤销的街道' });
        await admin.patch(`/api/v1/units/${closed.id}`, { active: false });
        expect((await admin.get('/api/v1/units?active=false')).json().items.map((u: UnitReply) => u.id)).toEqual([closed.id]);
        expect((await admin.get('/api/v1/units?active=true')).json().items.map((u: UnitReply) => u.id)).not.toContain(closed.id);
      });

      it('reads one unit, and answers an unknown one with 404', async () => {
        expect((await admin.get(`/api/v1/units/${d01}`)).json()).toMatchObject({ id: d01, code: 'QC-D01', name: '东湖区人民政府', kind: 'district' });
        const res = await admin.get('/api/v1/units/999999');
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'NOT_FOUND', message: '单位不存在' });
      });

      it('answers a bad filter with a 400 naming it', async () => {
        for (const [query, field] of [['kind=planet', 'kind'], ['parentId=abc', 'parentId'], ['parentId=0', 'parentId'], ['active=perhaps', 'active'], ['sort=name', 'sort'], ['q=%00', 'q']] as const) {
          const res = await admin.get(`/api/v1/units?${query}`);
          expect(res.statusCode, query).toBe(400);
          expect(res.json().details.map((d: { field: string }) => d.field), query).toEqual([field]);
        }
      });
    });

    describe('create and update', () => {
      it('creates a unit under a parent, and a root', async () => {
        const c = code();
        const res = await admin.post('/api/v1/units', { parentId: d01, code: c, name: '新华社区', kind: 'street', sortOrder: 7 });
        expect(res.statusCode).toBe(201);
        const unit = res.json();
        expect(unit).toEqual({ id: expect.any(Number), parentId: d01, code: c, name: '新华社区', kind: 'street', sortOrder: 7, active: true });
        expect((await admin.get(`/api/v1/units/${unit.id}`)).json()).toEqual(unit);
        expect(await pathOf(unit.id)).toBe(`${await pathOf(d01)}${unit.id}/`);

        const root = await create({ parentId: null, code: code(), kind: 'office' });
        expect(root.parentId).toBeNull();
        expect(await pathOf(root.id)).toBe(`/${root.id}/`);
      });

      it('renames and recodes a unit', async () => {
        const unit = await create({ parentId: d01, code: code() });
        const c = code();
        const res = await admin.patch(`/api/v1/units/${unit.id}`, { name: '改名后的单位', code: c, sortOrder: 3, kind: 'department' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: unit.id, name: '改名后的单位', code: c, sortOrder: 3, kind: 'department', parentId: d01 });
        // Its own code again is no conflict.
        expect((await admin.patch(`/api/v1/units/${unit.id}`, { code: c })).statusCode).toBe(200);
      });

      it('refuses a taken code with 409 naming code', async () => {
        const res = await admin.post('/api/v1/units', { parentId: d01, code: 'QC-D02', name: 'x', kind: 'street' });
        expect(res.statusCode).toBe(409);
        expect(res.json()).toMatchObject({ error: 'CONFLICT', details: [{ field: 'code' }] });
        const unit = await create({ parentId: d01, code: code() });
        const patch = await admin.patch(`/api/v1/units/${unit.id}`, { code: 'QC-D02' });
        expect(patch.statusCode).toBe(409);
        expect(patch.json().details).toEqual([expect.objectContaining({ field: 'code' })]);
      });

      it('moves a subtree: every unit below follows, and data scope with it', async () => {
        const branch = await create({ parentId: d01, code: code(), kind: 'street' });
        const leaf = await create({ parentId: branch.id, code: code(), kind: 'street' });
        const user = (await admin.post('/api/v1/users', { username: 'moved.handler', displayName: '随迁', unitId: leaf.id, roles: ['unit_handler'], password: 'Valid-pass-2026' })).json();
        const donghu = await loginAs(app, 'donghu.leader');
        const xishan = await loginAs(app, 'xishan.leader');
        expect((await donghu.get(`/api/v1/users/${user.id}`)).statusCode).toBe(200);
        expect((await xishan.get(`/api/v1/users/${user.id}`)).statusCode).toBe(404);

        const res = await admin.patch(`/api/v1/units/${branch.id}`, { parentId: d02 });
        expect(res.statusCode).toBe(200);
        expect(res.json().parentId).toBe(d02);
        expect(await pathOf(branch.id)).toBe(`${await pathOf(d02)}${branch.id}/`);
        expect(await pathOf(leaf.id)).toBe(`${await pathOf(d02)}${branch.id}/${leaf.id}/`);
        expect((await donghu.get(`/api/v1/users/${user.id}`)).statusCode).toBe(404);
        expect((await xishan.get(`/api/v1/users/${user.id}`)).statusCode).toBe(200);

        // And to the top.
        await admin.patch(`/api/v1/units/${branch.id}`, { parentId: null });
        expect(await pathOf(leaf.id)).toBe(`/${branch.id}/${leaf.id}/`);
      });

      it('refuses to move a unit under itself or its own subtree', async () => {
        const branch = await create({ parentId: d01, code: code() });
        const leaf = await create({ parentId: branch.id, code: code() });
        for (const parentId of [branch.id, leaf.id]) {
          const res = await admin.patch(`/api/v1/units/${branch.id}`, { parentId });
          expect(res.statusCode).toBe(400);
          expect(res.json().details).toEqual([expect.objectContaining({ field: 'parentId' })]);
        }
        expect(await pathOf(leaf.id)).toBe(`${await pathOf(d01)}${branch.id}/${leaf.id}/`);
      });

      it('answers every kind of bad input with a 400 naming the field', async () => {
        const good = { parentId: d01, code: 'OK-1', name: '好单位', kind: 'street' };
        const cases: Array<[label: string, body: unknown, field: string]> = [
          ['unknown property', { ...good, colour: 'red' }, 'colour'],
          ['missing parentId', { ...good, parentId: undefined }, 'parentId'],
          ['parentId unknown', { ...good, parentId: 999_999 }, 'parentId'],
          ['parentId huge', { ...good, parentId: 1e20 }, 'parentId'],
          ['parentId text', { ...good, parentId: 'city' }, 'parentId'],
          ['code with spaces', { ...good, code: 'A B' }, 'code'],
          ['code empty', { ...good, code: '' }, 'code'],
          ['code too long', { ...good, code: 'X'.repeat(33) }, 'code'],
          ['name missing', { ...good, name: undefined }, 'name'],
          ['name with NUL', { ...good, name: '东\u0000湖' }, 'name'],
          ['kind unknown', { ...good, kind: 'planet' }, 'kind'],
          ['sortOrder negative', { ...good, sortOrder: -1 }, 'sortOrder'],
          ['sortOrder fraction', { ...good, sortOrder: 1.5 }, 'sortOrder'],
          ['sortOrder huge', { ...good, sortOrder: 1e12 }, 'sortOrder'],
        ];
        for (const [label, body, field] of cases) {
          const res = await admin.post('/api/v1/units', body);
          expect(res.statusCode, label).toBe(400);
          expect([...new Set(res.json().details.map((d: { field: string }) => d.field))], label).toEqual([field]);
        }
        for (const [label, url, body, field] of [
          ['patch unknown property', `/api/v1/units/${d01}`, { path: '/1/' }, 'path'],
          ['patch parent unknown', `/api/v1/units/${d01}`, { parentId: 999_999 }, 'parentId'],
          ['patch id text', '/api/v1/units/abc', { name: 'x' }, 'id'],
          ['patch id huge', '/api/v1/units/99999999999999999999', { name: 'x' }, 'id'],
        ] as const) {
          const res = await admin.patch(url, body);
          expect(res.statusCode, label).toBe(400);
          expect(res.json().details.map((d: { field: string }) => d.field), label).toEqual([field]);
        }
        expect((await admin.patch('/api/v1/units/999999', { name: 'x' })).statusCode).toBe(404);
        expect((await admin.get('/api/v1/units?q=OK-1')).json().total).toBe(0);
      });

      it('is for administrators only', async () => {
        const dispatcher = await loginAs(app, 'dispatcher1');
        expect((await dispatcher.post('/api/v1/units', { parentId: d01, code: code(), name: 'x', kind: 'street' })).json().error).toBe('FORBIDDEN');
        expect((await dispatcher.patch(`/api/v1/units/${d01}`, { name: 'x' })).statusCode).toBe(403);
        expect((await app.inject({ method: 'GET', url: '/api/v1/units' })).statusCode).toBe(401);
        expect((await admin.get(`/api/v1/units/${d01}`)).json().name).toBe('东湖区人民政府');
      });
    });
  });
}
