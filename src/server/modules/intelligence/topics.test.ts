import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, unitIdByCode, type Session, type TestContext } from '../../test/harness';
import { insertBulkRequests, type BulkRequest } from './analysis.test-factories';
import { TOPIC_WEIGHTS } from './topics.service';

const MONTHS = ['2024-03', '2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09'];
const DISTRICTS = ['QC-D01', 'QC-D02', 'QC-D03', 'QC-D04', 'QC-D05', 'QC-D06'];
const LIFT = ['小区电梯经常故障停运，老人上下楼困难', '电梯困人，物业维修不及时', '楼里电梯坏了一周没人修', '电梯异响，担心安全'];

/** Lift complaints every month in six districts, badly resolved; a one-off burst of water cuts in the topic month; steady street lights. */
function history(): BulkRequest[] {
  const out: BulkRequest[] = [];
  MONTHS.forEach((month, mi) => {
    for (let i = 0; i < 12; i++) {
      out.push({
        localDate: `${month}-${String(3 + i * 2).padStart(2, '0')}`, category: '城乡建设/物业管理/物业服务质量', district: DISTRICTS[i % 6], unit: DISTRICTS[i % 6],
        content: `${LIFT[i % 4]}，联系人刘先生13800138${String(mi * 12 + i).padStart(3, '0')}`, resolved: i % 2 === 0, satisfaction: i % 3 === 0 ? 'basic' : 'dissatisfied',
      });
    }
    for (let i = 0; i < 6; i++) {
      out.push({ localDate: `${month}-${String(4 + i * 3).padStart(2, '0')}`, category: '城乡建设/物业管理/物业服务质量', district: 'QC-D01', unit: 'QC-D01', content: '物业不打扫楼道卫生，垃圾堆在门口', satisfaction: 'basic' });
    }
    for (let i = 0; i < 6; i++) {
      out.push({ localDate: `${month}-${String(5 + i * 3).padStart(2, '0')}`, category: '城市管理/市政设施/路灯不亮', district: i % 2 ? 'QC-D02' : 'QC-D03', unit: 'QC-CGJ', content: '路灯晚上不亮，行人看不清路' });
    }
  });
  for (let i = 0; i < 20; i++) {
    out.push({ localDate: `2024-09-${String(10 + (i % 5)).padStart(2, '0')}`, category: '水电气热/供水/停水', district: 'QC-D07', unit: 'QC-ZLS', content: '科学城片区突然停水，没有提前通知' });
  }
  return out;
}

