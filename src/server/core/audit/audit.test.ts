import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DIALECTS, FakeClock, createTestApp, createTestContext, loginAs, unitIdByCode, type Session, type TestContext } from '../../test/harness';
import { runDueJobs } from '../jobs';
import { systemActor } from '../http/access';
import { ensureAuditHeadJob } from './audit.jobs';
import { parseAuditHead, recordAudit, verifyAuditChain } from './audit.service';

interface AuditItem {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  diff: Record<string, unknown> | null;
}

const MINUTE = 60_000;

/** What an attacker with database rights does first: take the append-only triggers away. */
async function dropAppendOnlyTriggers(ctx: TestContext): Promise<void> {
  if (ctx.dialect === 'postgres') {
    await sql`drop trigger if exists audit_log_no_update on audit_log`.execute(ctx.db);
    await sql`drop trigger if exists audit_log_no_delete on audit_log`.execute(ctx.db);
  } else {
    await sql`drop trigger if exists audit_log_no_update`.execute(ctx.db);
    await sql`drop trigger if exists audit_log_no_delete`.execute(ctx.db);
  }
}

for (const dialect of DIALECTS) {
  describe(`audit trail (${dialect})`, () => {
    const clock = new FakeClock('2026-03-02T01:00:00.000Z');
    let ctx: TestContext;
    let app: FastifyInstance;
    let admin: Session;
    const audit = async (query: string): Promise<{ items: AuditItem[]; total: number; page: number; pageSize: number }> => {
      const res = await admin.get(`/api/v1/audit?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    /** The newest entry with this action. */
    const latest = async (action: string) => (await audit(`action=${action}&pageSize=1`)).items[0];

    // One sequence of writes, made through the API the way users make them; the tests read it back.
    const marks: Record<string, string> = {};
    let fresh: Awaited<ReturnType<typeof verifyAuditChain>>;
    const ids: Record<string, number> = {};
    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);

      fresh = await verifyAuditChain(ctx.db);
      marks.start = clock.now().toISOString();
      admin = await loginAs(app, 'admin');
      clock.advance(MINUTE);
      const d01 = await unitIdByCode(ctx, 'QC-D01');
      const unit = (await admin.post('/api/v1/units', { parentId: d01, code: 'AUD-1', name: '审计测试街道', kind: 'street' })).json();
      ids.unit = unit.id;
      clock.advance(MINUTE);
      await admin.patch(`/api/v1/units/${unit.id}`, { name: '审计测试街道（改）' });
      clock.advance(MINUTE);
      marks.beforeUsers = clock.now().toISOString();
      const user = (await admin.post('/api/v1/users', { username: 'audit.target', displayName: '审计对象', unitId: unit.id, roles: ['unit_handler'], phone: '13911112222', password: 'Valid-pass-2026' })).json();
      ids.user = user.id;
      clock.advance(MINUTE);
      await admin.patch(`/api/v1/users/${user.id}`, { displayName: '审计对象（改）', roles: ['unit_leader'] });
      clock.advance(MINUTE);
      await admin.post(`/api/v1/users/${user.id}/reset-password`, { newPassword: 'Reset-pass-2026' });
      clock.advance(MINUTE);
      marks.afterUsers = clock.now().toISOString();
      const token = (await admin.post('/api/v1/tokens', { name: 'audit token' })).json();
      ids.token = token.id;
      marks.token = token.token;
      await admin.delete(`/api/v1/tokens/${token.id}`);
      clock.advance(MINUTE);
      const target = await loginAs(app, 'audit.target', 'Reset-pass-2026');
      await target.post('/api/v1/auth/password', { currentPassword: 'Reset-pass-2026', newPassword: 'Changed-pass-2026' });
      await target.post('/api/v1/auth/logout');
      await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'Nobody.Here', password: 'Wrong-pass-1' } });
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    it('records every write with its actor, action, entity and before/after', async () => {
      const unitCreate = await latest('unit.create');
      expect(unitCreate).toMatchObject({ actorId: admin.userId, actorName: 'admin', action: 'unit.create', entity: 'unit', entityId: String(ids.unit) });
      expect(unitCreate.diff).toMatchObject({ code: [null, 'AUD-1'], name: [null, '审计测试街道'], kind: [null, 'street'] });

      expect((await latest('unit.update')).diff).toEqual({ name: ['审计测试街道', '审计测试街道（改）'] });

      const userCreate = await latest('user.create');
      expect(userCreate).toMatchObject({ actorName: 'admin', entity: 'user', entityId: String(ids.user) });
      // Personal data is masked even in the trail.
      expect(userCreate.diff).toMatchObject({ username: [null, 'audit.target'], roles: [null, ['unit_handler']], phone: [null, '139****2222'] });

      expect((await latest('user.update')).diff).toEqual({ displayName: ['审计对象', '审计对象（改）'], roles: [['unit_handler'], ['unit_leader']] });
      expect(await latest('user.reset-password')).toMatchObject({ entity: 'user', entityId: String(ids.user), actorName: 'admin' });
      expect(await latest('token.create')).toMatchObject({ entity: 'api_token', entityId: String(ids.token), diff: { name: [null, 'audit token'], user: [null, 'admin'] } });
      expect((await latest('token.revoke')).diff).toMatchObject({ revokedAt: [null, expect.any(String)] });
      expect(await latest('auth.password-change')).toMatchObject({ actorName: 'audit.target', actorId: ids.user, entityId: String(ids.user) });
      expect(await latest('auth.logout')).toMatchObject({ actorName: 'audit.target' });
      expect(await latest('auth.login')).toMatchObject({ actorName: 'audit.target', actorId: ids.user, ip: '127.0.0.1' });
      expect(await latest('auth.login-failed')).toMatchObject({ actorName: 'nobody.here', actorId: null, entityId: null });
    });

    it('never writes a password, hash or token into the trail', async () => {
      const rows = JSON.stringify(await ctx.db.selectFrom('audit_log').selectAll().execute());
      for (const secret of ['Valid-pass-2026', 'Reset-pass-2026', 'Changed-pass-2026', DEMO_PASSWORD, marks.token, '$argon2']) expect(rows).not.toContain(secret);
    });

    it('filters by actor name or id, entity, entity id, action and time', async () => {
      const byName = await audit('actor=ADMIN&pageSize=200');
      expect(byName.items.length).toBeGreaterThan(5);
      expect(byName.items.every((i) => i.actorName === 'admin')).toBe(true);
      expect((await audit(`actor=${admin.userId}&pageSize=200`)).total).toBe(byName.total);

      const units = await audit('entity=unit');
      expect(units.items.map((i) => i.action)).toEqual(['unit.update', 'unit.create']);
      const oneUser = await audit(`entity=user&entityId=${ids.user}&pageSize=200`);
      expect(oneUser.items.map((i) => i.action)).toEqual(['auth.logout', 'auth.password-change', 'auth.login', 'user.reset-password', 'user.update', 'user.create']);
      expect((await audit('action=user.&pageSize=200')).items.map((i) => i.action).sort()).toEqual(['user.create', 'user.reset-password', 'user.update']);

      const window = await audit(`from=${marks.beforeUsers}&to=${marks.afterUsers}&pageSize=200`);
      expect(window.items.map((i) => i.action)).toEqual(['user.reset-password', 'user.update', 'user.create']);
      expect(window.items.every((i) => i.at >= marks.beforeUsers && i.at < marks.afterUsers)).toBe(true);
      expect((await audit(`to=${marks.start}&entity=unit`)).total).toBe(0);
    });

    it('pages newest first, or oldest first on request', async () => {
      const all = await audit('pageSize=200');
      expect(all.total).toBe(all.items.length);
      const idsDesc = all.items.map((i) => i.id);
      expect(idsDesc).toEqual([...idsDesc].sort((a, b) => b - a));
      const p2 = await audit('pageSize=3&page=2');
      expect(p2).toMatchObject({ page: 2, pageSize: 3, total: all.total });
      expect(p2.items.map((i) => i.id)).toEqual(idsDesc.slice(3, 6));
      expect((await audit('sort=at&pageSize=3')).items.map((i) => i.id)).toEqual([...idsDesc].reverse().slice(0, 3));
    });

    it('answers bad filters with a 400 naming them, and is for auditors only', async () => {
      for (const [query, field] of [['sort=actor', 'sort'], ['from=yesterday', 'from'], ['to=2026-13-01', 'to'], ['pageSize=500', 'pageSize'], ['who=admin', 'who']] as const) {
        const res = await admin.get(`/api/v1/audit?${query}`);
        expect(res.statusCode, query).toBe(400);
        expect(res.json().details.map((d: { field: string }) => d.field), query).toEqual([field]);
      }
      const dispatcher = await loginAs(app, 'dispatcher1');
      expect((await dispatcher.get('/api/v1/audit')).statusCode).toBe(403);
    });

    it('offers no way to change the trail over HTTP', async () => {
      const row = (await audit('pageSize=1')).items[0];
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        const res = await app.inject({ method, url: `/api/v1/audit/${row.id}`, headers: { authorization: '' }, payload: {} });
        expect(res.statusCode, method).toBe(404);
      }
    });

    describe('tamper evidence', () => {
      it('verifies the chain of a fresh database', () => {
        // The demo seed itself is recorded.
        expect(fresh.ok).toBe(true);
        expect(fresh.checked).toBeGreaterThanOrEqual(1);
      });

      it('verifies the chain after the writes', async () => {
        const total = Number((await ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        expect(total).toBeGreaterThan(10);
        const last = await ctx.db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
        expect(await verifyAuditChain(ctx.db)).toEqual({ ok: true, checked: total, head: { id: last.id, hash: last.hash } });
      });

      it('logs the trail\'s head every night at local midnight, a head that later checks the trail', async () => {
        const job = () => ctx.db.selectFrom('jobs').select(['run_at', 'status']).where('dedupe_key', '=', 'audit:head').executeTakeFirstOrThrow();
        // What an instance that runs jobs does at start, on 2 March in the morning in Shanghai; twice is once.
        await ensureAuditHeadJob(ctx);
        await ensureAuditHeadJob(ctx);
        expect(await job()).toEqual({ run_at: '2026-03-02T16:00:00.000Z', status: 'pending' });
        const lines: Array<{ auditHead?: string; msg: string }> = [];
        const log = ctx.log;
        ctx.log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
        try {
          clock.set('2026-03-02T16:00:30.000Z');
          await runDueJobs(ctx);
        } finally {
          ctx.log = log;
        }
        const logged = lines.filter((l) => l.auditHead);
        expect(logged).toHaveLength(1);
        expect(logged[0].msg).toMatch(/audit verify --head/);
        const head = parseAuditHead(logged[0].auditHead!)!;
        expect(await ctx.db.selectFrom('audit_log').select(['id', 'hash']).where('id', '=', head.id).executeTakeFirstOrThrow()).toEqual(head);
        expect((await verifyAuditChain(ctx.db, undefined, head)).ok).toBe(true);
        expect(await job()).toEqual({ run_at: '2026-03-03T16:00:00.000Z', status: 'pending' });
        // The morning's session has timed out by midnight: the tests that follow log in again.
        admin = await loginAs(app, 'admin');
      });

      it('refuses an ordinary UPDATE or DELETE of a trail row', async () => {
        const row = await ctx.db.selectFrom('audit_log').select(['id', 'diff']).where('action', '=', 'user.update').executeTakeFirstOrThrow();
        await expect(ctx.db.updateTable('audit_log').set({ diff: '{}' }).where('id', '=', row.id).execute()).rejects.toThrow(/append-only/);
        await expect(ctx.db.deleteFrom('audit_log').where('id', '=', row.id).execute()).rejects.toThrow(/append-only/);
        if (ctx.dialect === 'postgres') await expect(sql`truncate audit_log`.execute(ctx.db)).rejects.toThrow(/append-only/);
        expect((await ctx.db.selectFrom('audit_log').select('diff').where('id', '=', row.id).executeTakeFirstOrThrow()).diff).toBe(row.diff);
        expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
      });

      it('shows rows removed from the end, and a trail rewritten from some row on, against a head kept from before', async () => {
        const d01 = await unitIdByCode(ctx, 'QC-D01');
        clock.advance(MINUTE);
        expect((await admin.post('/api/v1/units', { parentId: d01, code: 'AUD-3', name: '审计尾部街道', kind: 'street' })).statusCode).toBe(201);
        // What an operator keeps outside the database after a verification (`audit verify` prints it).
        const kept = (await verifyAuditChain(ctx.db)).head!;
        expect(parseAuditHead(`${kept.id}:${kept.hash}`)).toEqual(kept);
        clock.advance(MINUTE);
        expect((await admin.post('/api/v1/units', { parentId: d01, code: 'AUD-4', name: '审计尾部街道二', kind: 'street' })).statusCode).toBe(201);
        const later = await verifyAuditChain(ctx.db, undefined, kept);
        expect(later.ok).toBe(true);
        expect(later.head!.id).toBeGreaterThan(kept.id);
        expect((await verifyAuditChain(ctx.db, undefined, { id: kept.id, hash: 'f'.repeat(64) })).brokenAt).toEqual({ id: kept.id, reason: 'the recorded head has another hash now: the trail was rewritten up to it' });

        // The trail cut back to before the kept head: the chain that is left holds; only the kept head shows the cut.
        await dropAppendOnlyTriggers(ctx);
        await ctx.db.deleteFrom('audit_log').where('id', '>=', kept.id).execute();
        const plain = await verifyAuditChain(ctx.db);
        expect(plain.ok).toBe(true);
        expect(plain.head!.id).toBeLessThan(kept.id);
        expect(await verifyAuditChain(ctx.db, undefined, kept)).toEqual({ ok: false, checked: plain.checked, brokenAt: { id: kept.id, reason: 'the recorded head is gone: rows were removed from the end of the trail' } });

        // A forged row chained onto what is left, as the application chains rows: still not the kept head.
        await ctx.db.transaction().execute((trx) => recordAudit(trx, ctx.dialect, clock.now(), { actor: systemActor('forger'), action: 'unit.create', entity: 'unit', after: { code: 'AUD-X' } }));
        expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
        const forged = await verifyAuditChain(ctx.db, undefined, kept);
        expect(forged.ok).toBe(false);
        expect(forged.brokenAt!.id).toBe(kept.id);
      });

      it('reports an altered row as the first broken link, and a deleted row at the next one', async () => {
        await dropAppendOnlyTriggers(ctx);
        const rows = await ctx.db.selectFrom('audit_log').select(['id', 'diff']).orderBy('id').execute();
        const victim = rows.find((r) => r.diff?.includes('审计对象（改）'))!;
        // Quietly undo the rename in the trail.
        const forged = victim.diff!.replace('审计对象（改）', '审计对象');
        await ctx.db.updateTable('audit_log').set({ diff: forged }).where('id', '=', victim.id).execute();
        const altered = await verifyAuditChain(ctx.db);
        expect(altered.ok).toBe(false);
        expect(altered.brokenAt).toEqual({ id: victim.id, reason: 'row content does not match its hash' });
        expect(altered.checked).toBe(rows.findIndex((r) => r.id === victim.id));

        // Put it back: the chain holds again (the hash covers exactly the content).
        await ctx.db.updateTable('audit_log').set({ diff: victim.diff }).where('id', '=', victim.id).execute();
        expect((await verifyAuditChain(ctx.db)).ok).toBe(true);

        // Recomputing the row's own hash does not help: the next row still points at the old one.
        const middle = rows[Math.floor(rows.length / 2)];
        const next = rows[rows.indexOf(middle) + 1];
        await ctx.db.deleteFrom('audit_log').where('id', '=', middle.id).execute();
        const deleted = await verifyAuditChain(ctx.db);
        expect(deleted.ok).toBe(false);
        expect(deleted.brokenAt).toEqual({ id: next.id, reason: 'prev_hash does not match the previous row' });
      });
    });
  });
}
