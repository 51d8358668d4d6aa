import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { runDueJobs } from '../../core/jobs';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, unitIdByCode, type TestContext } from '../../test/harness';
import { readXlsxRows } from '../../core/xlsx';
import { countsFromRecords, countsFromRollup } from './requests.stats';
import { act, buildAcceptedRequest, buildAwaitingCallback, buildClosedRequest, buildDispatchedRequest, buildSignedRequest, createWorld, type RequestWorld } from './test-factories';

// Monday 2024-09-30 10:00 in Shanghai: the deadline example of the issue.
const MONDAY_10AM = '2024-09-30T02:00:00.000Z';

for (const dialect of DIALECTS) {
  describe(`requests lifecycle (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    const clock = new FakeClock(MONDAY_10AM);

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('walks accept → dispatch → sign → reply → review → callback → close by three people', async () => {
      clock.set(MONDAY_10AM);
      const accepted = await buildAcceptedRequest(w);
      expect(accepted.number).toMatch(/^20240930\d{5}$/);
      expect(accepted.status).toBe('accepted');
      expect(accepted.allowedActions).toEqual(expect.arrayContaining(['withdraw']));
      expect(accepted.allowedActions).not.toContain('dispatch');

      const asDispatcher = (await w.dispatcher.get(`/api/v1/requests/${accepted.id}`)).json();
      expect(asDispatcher.allowedActions).toEqual(expect.arrayContaining(['dispatch', 'merge']));

      const dispatched = await act(w.dispatcher, accepted.id, 'dispatch', { leadUnitId: w.donghuId });
      expect(dispatched.status).toBe('dispatched');
      expect(dispatched.handlingUnitId).toBe(w.donghuId);
      // 5 working days after Monday 2024-09-30 end on the moved working Saturday 2024-10-12.
      expect(dispatched.dueAt).toBe('2024-10-12T17:30:00+08:00');
      expect(dispatched.clocks.map((c: { name: string }) => c.name)).toEqual(['sign', 'reply', 'overall']);

      const inbox = (await w.handler.get('/api/v1/requests?box=to-sign')).json();
      expect(inbox.items.map((i: { id: number }) => i.id)).toContain(accepted.id);
      const forHandler = (await w.handler.get(`/api/v1/requests/${accepted.id}`)).json();
      expect(forHandler.allowedActions).toEqual(expect.arrayContaining(['sign', 'return']));
      expect(forHandler.allowedActions).not.toContain('dispatch');

      clock.advance(30 * 60 * 1000);
      const signed = await act(w.handler, accepted.id, 'sign');
      expect(signed.status).toBe('handling');
      expect(signed.orders[0].signedOnTime).toBe(true);

      const replied = await act(w.handler, accepted.id, 'reply', { result: 'resolved', text: '已协调物业更换楼道灯。' });
      expect(replied.status).toBe('replied');
      const reviewed = await act(w.dispatcher, accepted.id, 'review', { decision: 'accept' });
      expect(reviewed.status).toBe('callback');
      const visited = await act(w.agent, accepted.id, 'callback', { reached: true, resolved: true, satisfaction: 'satisfied' });
      expect(visited.status).toBe('visited');
      const closed = await act(w.dispatcher, accepted.id, 'close');
      expect(closed.status).toBe('closed');
      expect(closed.allowedActions).toEqual([]);

      const actions = closed.timeline.map((e: { action: string }) => e.action);
      expect(actions).toEqual(['accept', 'dispatch', 'sign', 'reply', 'review', 'callback', 'close']);
      const actors = new Set(closed.timeline.map((e: { actorId: number }) => e.actorId));
      expect(actors).toEqual(new Set([w.agent.userId, w.dispatcher.userId, w.handler.userId]));
      const audit = await ctx.db.selectFrom('audit_log').select('action').where('entity', '=', 'request').where('entity_id', '=', String(accepted.id)).execute();
      expect(audit.map((a) => a.action)).toEqual(actions.map((a: string) => `request.${a}`));
    });

    it('answers a consultation directly and closes it at once', async () => {
      const r = await buildAcceptedRequest(w, { type: 'consult', directAnswer: '公积金提取可在“青川公积金”APP 办理。' });
      expect(r.status).toBe('closed');
      expect(r.isDirect).toBe(true);
      expect(r.timeline.map((e: { action: string }) => e.action)).toEqual(['answer']);
    });

    it('a return goes back to the centre, is counted for the unit, and the request is dispatched again', async () => {
      const r = await buildDispatchedRequest(w);
      const noReason = await w.handler.post(`/api/v1/requests/${r.id}/actions/return`, {});
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json().details[0].field).toBe('reason');
      const returned = await act(w.handler, r.id, 'return', { reason: '该事项属于住建部门职责', legalBasis: '《物业管理条例》第五条' });
      expect(returned.status).toBe('returned');
      expect(returned.counters.returns).toBe(1);
      expect(returned.orders[0]).toMatchObject({ status: 'returned', returnReason: '该事项属于住建部门职责' });
      const zjj = await unitIdByCode(ctx, 'QC-ZJJ');
      const again = await act(w.dispatcher, r.id, 'dispatch', { leadUnitId: zjj });
      expect(again.status).toBe('dispatched');
      expect(again.handlingUnitId).toBe(zjj);
      // The overall clock started at acceptance and is not reset by the re-dispatch.
      expect(again.dueAt).toBe(r.dueAt);
      const zjjHandler = await tokenSession(app, ctx, 'zhujian.handler1');
      expect((await zjjHandler.get(`/api/v1/requests/${r.id}`)).statusCode).toBe(200);
    });

    it('a district forwards to its street office, which signs; a street return goes back to the district', async () => {
      const r = await buildDispatchedRequest(w);
      const street = await unitIdByCode(ctx, 'QC-D01-S01');
      const fwd = await act(w.handler, r.id, 'forward', { unitId: street });
      expect(fwd.status).toBe('dispatched');
      expect(fwd.handlingUnitId).toBe(street);
      expect(fwd.leadUnitId).toBe(w.donghuId);
      const streetUser = await tokenSession(app, ctx, 'donghu.street1');
      const back = await act(streetUser, r.id, 'return', { reason: '不在本街道辖区' });
      expect(back.status).toBe('handling');
      expect(back.handlingUnitId).toBe(w.donghuId);
      const notChild = await w.handler.post(`/api/v1/requests/${r.id}/actions/forward`, { unitId: await unitIdByCode(ctx, 'QC-D02-S01') });
      expect(notChild.statusCode).toBe(400);
      expect(notChild.json().details[0].field).toBe('unitId');
    });

    it('an approved extension moves the reply deadline by working days; a denied one leaves it', async () => {
      clock.set(MONDAY_10AM);
      const r = await buildSignedRequest(w);
      expect(r.replyDueAt).toBe('2024-10-12T17:30:00+08:00');
      const tooMany = await w.handler.post(`/api/v1/requests/${r.id}/actions/request-extension`, { days: 11, reason: '需要协调多个部门' });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().details[0].field).toBe('days');
      const pending = await act(w.handler, r.id, 'request-extension', { days: 3, reason: '需要协调多个部门' });
      expect(pending.extension.pending).toBe(true);
      expect(pending.allowedActions).not.toContain('reply');
      const approved = await act(w.dispatcher, r.id, 'approve-extension', {});
      // Three working days after Saturday 2024-10-12 (a working day): Mon 14, Tue 15, Wed 16.
      expect(approved.replyDueAt).toBe('2024-10-16T17:30:00+08:00');
      expect(approved.extension).toMatchObject({ pending: false, grantedDays: 3 });

      const r2 = await buildSignedRequest(w);
      await act(w.handler, r2.id, 'request-extension', { days: 2, reason: '需要现场勘查' });
      const noReason = await w.dispatcher.post(`/api/v1/requests/${r2.id}/actions/deny-extension`, {});
      expect(noReason.json().details[0].field).toBe('reason');
      const denied = await act(w.dispatcher, r2.id, 'deny-extension', { reason: '事项简单，应按期办结' });
      expect(denied.replyDueAt).toBe(r2.replyDueAt);
      expect(denied.extension.pending).toBe(false);
    });

    it('marks a request overdue exactly at its working-calendar deadline, not a second before', async () => {
      clock.set(MONDAY_10AM);
      const r = await buildSignedRequest(w);
      expect(r.replyDueAt).toBe('2024-10-12T17:30:00+08:00');
      clock.set('2024-10-12T09:29:59.000Z');
      await runDueJobs(ctx);
      let now = (await w.handler.get(`/api/v1/requests/${r.id}`)).json();
      expect(now.timeline.map((e: { action: string }) => e.action)).not.toContain('mark-overdue');
      expect(now.clocks.find((c: { name: string }) => c.name === 'reply').state).toBe('yellow');
      clock.set('2024-10-12T09:30:00.000Z');
      await runDueJobs(ctx);
      now = (await w.handler.get(`/api/v1/requests/${r.id}`)).json();
      expect(now.isOverdue).toBe(true);
      expect(now.clocks.find((c: { name: string }) => c.name === 'reply').state).toBe('red');
      expect(now.timeline.at(-1)).toMatchObject({ action: 'mark-overdue', actorName: 'deadline' });
      const overdueBox = (await w.handler.get('/api/v1/requests?box=overdue')).json();
      expect(overdueBox.items.map((i: { id: number }) => i.id)).toContain(r.id);
      // A late reply is not on time.
      const replied = await act(w.handler, r.id, 'reply', { result: 'partly', text: '已部分处理。' });
      expect(replied.status).toBe('replied');
      clock.set(MONDAY_10AM);
    });

    it('a dissatisfied callback leads to a redo with a fresh reply deadline', async () => {
      clock.set(MONDAY_10AM);
      const r = await buildAwaitingCallback(w);
      const visited = await act(w.agent, r.id, 'callback', { reached: true, resolved: false, satisfaction: 'dissatisfied', note: '灯还是不亮' });
      expect(visited.allowedActions).toEqual([]);
      const forDispatcher = (await w.dispatcher.get(`/api/v1/requests/${r.id}`)).json();
      expect(forDispatcher.allowedActions).toEqual(expect.arrayContaining(['redo', 'close']));
      clock.set('2024-10-08T02:00:00.000Z');
      const redo = await act(w.dispatcher, r.id, 'redo', { reason: '市民反映问题未解决' });
      expect(redo.status).toBe('handling');
      expect(redo.counters.redos).toBe(1);
      expect(redo.reply).toBeNull();
      expect(redo.callback.satisfaction).toBeNull();
      // 5 working days after Tuesday 2024-10-08: 9, 10, 11, 12 (moved working Saturday), 14.
      expect(redo.replyDueAt).toBe('2024-10-14T17:30:00+08:00');
      clock.set(MONDAY_10AM);
    });

    it('an unreachable citizen after three attempts ends the callback', async () => {
      const r = await buildAwaitingCallback(w);
      await act(w.agent, r.id, 'callback', { reached: false });
      const second = await act(w.agent, r.id, 'callback', { reached: false });
      expect(second.status).toBe('callback');
      const third = await act(w.agent, r.id, 'callback', { reached: false });
      expect(third.status).toBe('visited');
      expect(third.callback).toMatchObject({ attempts: 3, unreachable: true, resolved: null });
    });

    it('an Idempotency-Key retry returns the same request, never a second one', async () => {
      const body = { channelId: w.phoneChannelId, type: 'help', content: '独居老人家中停水，请帮助。', districtId: w.donghuId };
      const key = 'retry-test-0001';
      const a = await w.agent.post('/api/v1/requests', body, { 'idempotency-key': key });
      const b = await w.agent.post('/api/v1/requests', body, { 'idempotency-key': key });
      expect(a.statusCode).toBe(201);
      expect(b.statusCode).toBe(201);
      expect(b.json().id).toBe(a.json().id);
      expect(b.headers['idempotent-replayed']).toBe('true');
      const count = await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).where('content', '=', body.content).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
      const other = await w.agent.post('/api/v1/requests', { ...body, content: '另一件事' }, { 'idempotency-key': key });
      expect(other.statusCode).toBe(422);
    });

    it('two handlers signing at once: exactly one wins, the other gets 409', async () => {
      const r = await buildDispatchedRequest(w);
      const h2 = await tokenSession(app, ctx, 'donghu.handler2');
      const [a, b] = await Promise.all([
        w.handler.post(`/api/v1/requests/${r.id}/actions/sign`, { version: r.version }),
        h2.post(`/api/v1/requests/${r.id}/actions/sign`, { version: r.version }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const signs = await ctx.db.selectFrom('workflow_events').select('id').where('entity', '=', 'request').where('entity_id', '=', r.id).where('action', '=', 'sign').execute();
      expect(signs).toHaveLength(1);
    });

    it('a handler of another unit can neither read nor act on the request, even by guessing its id', async () => {
      const r = await buildDispatchedRequest(w);
      const other = await tokenSession(app, ctx, 'xishan.handler1');
      expect((await other.get(`/api/v1/requests/${r.id}`)).statusCode).toBe(404);
      expect((await other.post(`/api/v1/requests/${r.id}/actions/sign`, {})).statusCode).toBe(404);
      const list = (await other.get('/api/v1/requests?pageSize=200')).json();
      expect(list.items.map((i: { id: number }) => i.id)).not.toContain(r.id);
      // The right unit but the wrong role: a handler cannot dispatch.
      const acc = await buildAcceptedRequest(w);
      expect((await w.handler.post(`/api/v1/requests/${acc.id}/actions/dispatch`, { leadUnitId: w.donghuId })).statusCode).toBe(404);
      expect((await w.agent.post(`/api/v1/requests/${acc.id}/actions/dispatch`, { leadUnitId: w.donghuId })).statusCode).toBe(403);
    });

    it('masks the phone for handling units and hides a confidential requester from them entirely', async () => {
      const open = await buildDispatchedRequest(w);
      const h = (await w.handler.get(`/api/v1/requests/${open.id}`)).json();
      expect(h.requester).toMatchObject({ phone: '138****5678', masked: true });
      expect(h.requester.name).not.toBe('张三');
      const a = (await w.agent.get(`/api/v1/requests/${open.id}`)).json();
      expect(a.requester).toMatchObject({ phone: '13812345678', name: '张三' });
      const secret = await buildDispatchedRequest(w, { requester: { name: '李四', phone: '13900001111', confidential: true } });
      const hs = (await w.handler.get(`/api/v1/requests/${secret.id}`)).json();
      expect(hs.requester).toBeNull();
      expect(JSON.stringify(hs)).not.toContain('13900001111');
      expect(JSON.stringify(hs)).not.toContain('1111');
    });

    it('validates input: content length, credit code check character, unknown fields', async () => {
      const long = await w.agent.post('/api/v1/requests', { channelId: w.phoneChannelId, type: 'complaint', content: 'x'.repeat(4001) });
      expect(long.statusCode).toBe(400);
      expect(long.json().details[0].field).toBe('content');
      const badCode = await w.agent.post('/api/v1/requests', { channelId: w.phoneChannelId, type: 'complaint', content: '企业诉求', enterprise: { name: '青川某科技有限公司', creditCode: '91110000600037341X' } });
      expect(badCode.statusCode).toBe(400);
      expect(badCode.json().details[0].field).toBe('enterprise.creditCode');
      const good = await w.agent.post('/api/v1/requests', { channelId: w.phoneChannelId, type: 'complaint', content: '企业诉求', enterprise: { name: '青川某科技有限公司', creditCode: '91110108551385082Q' } });
      expect(good.statusCode).toBe(201);
      expect(good.json().kind).toBe('enterprise');
      const extra = await w.agent.post('/api/v1/requests', { channelId: w.phoneChannelId, type: 'complaint', content: 'x', colour: 'red' });
      expect(extra.json().details[0].field).toBe('colour');
      const badType = await w.agent.post('/api/v1/requests', { channelId: w.phoneChannelId, type: 'gossip', content: 'x' });
      expect(badType.json().details[0].field).toBe('type');
    });

    it('numbers are unique and gap-free per day', async () => {
      clock.set('2024-11-05T01:00:00.000Z');
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await buildAcceptedRequest(w));
      const seqs = made.map((r) => Number(r.number.slice(8)));
      expect(made.every((r) => r.number.startsWith('20241105'))).toBe(true);
      expect(seqs).toEqual([1, 2, 3, 4, 5]);
      clock.set(MONDAY_10AM);
    });

    it('shows the caller\'s earlier requests to the agent, not to a handler', async () => {
      await buildAcceptedRequest(w, { requester: { name: '王五', phone: '13700007777' } });
      const hist = (await w.agent.get('/api/v1/requests/caller-history?phone=13700007777')).json();
      expect(hist.items.length).toBeGreaterThanOrEqual(1);
      expect((await w.handler.get('/api/v1/requests/caller-history?phone=13700007777')).statusCode).toBe(403);
    });
  });

  describe(`requests KPIs (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    const clock = new FakeClock('2024-03-04T02:00:00.000Z');

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('computes the rates of a hand-built set whose answers are known, and totals equal plain counts', async () => {
      // 4 closed with callbacks: resolved+satisfied, resolved+basic, unresolved+dissatisfied, resolved+satisfied.
      await buildClosedRequest(w, { resolved: true, satisfaction: 'satisfied' });
      await buildClosedRequest(w, { resolved: true, satisfaction: 'basic' });
      await buildClosedRequest(w, { resolved: false, satisfaction: 'dissatisfied' });
      await buildClosedRequest(w, { resolved: true, satisfaction: 'satisfied' });
      // 1 direct answer, 1 returned order, 1 signed late (after the 2 working hours), 1 merged duplicate.
      await buildAcceptedRequest(w, { type: 'consult', directAnswer: '请拨打社保服务热线咨询。' });
      const ret = await buildDispatchedRequest(w);
      await act(w.handler, ret.id, 'return', { reason: '不属于本单位职责' });
      const late = await buildDispatchedRequest(w);
      clock.advance(3 * 3600 * 1000);
      await act(w.handler, late.id, 'sign');
      const target = await buildAcceptedRequest(w);
      const dup = await buildAcceptedRequest(w);
      await act(w.dispatcher, dup.id, 'merge', { targetId: target.id });

      const analyst = await tokenSession(app, ctx, 'analyst1');
      const stats = (await analyst.get('/api/v1/requests/stats?from=2024-03-01&to=2024-03-31&groupBy=unit')).json();
      const t = stats.total;
      // Accepted: 4 + 1 direct + 1 returned + 1 late + target = 8 (the merged copy counts once, as its target).
      expect(t.counts.accepted).toBe(8);
      expect(t.counts.orders).toBe(6);
      expect(t.rates.responseRate).toBeCloseTo(4 / 6, 10); // 4 on time; 1 returned unsigned; 1 late
      expect(t.rates.resolutionRate).toBeCloseTo(3 / 4, 10);
      expect(t.rates.satisfactionRate).toBeCloseTo(3 / 4, 10); // basic counts fully by default
      expect(t.rates.returnRate).toBeCloseTo(1 / 6, 10);
      expect(t.rates.directRate).toBeCloseTo(1 / 8, 10);
      expect(t.rates.onTimeRate).toBeCloseTo(1, 10);
      expect(t.rates.score).toBeCloseTo((30 * (4 / 6) + 35 * 0.75 + 35 * 0.75) / 100 * 100, 8);
      const donghu = stats.groups.find((g: { key: string }) => Number(g.key) === w.donghuId);
      expect(donghu.name).toBe('东湖区人民政府');
      expect(donghu.counts.orders).toBe(6);

      // Totals equal plain SQL counts over the records.
      const plain = await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('local_date', '>=', '2024-03-01').where('local_date', '<=', '2024-03-31').where('status', '!=', 'merged').executeTakeFirstOrThrow();
      expect(t.counts.accepted).toBe(Number(plain.n));

      // The rollup the dashboards read equals the counts over the records, for every grouping.
      for (const groupBy of ['unit', 'category', 'district', 'channel', 'type', 'month', 'day'] as const) {
        const range = { groupBy, from: '2024-01-01', to: '2024-12-31', kind: 'all' as const };
        const sortByKey = (rows: Array<[string, unknown]>) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
        expect(sortByKey(await countsFromRollup(ctx, range)), groupBy).toEqual(sortByKey(await countsFromRecords(ctx, range, null)));
      }

      // An order inside its sign-for limit is not yet a miss; past the deadline it is.
      const fresh = await buildDispatchedRequest(w);
      const pending = (await analyst.get('/api/v1/requests/stats?from=2024-03-01&to=2024-03-31&groupBy=unit')).json();
      expect(pending.total.counts.orders).toBe(6);
      clock.set(fresh.clocks.find((c: { name: string }) => c.name === 'sign').dueAt);
      await runDueJobs(ctx);
      const missed = (await analyst.get('/api/v1/requests/stats?from=2024-03-01&to=2024-03-31&groupBy=unit')).json();
      expect(missed.total.counts.orders).toBe(7);
      expect(missed.total.rates.responseRate).toBeCloseTo(4 / 7, 10);
      for (const groupBy of ['unit', 'type'] as const) {
        const range = { groupBy, from: '2024-01-01', to: '2024-12-31', kind: 'all' as const };
        const sortByKey = (rows: Array<[string, unknown]>) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
        expect(sortByKey(await countsFromRollup(ctx, range)), groupBy).toEqual(sortByKey(await countsFromRecords(ctx, range, null)));
      }
      await act(w.dispatcher, fresh.id, 'withdraw', { reason: '市民撤回' });

      // Weight of 基本满意 is configuration.
      const admin = await tokenSession(app, ctx, 'admin');
      const set = await admin.put('/api/v1/requests/kpi-settings', { basicSatisfiedWeight: 0.8, weights: { response: 30, resolution: 35, satisfaction: 35 }, satisfactionFloor: 0.85 });
      expect(set.statusCode).toBe(200);
      const again = (await analyst.get('/api/v1/requests/stats?from=2024-03-01&to=2024-03-31&groupBy=type')).json();
      expect(again.total.rates.satisfactionRate).toBeCloseTo((2 + 0.8) / 4, 10);
      expect(again.groups.find((g: { key: string }) => g.key === 'consult').counts.direct).toBe(1);

      const byMonth = (await analyst.get('/api/v1/requests/stats?groupBy=month')).json();
      expect(byMonth.groups.map((g: { key: string }) => g.key)).toEqual(['2024-03']);
      const xlsx = await analyst.get('/api/v1/requests/stats.xlsx?from=2024-03-01&to=2024-03-31&groupBy=unit');
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');

      // The list export opens in Excel and masks phones for an exporter without access to personal data.
      const list = await analyst.get('/api/v1/requests/export.xlsx?from=2024-03-01T00:00:00Z');
      expect(list.statusCode).toBe(200);
      const rows = await readXlsxRows(list.rawPayload);
      expect(rows[0].cells).toContain('电话 phone');
      const phoneCol = rows[0].cells.indexOf('电话 phone');
      const phones = rows.slice(1).map((r) => r.cells[phoneCol]).filter(Boolean);
      expect(phones.length).toBeGreaterThan(0);
      expect(phones.every((p) => p === '138****5678')).toBe(true);
      expect(rows).toHaveLength(1 + 9);
    });
  });
}
