import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../core/http/access';
import { DEMO_PASSWORD, DIALECTS, FakeClock, createTestApp, createTestContext, loginAs, type TestContext } from '../../test/harness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const dialect of DIALECTS) {
  describe(`auth (${dialect})`, () => {
    const clock = new FakeClock('2026-03-02T01:00:00.000Z');
    let ctx: TestContext;
    let app: FastifyInstance;

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    const login = (username: string, password: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers });
    const sessionCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'zt_session');
    const me = (cookieValue: string) => app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `zt_session=${cookieValue}` } });
    const bearer = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const userId = async (username: string) => (await ctx.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

    describe('login', () => {
      it('sets an httpOnly, SameSite=Strict session cookie and replies with the caller', async () => {
        const res = await login('admin', DEMO_PASSWORD);
        expect(res.statusCode).toBe(200);
        const cookie = sessionCookie(res)!;
        expect(cookie).toBeDefined();
        expect(cookie.httpOnly).toBe(true);
        expect(cookie.sameSite).toBe('Strict');
        expect(cookie.path).toBe('/');
        expect(cookie.value.length).toBeGreaterThanOrEqual(32);
        // The cookie outlives no session: it expires at the 12-hour absolute limit.
        expect(new Date(cookie.expires!).getTime()).toBeLessThanOrEqual(clock.now().getTime() + 12 * HOUR);

        const body = res.json();
        expect(body.user).toMatchObject({ username: 'admin', displayName: '系统管理员', roles: ['admin'], dataScope: 'all', mustChangePassword: false });
        expect(body.unit).toMatchObject({ code: 'QC-BGT-ZHC', name: '综合处', kind: 'division' });
        expect(body.user.unitId).toBe(body.unit.id);
        expect(body.permissions).toEqual(expect.arrayContaining(['users.read', 'users.write', 'users.personal', 'audit.read', 'tokens.manage']));
        expect([...body.permissions].sort()).toEqual(body.permissions);
        expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
        expect(body.sessionExpiresAt).toBe(new Date(clock.now().getTime() + 30 * MINUTE).toISOString());

        const again = await me(cookie.value);
        expect(again.statusCode).toBe(200);
        expect(again.json()).toMatchObject({ user: { username: 'admin' }, csrfToken: body.csrfToken, permissions: body.permissions });
      });

      it('gives each role its own permissions', async () => {
        const res = await login('dispatcher1', DEMO_PASSWORD);
        // Modules add permissions to roles; the reply carries exactly what the role holds today.
        expect(res.json().permissions).toEqual([...permissionsOf(['dispatcher'])].sort());
        expect(res.json().permissions).toEqual(expect.arrayContaining(['units.read', 'users.read']));
        for (const p of ['users.write', 'users.personal', 'audit.read', 'tokens.manage']) expect(res.json().permissions).not.toContain(p);
        expect((await login('donghu.handler1', DEMO_PASSWORD)).json().user).toMatchObject({ roles: ['unit_handler'], dataScope: 'unit' });
      });

      it('accepts the user name in any case and with spaces around it', async () => {
        expect((await login('  Analyst1 ', DEMO_PASSWORD)).statusCode).toBe(200);
      });

      it('refuses a wrong password and an unknown user with the same 401', async () => {
        const wrong = await login('leader1', 'Wrong-password-1');
        const unknown = await login('no.such.user', 'Wrong-password-1');
        expect(wrong.statusCode).toBe(401);
        expect(wrong.json()).toEqual({ error: 'AUTH_INVALID_CREDENTIALS', message: '用户名或密码错误' });
        expect(unknown.statusCode).toBe(401);
        expect(unknown.body).toBe(wrong.body);
        expect(sessionCookie(wrong)).toBeUndefined();
        expect(sessionCookie(unknown)).toBeUndefined();
      });

      it('answers a body that is not a login with a 400 naming the field', async () => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin' } });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'password' }] });
      });
    });

    describe('lockout', () => {
      it('locks an existing and a non-existing name alike after 5 failures, for 15 minutes', async () => {
        const replies: Record<string, LightMyRequestResponse> = {};
        for (const name of ['agent2', 'ghost.user']) {
          for (let i = 1; i <= 4; i++) expect((await login(name, `Wrong-pass-${i}`)).statusCode, `${name} failure ${i}`).toBe(401);
          replies[name] = await login(name, 'Wrong-pass-5');
        }
        const lockedUntil = new Date(clock.now().getTime() + 15 * MINUTE).toISOString();
        for (const name of ['agent2', 'ghost.user']) {
          expect(replies[name].statusCode).toBe(423);
          expect(replies[name].json()).toEqual({ error: 'AUTH_ACCOUNT_LOCKED', message: '连续登录失败次数过多，账号已锁定 15 分钟', lockedUntil });
        }
        // Nothing in the reply tells a taken name from a free one.
        expect(replies['agent2'].body).toBe(replies['ghost.user'].body);

        // While locked even the right password is refused, in the same words.
        const rightButLocked = await login('agent2', DEMO_PASSWORD);
        expect(rightButLocked.statusCode).toBe(423);
        expect(rightButLocked.body).toBe((await login('ghost.user', DEMO_PASSWORD)).body);
        // The lock is per name: other users log in as usual.
        expect((await login('agent1', DEMO_PASSWORD)).statusCode).toBe(200);

        // An administrator sees the lock on the user.
        const admin = await loginAs(app, 'admin');
        const agent2 = (await admin.get(`/api/v1/users/${await userId('agent2')}`)).json();
        expect(agent2.lockedUntil).toBe(lockedUntil);

        clock.advance(15 * MINUTE - 1000);
        expect((await login('agent2', DEMO_PASSWORD)).statusCode).toBe(423);
        clock.advance(1000);
        expect((await login('agent2', DEMO_PASSWORD)).statusCode).toBe(200);
        expect((await login('ghost.user', DEMO_PASSWORD)).statusCode).toBe(401);
        expect((await admin.get(`/api/v1/users/${await userId('agent2')}`)).json().lockedUntil).toBeNull();
      });

      it('gives a burst of parallel guesses no more than 5 password checks', async () => {
        const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => login('dispatcher1', `Guess-number-${i}`)));
        const codes = replies.map((r) => r.statusCode);
        expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(4);
        expect(codes.filter((c) => c === 423).length).toBeGreaterThanOrEqual(8);
        expect(codes.every((c) => c === 401 || c === 423)).toBe(true);
        // The name is locked now, right password or not.
        expect((await login('dispatcher1', DEMO_PASSWORD)).statusCode).toBe(423);
        // Each checked password leaves an auth.login-failed row: no more than five were checked.
        const checked = await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'auth.login-failed').where('actor_name', '=', 'dispatcher1').execute();
        expect(checked.length).toBeGreaterThanOrEqual(1);
        expect(checked.length).toBeLessThanOrEqual(5);
        clock.advance(15 * MINUTE);
        expect((await login('dispatcher1', DEMO_PASSWORD)).statusCode).toBe(200);
      });

      it('starts counting afresh after a successful login', async () => {
        for (let i = 0; i < 4; i++) expect((await login('agent1', 'Wrong-pass-x')).statusCode).toBe(401);
        expect((await login('agent1', DEMO_PASSWORD)).statusCode).toBe(200);
        for (let i = 0; i < 4; i++) expect((await login('agent1', 'Wrong-pass-x')).statusCode).toBe(401);
        expect((await login('agent1', DEMO_PASSWORD)).statusCode).toBe(200);
      });

      it('counts typed names case-insensitively, so AGENT2 and agent2 share one lock', async () => {
        for (let i = 0; i < 4; i++) await login(i % 2 ? 'DISPATCHER2' : 'dispatcher2', 'Wrong-pass-x');
        expect((await login('Dispatcher2', 'Wrong-pass-x')).statusCode).toBe(423);
        expect((await login('dispatcher2', DEMO_PASSWORD)).statusCode).toBe(423);
        clock.advance(15 * MINUTE);
      });
    });

    it('refuses a disabled account with 403, and only to the right password', async () => {
      const admin = await loginAs(app, 'admin');
      const victim = await loginAs(app, 'secretary1');
      const id = await userId('secretary1');
      expect((await admin.patch(`/api/v1/users/${id}`, { disabled: true })).statusCode).toBe(200);

      const res = await login('secretary1', DEMO_PASSWORD);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'AUTH_ACCOUNT_DISABLED' });
      expect(sessionCookie(res)).toBeUndefined();
      // A wrong password learns nothing about the account's state.
      expect((await login('secretary1', 'Wrong-pass-1')).json().error).toBe('AUTH_INVALID_CREDENTIALS');
      // Disabling ends the sessions already open.
      expect((await victim.get('/api/v1/auth/me')).statusCode).toBe(401);

      expect((await admin.patch(`/api/v1/users/${id}`, { disabled: false })).statusCode).toBe(200);
      expect((await login('secretary1', DEMO_PASSWORD)).statusCode).toBe(200);
    });

    describe('sessions', () => {
      it('expire after 30 idle minutes', async () => {
        const s = await loginAs(app, 'supervisor1');
        // Activity keeps the session alive well past 30 minutes in all.
        for (let i = 0; i < 3; i++) {
          clock.advance(29 * MINUTE);
          expect((await s.get('/api/v1/auth/me')).statusCode, `after ${(i + 1) * 29} minutes`).toBe(200);
        }
        const meNow = (await s.get('/api/v1/auth/me')).json();
        expect(meNow.sessionExpiresAt).toBe(new Date(clock.now().getTime() + 30 * MINUTE).toISOString());
        clock.advance(30 * MINUTE);
        const res = await s.get('/api/v1/auth/me');
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: 'AUTH_SESSION_EXPIRED', message: '登录已过期，请重新登录' });
        // Expired stays expired, even for routes any caller may use.
        clock.advance(MINUTE);
        expect((await s.get('/api/v1/roles')).json().error).toBe('AUTH_SESSION_EXPIRED');
      });

      it('expire 12 hours after login however busy the user is', async () => {
        const s = await loginAs(app, 'leader1');
        const start = clock.now().getTime();
        while (clock.now().getTime() + 25 * MINUTE < start + 12 * HOUR) {
          clock.advance(25 * MINUTE);
          expect((await s.get('/api/v1/auth/me')).statusCode).toBe(200);
        }
        clock.set(new Date(start + 12 * HOUR - 1000));
        expect((await s.get('/api/v1/auth/me')).statusCode).toBe(200);
        clock.advance(1000);
        const res = await s.get('/api/v1/auth/me');
        expect(res.statusCode).toBe(401);
        expect(res.json().error).toBe('AUTH_SESSION_EXPIRED');
      });

      it('end at logout, and the cookie is cleared', async () => {
        const s = await loginAs(app, 'analyst1');
        const res = await s.post('/api/v1/auth/logout');
        expect(res.statusCode).toBe(204);
        const cleared = sessionCookie(res)!;
        expect(cleared.value).toBe('');
        expect(new Date(cleared.expires!).getTime()).toBeLessThan(clock.now().getTime());
        const after = await s.get('/api/v1/auth/me');
        expect(after.statusCode).toBe(401);
        expect(after.json().error).toBe('AUTH_SESSION_EXPIRED');
      });

      it('act, in calls that arrive together, as each call\'s own session\'s user, and stop at logout', async () => {
        const analyst = await loginAs(app, 'analyst1');
        const handler = await loginAs(app, 'zhujian.handler2');
        // A screen's calls share the session's read while it is on its way; interleaved, neither borrows the other's user.
        const sessions = Array.from({ length: 20 }, (_, i) => (i % 2 ? handler : analyst));
        const burst = () => Promise.all(sessions.map((s) => s.get('/api/v1/auth/me')));
        const first = await burst();
        expect(first.map((r) => r.statusCode)).toEqual(sessions.map(() => 200));
        expect(first.map((r) => r.json().user.username)).toEqual(sessions.map((s) => s.username));

        expect((await analyst.post('/api/v1/auth/logout')).statusCode).toBe(204);
        const after = await burst();
        expect(after.map((r) => r.statusCode)).toEqual(sessions.map((s) => (s === handler ? 200 : 401)));
        expect(after.filter((r) => r.statusCode === 401).map((r) => r.json().error)).toEqual(Array(10).fill('AUTH_SESSION_EXPIRED'));
      });

      it('answer a made-up cookie and no cookie with AUTH_REQUIRED', async () => {
        expect((await me('made-up-cookie-value')).json()).toMatchObject({ error: 'AUTH_REQUIRED' });
        const none = await app.inject({ method: 'GET', url: '/api/v1/auth/me' });
        expect(none.statusCode).toBe(401);
        expect(none.json()).toEqual({ error: 'AUTH_REQUIRED', message: '请先登录' });
      });

      it('store no usable cookie value in the database', async () => {
        const res = await login('agent1', DEMO_PASSWORD);
        const cookie = sessionCookie(res)!.value;
        const rows = await ctx.db.selectFrom('sessions').selectAll().execute();
        expect(JSON.stringify(rows)).not.toContain(cookie);
      });
    });

    describe('CSRF', () => {
      it('refuses a cookie write without the X-CSRF-Token, or with a wrong one', async () => {
        const s = await loginAs(app, 'admin');
        const before = (await s.get('/api/v1/tokens')).json().total;
        for (const headers of [{ 'x-csrf-token': '' }, { 'x-csrf-token': 'not-the-token' }]) {
          const res = await s.post('/api/v1/tokens', { name: 'csrf-probe' }, headers);
          expect(res.statusCode).toBe(403);
          expect(res.json()).toEqual({ error: 'CSRF_INVALID', message: '页面已失效，请刷新后重试' });
        }
        const cookie = sessionCookie(await login('admin', DEMO_PASSWORD))!.value;
        const noHeader = await app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'csrf-probe' }, headers: { cookie: `zt_session=${cookie}` } });
        expect(noHeader.statusCode).toBe(403);
        expect(noHeader.json().error).toBe('CSRF_INVALID');
        // Logout is a write too: without the token the session survives.
        expect((await s.post('/api/v1/auth/logout', undefined, { 'x-csrf-token': '' })).statusCode).toBe(403);
        expect((await s.get('/api/v1/auth/me')).statusCode).toBe(200);
        expect((await s.get('/api/v1/tokens')).json().total).toBe(before);
      });

      it('takes the token of the session, not of another session', async () => {
        const a = await loginAs(app, 'admin');
        const other = (await login('admin', DEMO_PASSWORD)).json().csrfToken;
        expect((await a.post('/api/v1/tokens', { name: 'cross' }, { 'x-csrf-token': other })).statusCode).toBe(403);
      });
    });

    describe('password change', () => {
      it('enforces the policy and names newPassword', async () => {
        const s = await loginAs(app, 'zhujian.handler1');
        // Nine characters of all four classes are too short; ten of two classes too plain.
        for (const weak of ['Abcdef1!x', 'abcdefghijkl', 'abcdefghij', 'abcdefghi1', 'ABCDEFGHI!', '123456789!']) {
          const res = await s.post('/api/v1/auth/password', { currentPassword: DEMO_PASSWORD, newPassword: weak });
          expect(res.statusCode, weak).toBe(400);
          expect(res.json()).toMatchObject({ error: 'PASSWORD_POLICY', details: [{ field: 'newPassword' }] });
        }
        const same = await s.post('/api/v1/auth/password', { currentPassword: DEMO_PASSWORD, newPassword: DEMO_PASSWORD });
        expect(same.json()).toMatchObject({ error: 'PASSWORD_POLICY', details: [{ field: 'newPassword' }] });
        const missing = await s.post('/api/v1/auth/password', { currentPassword: DEMO_PASSWORD });
        expect(missing.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'newPassword' }] });
      });

      it('refuses a wrong current password', async () => {
        const s = await loginAs(app, 'zhujian.handler1');
        const res = await s.post('/api/v1/auth/password', { currentPassword: 'Not-the-current-1', newPassword: 'Brand-new-pass-1' });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'PASSWORD_WRONG', message: '当前密码不正确', details: [{ field: 'currentPassword' }] });
        expect((await login('zhujian.handler1', 'Brand-new-pass-1')).statusCode).toBe(401);
      });

      it('changes the password and ends the other sessions of the user', async () => {
        const s = await loginAs(app, 'zhujian.handler2');
        const other = await loginAs(app, 'zhujian.handler2');
        // Ten characters from three classes (lower, digits, symbols) are enough.
        const res = await s.post('/api/v1/auth/password', { currentPassword: DEMO_PASSWORD, newPassword: 'quiet-2026' });
        expect(res.statusCode).toBe(204);
        expect((await s.get('/api/v1/auth/me')).statusCode).toBe(200);
        expect((await other.get('/api/v1/auth/me')).statusCode).toBe(401);
        expect((await login('zhujian.handler2', DEMO_PASSWORD)).statusCode).toBe(401);
        expect((await login('zhujian.handler2', 'quiet-2026')).statusCode).toBe(200);
      });
    });

    describe('API tokens', () => {
      it('are shown once, stored hashed, carry their user\'s roles, and stop working when revoked', async () => {
        const admin = await loginAs(app, 'admin');
        const dispatcherId = await userId('dispatcher1');
        const created = await admin.post('/api/v1/tokens', { name: 'dispatch board', userId: dispatcherId });
        expect(created.statusCode).toBe(201);
        const { id, name, token } = created.json();
        expect(name).toBe('dispatch board');
        expect(token).toMatch(/^zt_[\w-]{30,}$/);

        // Nowhere in the database, nor in the list, nor in the audit trail.
        const stored = await ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(await ctx.db.selectFrom('api_tokens').selectAll().execute())).not.toContain(token);
        expect(JSON.stringify(await ctx.db.selectFrom('audit_log').selectAll().execute())).not.toContain(token);
        const list = (await admin.get('/api/v1/tokens')).json();
        expect(list.items.find((t: { id: number }) => t.id === id)).toMatchObject({ name: 'dispatch board', userId: dispatcherId, username: 'dispatcher1', revokedAt: null });
        expect(JSON.stringify(list)).not.toContain(token);

        // The holder acts as dispatcher1: its reads, not an administrator's writes; no CSRF token needed.
        const who = await bearer(token, 'GET', '/api/v1/auth/me');
        expect(who.statusCode).toBe(200);
        expect(who.json()).toMatchObject({ user: { username: 'dispatcher1', roles: ['dispatcher'] }, permissions: [...permissionsOf(['dispatcher'])].sort(), sessionExpiresAt: null });
        expect(who.json().permissions).not.toContain('units.write');
        expect((await bearer(token, 'GET', '/api/v1/users?pageSize=1')).statusCode).toBe(200);
        const write = await bearer(token, 'POST', '/api/v1/units', { parentId: null, code: 'TOKEN-X', name: 'x', kind: 'office' });
        expect(write.statusCode).toBe(403);
        expect(write.json().error).toBe('FORBIDDEN');
        expect((await admin.get('/api/v1/tokens')).json().items.find((t: { id: number }) => t.id === id).lastUsedAt).toBe(clock.now().toISOString());

        expect((await admin.delete(`/api/v1/tokens/${id}`)).statusCode).toBe(204);
        const revoked = await bearer(token, 'GET', '/api/v1/auth/me');
        expect(revoked.statusCode).toBe(401);
        expect(revoked.json().error).toBe('AUTH_REQUIRED');
        expect((await admin.get('/api/v1/tokens')).json().items.find((t: { id: number }) => t.id === id).revokedAt).toBe(clock.now().toISOString());
      });

      it('acts, in calls that arrive together, as each call\'s own token\'s user, and stops a revoked token at once', async () => {
        const admin = await loginAs(app, 'admin');
        const dispatcher = (await admin.post('/api/v1/tokens', { name: 'board', userId: await userId('dispatcher1') })).json();
        const handler = (await admin.post('/api/v1/tokens', { name: 'phone', userId: await userId('zhujian.handler2') })).json();
        // Calls with one token share a read while it is on its way; interleaved, neither borrows the other's user.
        const burst = (tokens: string[]) => Promise.all(tokens.map((t) => bearer(t, 'GET', '/api/v1/auth/me')));
        const both = Array.from({ length: 20 }, (_, i) => (i % 2 ? handler.token : dispatcher.token));
        const first = await burst(both);
        expect(first.map((r) => r.statusCode)).toEqual(both.map(() => 200));
        expect(first.map((r) => r.json().user.username)).toEqual(both.map((t) => (t === handler.token ? 'zhujian.handler2' : 'dispatcher1')));

        expect((await admin.delete(`/api/v1/tokens/${dispatcher.id}`)).statusCode).toBe(204);
        const after = await burst(both);
        expect(after.map((r) => r.statusCode)).toEqual(both.map((t) => (t === handler.token ? 200 : 401)));
      });

      it('lets an administrator\'s token write without a CSRF token', async () => {
        const admin = await loginAs(app, 'admin');
        const { token } = (await admin.post('/api/v1/tokens', { name: 'provisioning' })).json();
        const res = await bearer(token, 'POST', '/api/v1/units', { parentId: null, code: 'TOKEN-OK', name: '令牌建的单位', kind: 'office' });
        expect(res.statusCode).toBe(201);
      });

      it('refuses a made-up token, a token for an unknown user, and revoking an unknown token', async () => {
        const admin = await loginAs(app, 'admin');
        expect((await bearer('zt_made-up-token-value-1234567890', 'GET', '/api/v1/auth/me')).json().error).toBe('AUTH_REQUIRED');
        const noUser = await admin.post('/api/v1/tokens', { name: 'x', userId: 999_999 });
        expect(noUser.statusCode).toBe(400);
        expect(noUser.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'userId' }] });
        expect((await admin.post('/api/v1/tokens', { name: '' })).json().details).toEqual([expect.objectContaining({ field: 'name' })]);
        expect((await admin.delete('/api/v1/tokens/999999')).statusCode).toBe(404);
      });

      it('are for administrators only', async () => {
        const s = await loginAs(app, 'dispatcher1');
        expect((await s.get('/api/v1/tokens')).statusCode).toBe(403);
        expect((await s.post('/api/v1/tokens', { name: 'mine' })).json().error).toBe('FORBIDDEN');
      });

      it('stop working when their user is disabled', async () => {
        const admin = await loginAs(app, 'admin');
        const id = await userId('analyst1');
        const { token } = (await admin.post('/api/v1/tokens', { name: 'analysis', userId: id })).json();
        expect((await bearer(token, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);
        await admin.patch(`/api/v1/users/${id}`, { disabled: true });
        expect((await bearer(token, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
        await admin.patch(`/api/v1/users/${id}`, { disabled: false });
      });
    });
  });
}
