import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../demo/demo-city';
import { DEMO_PASSWORD, DIALECTS, FakeClock, createTestApp, createTestContext, loginAs, unitIdByCode, type Session, type TestContext } from '../../test/harness';

interface UserReply {
  id: number;
  username: string;
  displayName: string;
  unitId: number;
  unitName: string;
  roles: string[];
  dataScope: string;
  phone: string | null;
  disabled: boolean;
}

const STRONG = 'Valid-pass-2026';

for (const dialect of DIALECTS) {
  describe(`users (${dialect})`, () => {
    const clock = new FakeClock('2026-03-02T01:00:00.000Z');
    let ctx: TestContext;
    let app: FastifyInstance;
    let admin: Session;
    let dispatcher: Session;
    let donghuLeader: Session;
    let d01: number;
    let d02: number;
    let n = 0;
    /** A fresh, valid create body; tests spoil one field at a time. */
    const newUser = (over: Record<string, unknown> = {}) => ({
      username: `new.user${++n}`, displayName: '新用户', unitId: d01, roles: ['unit_handler'], phone: '13912345678', password: STRONG, ...over,
    });
    const idOf = async (username: string) => (await ctx.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      [admin, dispatcher, donghuLeader] = await Promise.all([loginAs(app, 'admin'), loginAs(app, 'dispatcher1'), loginAs(app, 'donghu.leader')]);
      d01 = await unitIdByCode(ctx, 'QC-D01');
      d02 = await unitIdByCode(ctx, 'QC-D02');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    describe('list', () => {
      it('lists every user for an administrator, with paging totals', async () => {
        const res = await admin.get('/api/v1/users?pageSize=200');
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.total).toBeGreaterThanOrEqual(demoUsers().length);
        expect(body).toMatchObject({ page: 1, pageSize: 200 });
        const agent = body.items.find((u: UserReply) => u.username === 'agent1');
        expect(agent).toEqual({
          id: expect.any(Number), username: 'agent1', displayName: '王晓燕', unitId: await unitIdByCode(ctx, 'QC-12345'), unitName: '12345市民服务热线中心',
          roles: ['hotline_agent'], dataScope: 'all', phone: '13800000011', disabled: false, lockedUntil: null, lastLoginAt: null, createdAt: clock.now().toISOString(),
        });
        // No secrets ever leave the server.
        expect(res.body).not.toMatch(/password|hash/i);
      });

      it('filters by role, unit and text, and combines the filters', async () => {
        const byRole = (await admin.get('/api/v1/users?role=unit_leader&pageSize=200')).json();
        expect(byRole.items.map((u: UserReply) => u.username).sort()).toEqual(demoUsers().filter((u) => u.roles.includes('unit_leader')).map((u) => u.username).sort());
        expect(byRole.total).toBe(byRole.items.length);

        const byUnit = (await admin.get(`/api/v1/users?unit=${d01}`)).json();
        expect(byUnit.items.map((u: UserReply) => u.username).sort()).toEqual(['donghu.handler1', 'donghu.handler2', 'donghu.leader']);
        expect(byUnit.items.every((u: UserReply) => u.unitId === d01)).toBe(true);

        const both = (await admin.get(`/api/v1/users?unit=${d01}&role=unit_handler`)).json();
        expect(both.items.map((u: UserReply) => u.username).sort()).toEqual(['donghu.handler1', 'donghu.handler2']);

        const byName = (await admin.get(`/api/v1/users?q=${encodeURIComponent('晓燕')}`)).json();
        expect(byName.items.map((u: UserReply) => u.username)).toEqual(['agent1']);
        const byUsername = (await admin.get('/api/v1/users?q=xishan&pageSize=50')).json();
        expect(byUsername.items.map((u: UserReply) => u.username).sort()).toEqual(['xishan.handler1', 'xishan.handler2', 'xishan.leader']);

        expect((await admin.get('/api/v1/users?role=no_such_role')).json()).toMatchObject({ items: [], total: 0 });
      });

      it('searches case-insensitively and takes % and _ literally, on both databases', async () => {
        expect((await admin.get('/api/v1/users?q=ADMIN')).json().items.map((u: UserReply) => u.username)).toEqual(['admin']);
        expect((await admin.get('/api/v1/users?q=a_m')).json().total).toBe(0);
        expect((await admin.get('/api/v1/users?q=%25')).json().total).toBe(0);
        const underscored = (await admin.post('/api/v1/users', newUser({ username: 'under_score' }))).json();
        expect((await admin.get('/api/v1/users?q=r_s')).json().items.map((u: UserReply) => u.id)).toEqual([underscored.id]);
      });

      it('filters by disabled', async () => {
        const created = (await admin.post('/api/v1/users', newUser())).json();
        await admin.patch(`/api/v1/users/${created.id}`, { disabled: true });
        const disabled = (await admin.get('/api/v1/users?disabled=true&pageSize=200')).json();
        expect(disabled.items.map((u: UserReply) => u.id)).toContain(created.id);
        expect(disabled.items.every((u: UserReply) => u.disabled)).toBe(true);
        const enabled = (await admin.get('/api/v1/users?disabled=false&pageSize=200')).json();
        expect(enabled.items.map((u: UserReply) => u.id)).not.toContain(created.id);
      });

      it('pages without overlap and sorts by the allowed fields', async () => {
        const all = (await admin.get('/api/v1/users?pageSize=200')).json();
        const names = all.items.map((u: UserReply) => u.username);
        expect(names).toEqual([...names].sort());
        const p1 = (await admin.get('/api/v1/users?pageSize=5&page=1')).json();
        const p2 = (await admin.get('/api/v1/users?pageSize=5&page=2')).json();
        expect(p1.items.map((u: UserReply) => u.username)).toEqual(names.slice(0, 5));
        expect(p2.items.map((u: UserReply) => u.username)).toEqual(names.slice(5, 10));
        expect(p2).toMatchObject({ page: 2, pageSize: 5, total: all.total });
        const beyond = (await admin.get('/api/v1/users?pageSize=5&page=1000')).json();
        expect(beyond).toMatchObject({ items: [], total: all.total });

        const desc = (await admin.get('/api/v1/users?sort=-username&pageSize=200')).json().items.map((u: UserReply) => u.username);
        expect(desc).toEqual([...names].reverse());
        const byUnit = (await admin.get('/api/v1/users?sort=unitName&pageSize=200')).json().items.map((u: UserReply) => u.unitName);
        expect(byUnit).toEqual([...byUnit].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
      });

      it('answers a bad sort, page or pageSize with a 400 naming it', async () => {
        for (const [query, field] of [
          ['sort=password_hash', 'sort'], ['sort=-phone', 'sort'], ['page=0', 'page'], ['page=abc', 'page'], ['pageSize=0', 'pageSize'],
          ['pageSize=201', 'pageSize'], ['pageSize=1.5', 'pageSize'], ['page=99999999999999999999', 'page'], ['unit=abc', 'unit'],
          ['unit=99999999999999999999', 'unit'], ['disabled=maybe', 'disabled'], ['role=a&role=b', 'role'], ['q=' + 'x'.repeat(65), 'q'],
          ['colour=red', 'colour'], ['q=%00', 'q'],
        ] as const) {
          const res = await admin.get(`/api/v1/users?${query}`);
          expect(res.statusCode, query).toBe(400);
          expect(res.json().error, query).toBe('VALIDATION_FAILED');
          expect(res.json().details.map((d: { field: string }) => d.field), query).toEqual([field]);
        }
        const sort = (await admin.get('/api/v1/users?sort=password_hash', { 'accept-language': 'en' })).json();
        expect(sort.details[0].message).toContain('allowed: username, displayName, createdAt, lastLoginAt, unitName');
      });
    });

    describe('create, read, update', () => {
      it('creates a user that can log in, with the role\'s default scope, and reads it back', async () => {
        const res = await admin.post('/api/v1/users', newUser({ username: 'Zhang.San', displayName: '张三', roles: ['unit_leader', 'unit_handler'] }));
        expect(res.statusCode).toBe(201);
        const created = res.json();
        expect(created).toMatchObject({
          username: 'zhang.san', displayName: '张三', unitId: d01, unitName: '东湖区人民政府', roles: ['unit_handler', 'unit_leader'],
          dataScope: 'subtree', phone: '13912345678', disabled: false, lastLoginAt: null,
        });
        expect((await admin.get(`/api/v1/users/${created.id}`)).json()).toEqual(created);
        const me = (await loginAs(app, 'zhang.san', STRONG));
        // The initial password was set by an administrator: the user must choose their own (等保 2.0).
        expect((await me.get('/api/v1/auth/me')).json().user).toMatchObject({ id: created.id, mustChangePassword: true });
        // The stored password is a hash, not the password.
        const row = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', created.id).executeTakeFirstOrThrow();
        expect(row.password_hash).toMatch(/^\$argon2id\$/);
      });

      it('takes an explicit data scope and no phone', async () => {
        const created = (await admin.post('/api/v1/users', newUser({ dataScope: 'all', phone: null }))).json();
        expect(created).toMatchObject({ dataScope: 'all', phone: null });
      });

      it('updates name, unit, roles, scope, phone', async () => {
        const created = (await admin.post('/api/v1/users', newUser())).json();
        const res = await admin.patch(`/api/v1/users/${created.id}`, { displayName: '李四', unitId: d02, roles: ['unit_leader'], dataScope: 'subtree', phone: '13700001111' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: created.id, displayName: '李四', unitId: d02, unitName: '西山区人民政府', roles: ['unit_leader'], dataScope: 'subtree', phone: '13700001111' });
        expect((await admin.get(`/api/v1/users/${created.id}`)).json()).toEqual(res.json());
        expect((await admin.patch(`/api/v1/users/${created.id}`, { phone: null })).json().phone).toBeNull();
      });

      it('writes no audit row for a patch that changes nothing', async () => {
        const created = (await admin.post('/api/v1/users', newUser())).json();
        const auditCount = async () => (await admin.get(`/api/v1/audit?entity=user&entityId=${created.id}`)).json().total;
        const before = await auditCount();
        for (const patch of [{}, { displayName: created.displayName, roles: [...created.roles].reverse(), disabled: false }]) {
          const res = await admin.patch(`/api/v1/users/${created.id}`, patch);
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ id: created.id, displayName: created.displayName, roles: created.roles });
        }
        expect(await auditCount()).toBe(before);
        await admin.patch(`/api/v1/users/${created.id}`, { displayName: '改名后' });
        expect(await auditCount()).toBe(before + 1);
      });

      it('changes what a user may do as soon as the roles change', async () => {
        const created = (await admin.post('/api/v1/users', newUser({ roles: ['unit_handler'] }))).json();
        const s = await loginAs(app, created.username, STRONG);
        // A new account sets its own password first; until then only the auth routes answer.
        expect((await s.get('/api/v1/users')).json()).toMatchObject({ error: 'PASSWORD_CHANGE_REQUIRED' });
        expect((await s.post('/api/v1/auth/password', { currentPassword: STRONG, newPassword: 'Own-choice-2026' })).statusCode).toBe(204);
        expect((await s.get('/api/v1/users')).statusCode).toBe(403);
        await admin.patch(`/api/v1/users/${created.id}`, { roles: ['unit_leader'] });
        expect((await s.get('/api/v1/users')).statusCode).toBe(200);
      });

      it('resets a password: the user must change it, old sessions end, a lock is lifted', async () => {
        const created = (await admin.post('/api/v1/users', newUser())).json();
        const s = await loginAs(app, created.username, STRONG);
        // Locked out (the lockout itself is tested with the login; argon2 makes five failures slow).
        const lockedUntil = new Date(clock.now().getTime() + 15 * 60_000).toISOString();
        await ctx.db.insertInto('login_failures').values({ username: created.username, failed_count: 0, last_failed_at: clock.now().toISOString(), locked_until: lockedUntil }).execute();
        expect((await admin.get(`/api/v1/users/${created.id}`)).json().lockedUntil).toBe(lockedUntil);

        expect((await admin.post(`/api/v1/users/${created.id}/reset-password`, { newPassword: 'Reset-pass-2026' })).statusCode).toBe(204);
        expect((await s.get('/api/v1/auth/me')).statusCode).toBe(401);
        expect((await admin.get(`/api/v1/users/${created.id}`)).json().lockedUntil).toBeNull();
        const again = await loginAs(app, created.username, 'Reset-pass-2026');
        expect((await again.get('/api/v1/auth/me')).json().user.mustChangePassword).toBe(true);
        // The API itself, not only the web app, holds the user to it: reads and writes wait for the new password.
        for (const res of [await again.get('/api/v1/requests'), await again.patch(`/api/v1/users/${created.id}`, { displayName: '自己改名' })]) {
          expect(res.statusCode).toBe(403);
          expect(res.json()).toMatchObject({ error: 'PASSWORD_CHANGE_REQUIRED' });
        }
        expect((await again.post('/api/v1/auth/password', { currentPassword: 'Reset-pass-2026', newPassword: 'Own-choice-2026' })).statusCode).toBe(204);
        expect((await again.get('/api/v1/auth/me')).json().user.mustChangePassword).toBe(false);
        expect((await again.get('/api/v1/requests')).statusCode).toBe(200);

        const weak = await admin.post(`/api/v1/users/${created.id}/reset-password`, { newPassword: 'weak' });
        expect(weak.json()).toMatchObject({ error: 'PASSWORD_POLICY', details: [{ field: 'newPassword' }] });
        expect((await admin.post('/api/v1/users/999999/reset-password', { newPassword: 'Reset-pass-2026' })).statusCode).toBe(404);
      });

      it('does not let an administrator disable their own account', async () => {
        const res = await admin.patch(`/api/v1/users/${admin.userId}`, { disabled: true });
        expect(res.statusCode).toBe(400);
        expect(res.json().details).toEqual([expect.objectContaining({ field: 'disabled' })]);
        expect((await admin.get('/api/v1/auth/me')).statusCode).toBe(200);
      });

      it('answers an unknown id with 404', async () => {
        for (const res of [await admin.get('/api/v1/users/999999'), await admin.patch('/api/v1/users/999999', { displayName: 'x' })]) {
          expect(res.statusCode).toBe(404);
          expect(res.json()).toEqual({ error: 'NOT_FOUND', message: '用户不存在' });
        }
      });

      it('refuses a taken username with 409 naming username, whatever its case', async () => {
        for (const username of ['agent1', 'AGENT1']) {
          const res = await admin.post('/api/v1/users', newUser({ username }));
          expect(res.statusCode).toBe(409);
          expect(res.json()).toMatchObject({ error: 'CONFLICT', details: [{ field: 'username' }] });
        }
      });

      it('answers every kind of bad input with a 400 naming the field', async () => {
        const cases: Array<[label: string, body: unknown, field: string]> = [
          ['unknown property', newUser({ isAdmin: true }), 'isAdmin'],
          ['missing username', { ...newUser(), username: undefined }, 'username'],
          ['username starts with a digit', newUser({ username: '1abc' }), 'username'],
          ['username too short', newUser({ username: 'ab' }), 'username'],
          ['username with a space', newUser({ username: 'a b c' }), 'username'],
          ['username too long', newUser({ username: 'a'.repeat(33) }), 'username'],
          ['username a number', newUser({ username: 12345 }), 'username'],
          ['empty displayName', newUser({ displayName: '' }), 'displayName'],
          ['displayName too long', newUser({ displayName: '长'.repeat(51) }), 'displayName'],
          ['displayName an object', newUser({ displayName: { zh: '张' } }), 'displayName'],
          ['displayName with NUL', newUser({ displayName: 'a\u0000b' }), 'displayName'],
          ['unitId text', newUser({ unitId: 'abc' }), 'unitId'],
          ['unitId zero', newUser({ unitId: 0 }), 'unitId'],
          ['unitId fraction', newUser({ unitId: 1.5 }), 'unitId'],
          ['unitId huge', newUser({ unitId: 1e20 }), 'unitId'],
          ['unitId unknown', newUser({ unitId: 999_999 }), 'unitId'],
          ['roles empty', newUser({ roles: [] }), 'roles'],
          ['roles unknown', newUser({ roles: ['god'] }), 'roles'],
          ['roles repeated', newUser({ roles: ['admin', 'admin'] }), 'roles'],
          ['roles not strings', newUser({ roles: [{ role: 'admin' }] }), 'roles.0'],
          ['dataScope unknown', newUser({ dataScope: 'world' }), 'dataScope'],
          ['phone letters', newUser({ phone: 'call me' }), 'phone'],
          ['phone an object', newUser({ phone: { mobile: '13912345678' } }), 'phone'],
          ['phone too long', newUser({ phone: '1'.repeat(21) }), 'phone'],
          ['password weak', newUser({ password: 'password' }), 'password'],
          ['password missing', { ...newUser(), password: undefined }, 'password'],
          ['body an array', [newUser()], 'body'],
        ];
        for (const [label, body, field] of cases) {
          const res = await admin.post('/api/v1/users', body);
          expect(res.statusCode, label).toBe(400);
          expect(['VALIDATION_FAILED', 'PASSWORD_POLICY'], label).toContain(res.json().error);
          // One field named (a value may break two rules of it, e.g. length and format).
          expect([...new Set(res.json().details.map((d: { field: string }) => d.field))], label).toEqual([field]);
          expect(res.json().details[0].message, label).toEqual(expect.any(String));
        }
        // curl -d sends a form; the API speaks JSON and says so.
        const form = await admin.post('/api/v1/users', 'username=x&password=y', { 'content-type': 'application/x-www-form-urlencoded' });
        expect(form.statusCode).toBe(415);
        expect(form.json().error).toBe('UNSUPPORTED_MEDIA_TYPE');
        const broken = await admin.post('/api/v1/users', '{"username": "x",', { 'content-type': 'application/json' });
        expect(broken.statusCode).toBe(400);
        expect(broken.json().details).toEqual([expect.objectContaining({ field: 'body' })]);
        // Nothing half-made was left behind.
        expect((await admin.get('/api/v1/users?q=new.user&pageSize=200')).json().items.map((u: UserReply) => u.username)).not.toContain(`new.user${n}`);
      });

      it('names the field in PATCH and in the path too', async () => {
        const id = await idOf('agent2');
        for (const [label, url, body, field] of [
          ['unknown property', `/api/v1/users/${id}`, { password: 'x' }, 'password'],
          ['disabled text', `/api/v1/users/${id}`, { disabled: 'yes' }, 'disabled'],
          ['unit unknown', `/api/v1/users/${id}`, { unitId: 999_999 }, 'unitId'],
          ['id text', '/api/v1/users/abc', { displayName: 'x' }, 'id'],
          ['id zero', '/api/v1/users/0', { displayName: 'x' }, 'id'],
          ['id huge', '/api/v1/users/99999999999999999999', { displayName: 'x' }, 'id'],
        ] as const) {
          const res = await admin.patch(url, body);
          expect(res.statusCode, label).toBe(400);
          expect(res.json().details.map((d: { field: string }) => d.field), label).toEqual([field]);
        }
        expect((await admin.get('/api/v1/users/99999999999999999999')).json().details).toEqual([expect.objectContaining({ field: 'id' })]);
        // A malformed URL gets the same error shape.
        const badUrl = await admin.get('/api/v1/users/%E0%A4%A');
        expect(badUrl.statusCode).toBe(400);
        expect(badUrl.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'url' }] });
      });

      it('explains a bad phone once, in the words of its own type', async () => {
        const res = await admin.post('/api/v1/users', newUser({ phone: 'call me' }), { 'accept-language': 'en' });
        expect(res.json().details).toEqual([{ field: 'phone', message: 'has the wrong format' }]);
        const num = await admin.post('/api/v1/users', newUser({ phone: { number: '13912345678' } }), { 'accept-language': 'en' });
        expect(num.json().details).toEqual([{ field: 'phone', message: 'must be string or null' }]);
      });
    });

    describe('who may see what', () => {
      it('masks phone numbers for callers without users.personal', async () => {
        const agentId = await idOf('agent1');
        expect((await admin.get(`/api/v1/users/${agentId}`)).json().phone).toBe('13800000011');
        const masked = (await dispatcher.get(`/api/v1/users/${agentId}`)).json();
        expect(masked.phone).toBe('138****0011');
        const list = (await dispatcher.get('/api/v1/users?pageSize=200')).json();
        expect(list.items.length).toBeGreaterThan(10);
        for (const u of list.items as UserReply[]) if (u.phone) expect(u.phone, u.username).toMatch(/^\d{3}\*{4}\d{4}$/);
        expect(list.items.find((u: UserReply) => u.username === 'agent1').phone).toBe('138****0011');
      });

      it('keeps a subtree-scoped leader inside their district, and a guessed id reads as not found', async () => {
        const list = (await donghuLeader.get('/api/v1/users?pageSize=200')).json();
        const expected = demoUsers().filter((u) => u.unitCode === 'QC-D01' || u.unitCode.startsWith('QC-D01-')).map((u) => u.username);
        expect(list.items.map((u: UserReply) => u.username).filter((u: string) => expected.includes(u)).sort()).toEqual([...expected].sort());
        const d01Units = new Set((await ctx.db.selectFrom('units').select('id').where('code', 'like', 'QC-D01%').execute()).map((r) => r.id));
        for (const u of list.items as UserReply[]) expect(d01Units.has(u.unitId), u.username).toBe(true);
        expect(list.total).toBe(list.items.length);

        // A street office below the district is inside the subtree.
        expect((await donghuLeader.get(`/api/v1/users/${await idOf('donghu.street1')}`)).statusCode).toBe(200);
        // 西山区 is not: reading by a guessed id is a 404 exactly like an id that does not exist.
        const other = await donghuLeader.get(`/api/v1/users/${await idOf('xishan.handler1')}`);
        const none = await donghuLeader.get('/api/v1/users/999999');
        expect(other.statusCode).toBe(404);
        expect(other.body).toBe(none.body);
        // Filtering by another unit does not open it up.
        expect((await donghuLeader.get(`/api/v1/users?unit=${d02}`)).json()).toMatchObject({ items: [], total: 0 });
        expect((await donghuLeader.get('/api/v1/users?q=xishan')).json().total).toBe(0);
        // Nor does the leader see personal data.
        expect((await donghuLeader.get(`/api/v1/users/${await idOf('donghu.handler1')}`)).json().phone).toMatch(/^\d{3}\*{4}\d{4}$/);
      });

      it('keeps a unit-scoped reader to their own unit', async () => {
        const created = (await admin.post('/api/v1/users', newUser({ roles: ['unit_leader'], dataScope: 'unit', unitId: d01 }))).json();
        const s = await loginAs(app, created.username, STRONG);
        await s.post('/api/v1/auth/password', { currentPassword: STRONG, newPassword: 'Own-choice-2026' });
        const list = (await s.get('/api/v1/users?pageSize=200')).json();
        expect(list.items.every((u: UserReply) => u.unitId === d01)).toBe(true);
        expect((await s.get(`/api/v1/users/${await idOf('donghu.street1')}`)).statusCode).toBe(404);
        expect((await s.get(`/api/v1/users/${await idOf('donghu.handler1')}`)).statusCode).toBe(200);
      });

      it('refuses users.read to handlers, writes to readers, and everything to strangers', async () => {
        const handler = await loginAs(app, 'donghu.handler1');
        const res = await handler.get(`/api/v1/users/${await idOf('donghu.handler2')}`);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: 'FORBIDDEN', message: '没有执行此操作的权限' });
        expect((await dispatcher.post('/api/v1/users', newUser())).json().error).toBe('FORBIDDEN');
        expect((await donghuLeader.patch(`/api/v1/users/${await idOf('donghu.handler2')}`, { displayName: 'x' })).statusCode).toBe(403);
        const anonymous = await app.inject({ method: 'GET', url: '/api/v1/users' });
        expect(anonymous.statusCode).toBe(401);
        expect(anonymous.json().error).toBe('AUTH_REQUIRED');
        // A stranger's bad input is not even looked at.
        expect((await app.inject({ method: 'POST', url: '/api/v1/users', payload: { bogus: 1 } })).statusCode).toBe(401);
      });

      it('lists the roles and their permissions to any logged-in user', async () => {
        const handler = await loginAs(app, 'donghu.handler2', DEMO_PASSWORD);
        const roles = (await handler.get('/api/v1/roles')).json().items;
        expect(roles.find((r: { role: string }) => r.role === 'admin')).toMatchObject({ name: '系统管理员', defaultScope: 'all', permissions: expect.arrayContaining(['users.write']) });
        expect(roles.find((r: { role: string }) => r.role === 'unit_handler')).toMatchObject({ defaultScope: 'unit' });
      });
    });
  });
}
