import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, createTestContext, DIALECTS, unitIdByCode, type TestContext } from '../../test/harness';
import { act, buildSignedRequest, createWorld, type RequestWorld } from './test-factories';

for (const dialect of DIALECTS) {
  describe(`request timeline names the unit of each step (${dialect})`, () => {
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

    it('records the accepting agent’s unit and returns every event’s unit name', async () => {
      const signed = await buildSignedRequest(w);
      const centre = await unitIdByCode(ctx, 'QC-12345');
      const byAction = Object.fromEntries(signed.timeline.map((e: { action: string }) => [e.action, e]));
      expect(byAction.accept).toMatchObject({ unitId: centre, unitName: '12345市民服务热线中心', actorName: '王晓燕' });
      expect(byAction.dispatch).toMatchObject({ unitId: centre, unitName: '12345市民服务热线中心' });
      expect(byAction.sign).toMatchObject({ unitId: w.donghuId, unitName: '东湖区人民政府', actorName: '刘洋' });
      // A unit that only appears in the timeline (not among the orders) is named too.
      const asHandler = await act(w.handler, signed.id, 'reply', { result: 'resolved', text: '已处理。' });
      expect(asHandler.timeline.at(-1)).toMatchObject({ action: 'reply', unitName: '东湖区人民政府' });
    });
  });
}