function afterwards(): BulkRequest[] {
  const out: BulkRequest[] = [];
  for (const [month, n] of [['2024-10', 8], ['2024-11', 5], ['2024-12', 3], ['2025-01', 1]] as const) {
    for (let i = 0; i < n; i++) {
      out.push({ localDate: `${month}-${String(2 + i * 3).padStart(2, '0')}`, category: '城乡建设/物业管理/物业服务质量', district: DISTRICTS[i % 6], unit: DISTRICTS[i % 6], content: LIFT[i % 4] });
    }
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`每月一题 topics (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let analyst: Session;
    let supervisor: Session;
    const clock = new FakeClock('2024-10-05T02:00:00.000Z');

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      [analyst, supervisor] = [await tokenSession(app, ctx, 'analyst1'), await tokenSession(app, ctx, 'supervisor1')];
      await insertBulkRequests(ctx, history());
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('ranks the recurring, widespread, badly resolved problem above a one-off burst', async () => {
      const res = await analyst.get('/api/v1/intelligence/topics?month=2024-09');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.weights).toEqual(TOPIC_WEIGHTS);
      const keys = body.candidates.map((c: any) => c.clusterKey);
      const lift = body.candidates.find((c: any) => c.kind === 'keyword' && c.keywords[0] === '电梯');
      expect(lift).toMatchObject({ volume: 12, persistentMonths: 6, districts: 6, callbacks: 12, resolutionRate: 0.5, label: '物业服务质量 · 电梯' });
      expect(lift.monthly).toHaveLength(7);
      expect(lift.score.persistence).toBe(1);
      expect(lift.score.spread).toBe(0.6);
      const water = body.candidates.find((c: any) => c.categoryPath === '水电气热/供水/停水');
      expect(water).toMatchObject({ kind: 'category', volume: 20, persistentMonths: 0, districts: 1 });
      // The biggest volume this month, yet below the problem that keeps coming back.
      expect(water.score.volume).toBe(1);
      expect(keys.indexOf(lift.clusterKey)).toBeLessThan(keys.indexOf(water.clusterKey));
      expect(body.candidates[0].categoryPath).toBe('城乡建设/物业管理/物业服务质量');
      // The score is the weighted sum of its parts.
      const s = lift.score;
      expect(s.total).toBeCloseTo(100 * (0.35 * s.volume + 0.25 * s.persistence + 0.15 * s.spread + 0.25 * s.dissatisfaction), 0);
      // Samples are de-identified.
      expect(lift.samples).toHaveLength(3);
      expect(JSON.stringify(body.candidates)).not.toMatch(/13800138\d{3}|刘先生/);
    });

    it('records a chosen topic with its lead unit, for supervisors only', async () => {
      const candidates = (await analyst.get('/api/v1/intelligence/topics?month=2024-09')).json().candidates;
      const lift = candidates.find((c: any) => c.kind === 'keyword' && c.keywords[0] === '电梯');
      const zjj = await unitIdByCode(ctx, 'QC-ZJJ');
      const body = { month: '2024-09', title: '老旧小区电梯故障频发', clusterKey: lift.clusterKey, leadUnitId: zjj };
      expect((await analyst.post('/api/v1/intelligence/topics', body)).statusCode).toBe(403);
      const created = await supervisor.post('/api/v1/intelligence/topics', body);
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ month: '2024-09', keywords: ['电梯'], categoryPath: '城乡建设/物业管理/物业服务质量', leadUnit: { id: zjj, name: '市住房和城乡建设局' } });
      expect((await supervisor.post('/api/v1/intelligence/topics', body)).statusCode).toBe(409);
      const bad = await supervisor.post('/api/v1/intelligence/topics', { ...body, title: '另一个', clusterKey: 'nonsense' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('clusterKey');
      const again = (await analyst.get('/api/v1/intelligence/topics?month=2024-09')).json();
      expect(again.chosen.map((t: any) => t.title)).toEqual(['老旧小区电梯故障频发']);
      expect(again.candidates.find((c: any) => c.clusterKey === lift.clusterKey).chosenTopicId).toBe(created.json().id);
      const audit = await ctx.db.selectFrom('audit_log').select('action').where('entity', '=', 'topic').execute();
      expect(audit.map((a) => a.action)).toEqual(['intelligence.topic.create']);
    });

    it('tracks the monthly volume before and after: success is that it falls', async () => {
      await insertBulkRequests(ctx, afterwards());
      clock.set('2025-01-10T02:00:00.000Z');
      const topic = (await analyst.get('/api/v1/intelligence/topics?month=2024-09')).json().chosen[0];
      const res = await analyst.get(`/api/v1/intelligence/topics/${topic.id}`);
      expect(res.statusCode).toBe(200);
      const t = res.json().tracking;
      expect(t.months.map((m: any) => [m.month, m.count, m.phase])).toEqual([
        ['2024-03', 12, 'before'], ['2024-04', 12, 'before'], ['2024-05', 12, 'before'], ['2024-06', 12, 'before'], ['2024-07', 12, 'before'], ['2024-08', 12, 'before'],
        ['2024-09', 12, 'topic'], ['2024-10', 8, 'after'], ['2024-11', 5, 'after'], ['2024-12', 3, 'after'], ['2025-01', 1, 'after'],
      ]);
      expect(t.months.at(-1).partial).toBe(true);
      expect(t).toMatchObject({ baseline: 12, afterMean: 5.3, latest: 3, isFalling: true });
      expect(t.change).toBeCloseTo((16 / 3 - 12) / 12, 3);
      expect((await analyst.get('/api/v1/intelligence/topics/99999')).statusCode).toBe(404);
    });
  });
}
