import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { verifyAuditChain } from '../../core/audit/audit.service';
import { systemActor } from '../../core/http/access';
import { createTestApp, createTestContext, DIALECTS, FakeClock, type TestContext } from '../../test/harness';
import { acceptRequest } from './requests.service';
import { buildAcceptedRequest, createWorld, type RequestWorld } from './test-factories';

for (const dialect of DIALECTS) {
  describe(`accept under concurrency (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    const clock = new FakeClock('2025-03-04T02:00:00.000Z');

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    it('numbers parallel accepts without gaps, and one that fails takes nothing with it and leaves no trace', async () => {
      const input = (i: number) => ({ channelId: w.phoneChannelId, type: 'complaint', title: `并发受理 ${i}`, content: `第 ${i} 条并发受理的诉求。` });
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => acceptRequest(ctx, systemActor('test'), input(i), undefined, async () => {
        if (i === 5) throw new Error('the fifth fails after writing everything');
      })));
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      expect((results[5] as PromiseRejectedResult).reason.message).toBe('the fifth fails after writing everything');
      const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id] : []));
      const rows = await ctx.db.selectFrom('requests').select(['id', 'number', 'title']).where('id', 'in', ids).orderBy('number').execute();
      expect(rows).toHaveLength(11);
      expect(rows.map((r) => r.title)).not.toContain('并发受理 5');
      const seqs = rows.map((r) => Number(r.number.slice(8)));
      expect(seqs).toEqual(Array.from({ length: 11 }, (_, i) => seqs[0] + i));
      const events = await ctx.db.selectFrom('workflow_events').select('entity_id').where('entity', '=', 'request').where('entity_id', 'in', ids).execute();
      expect(events).toHaveLength(11);
      const audits = await ctx.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'request.accept').where('entity_id', 'in', ids.map(String)).execute();
      expect(audits).toHaveLength(11);
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
      // The next accept takes the number after the last one.
      const next = await buildAcceptedRequest(w);
      expect(Number(next.number.slice(8))).toBe(seqs[10] + 1);
    });

    it('refuses an accept with a bad reference among parallel ones, and only that one', async () => {
      const input = (i: number) => ({ channelId: i === 3 ? 999_999 : w.phoneChannelId, type: 'consult', title: `并发校验 ${i}`, content: `第 ${i} 条。` });
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acceptRequest(ctx, systemActor('test'), input(i))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((results[3] as PromiseRejectedResult).reason.details?.[0]?.field).toBe('channelId');
      const numbers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.accepted!.row.number] : [])).map((n) => Number(n.slice(8))).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 7 }, (_, i) => numbers[0] + i));
    });

    it('counts, numbers and indexes accepts that share a commit as it does accepts alone', async () => {
      const day = '2025-03-04';
      const statsOf = async () => (await w.dispatcher.get(`/api/v1/requests/stats?from=${day}&to=${day}&groupBy=district`)).json();
      const before = await statsOf();
      const input = (i: number) => ({
        channelId: w.phoneChannelId, type: i % 3 === 0 ? 'consult' : 'complaint', title: `同批受理 井盖松动 ${i}`, content: `第 ${i} 条同批受理的诉求，人行道井盖松动。`,
        districtId: i % 2 ? w.donghuId : null, ...(i % 3 === 0 ? { directAnswer: '已按知识库答复。' } : {}),
      });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => acceptRequest(ctx, systemActor('test'), input(i))));
      const ids = results.map((r) => r.id);
      expect(new Set(ids).size).toBe(10);
      // Each row as written: its own title, and closed at once where the agent answered.
      const rows = await ctx.db.selectFrom('requests').select(['id', 'title', 'status', 'district_unit_id']).where('id', 'in', ids).execute();
      for (const [i, id] of ids.entries()) {
        const row = rows.find((r) => r.id === id)!;
        expect(row.title).toBe(`同批受理 井盖松动 ${i}`);
        expect(row.status).toBe(i % 3 === 0 ? 'closed' : 'accepted');
      }
      // The day's KPIs grew by exactly these ten, per district as a plain count says.
      const after = await statsOf();
      expect(after.total.counts.accepted - before.total.counts.accepted).toBe(10);
      expect(after.total.counts.direct - before.total.counts.direct).toBe(4);
      const donghu = (s: { groups: Array<{ key: string; counts: { accepted: number } }> }) => s.groups.find((g) => Number(g.key) === w.donghuId)?.counts.accepted ?? 0;
      expect(donghu(after) - donghu(before)).toBe(rows.filter((r) => r.district_unit_id === w.donghuId).length);
      // Each has its creation in the timeline and the audit trail, and the search finds all ten.
      for (const id of [ids[0], ids[1]]) {
        const detail = (await w.dispatcher.get(`/api/v1/requests/${id}`)).json();
        expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual([id === ids[0] ? 'answer' : 'accept']);
      }
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
      const found = (await w.dispatcher.get(`/api/v1/requests?q=${encodeURIComponent('同批受理')}&pageSize=50`)).json();
      expect(found.items.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    });

    it('replies to an accept with the detail a read returns', async () => {
      const category = await ctx.db.selectFrom('categories').select('id').where('active', '=', 1).orderBy('level', 'desc').orderBy('id').executeTakeFirstOrThrow();
      const created = await buildAcceptedRequest(w, { categoryId: category.id });
      expect(created.categoryPath).toBeTruthy();
      expect(created.timeline[0].unitName).toBeTruthy();
      const read = await w.agent.get(`/api/v1/requests/${created.id}`);
      expect(read.statusCode).toBe(200);
      expect(created).toEqual(read.json());
    });
  });
}
