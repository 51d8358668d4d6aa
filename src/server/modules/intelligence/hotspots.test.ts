import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { addDaysToDate } from '../../core/calendar';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, type Session, type TestContext } from '../../test/harness';
import { insertBulkRequests, type BulkRequest } from './analysis.test-factories';
import { negativeBinomialUpperTail, poissonUpperTail, seriesAlpha, testSpike } from './hotspots.stats';

describe('hotspot statistic', () => {
  it('computes Poisson and negative-binomial upper tails', () => {
    // P(X ≥ 5) for Poisson(1) = 1 − e⁻¹(1 + 1 + 1/2 + 1/6 + 1/24)
    expect(poissonUpperTail(5, 1)).toBeCloseTo(1 - Math.exp(-1) * (1 + 1 + 0.5 + 1 / 6 + 1 / 24), 10);
    expect(poissonUpperTail(0, 3)).toBe(1);
    // No underflow far in the tail of a large mean.
    expect(poissonUpperTail(900, 500)).toBeGreaterThan(0);
    expect(poissonUpperTail(900, 500)).toBeLessThan(1e-40);
    // Variance = mean is Poisson; more variance widens the tail.
    expect(negativeBinomialUpperTail(10, 4, 4)).toBeCloseTo(poissonUpperTail(10, 4), 12);
    expect(negativeBinomialUpperTail(10, 4, 12)).toBeGreaterThan(poissonUpperTail(10, 4) * 5);
    // NB(mean 2, variance 6): r = 1, p = 1/3 (geometric): P(X ≥ 3) = (2/3)³.
    expect(negativeBinomialUpperTail(3, 2, 6)).toBeCloseTo((2 / 3) ** 3, 10);
  });

  it('raises a spike only beyond the baseline share, with a minimum count and ratio', () => {
    // A series with 3 of 30 requests a day, every day.
    const flat = Array.from({ length: 28 }, () => ({ count: 3, total: 30 }));
    const day = (count: number, periodTotal = 30) => testSpike({ count, periodTotal, baseline: flat }, 'day');
    expect(day(3).isSpike).toBe(false);
    expect(day(6).isSpike).toBe(false); // p ≈ 0.08
    expect(day(12)).toMatchObject({ isSpike: true, model: 'poisson', expected: 3 });
    // The whole city calls twice as much: so does this series, and that is no spike.
    expect(day(6, 60)).toMatchObject({ isSpike: false, expected: 6 });
    // Never seen before: judged as seen once in the 28 days, after the minimum count.
    const never = Array.from({ length: 28 }, () => ({ count: 0, total: 30 }));
    expect(testSpike({ count: 4, periodTotal: 30, baseline: never }, 'day').isSpike).toBe(false);
    expect(testSpike({ count: 5, periodTotal: 30, baseline: never }, 'day').isSpike).toBe(true);
    // A noisy baseline (0 and 12 alternating, mean 6) tolerates what a steady one would not.
    const noisy = Array.from({ length: 28 }, (_, i) => ({ count: i % 2 ? 12 : 0, total: 60 }));
    expect(testSpike({ count: 16, periodTotal: 60, baseline: noisy }, 'day')).toMatchObject({ isSpike: false, model: 'negative-binomial' });
    expect(testSpike({ count: 16, periodTotal: 60, baseline: Array.from({ length: 28 }, () => ({ count: 6, total: 60 })) }, 'day').isSpike).toBe(true);
    // A week is judged against the week's volume; the threshold shrinks with the number of series tested.
    expect(testSpike({ count: 30, periodTotal: 210, baseline: flat }, 'week').isSpike).toBe(false);
    const week = testSpike({ count: 60, periodTotal: 210, baseline: flat }, 'week');
    expect(week.isSpike).toBe(true);
    expect(testSpike({ count: 60, periodTotal: 210, baseline: flat }, 'week', seriesAlpha(1e12)).isSpike).toBe(false);
  });
});

// A flat month and a half, then a burst of water-cut calls in 东湖区 on Wednesday 2024-06-12.
const FIRST_DAY = '2024-05-01';
const LAST_DAY = '2024-06-16';
const SPIKE_DAY = '2024-06-12';

const FLAT_CELLS: Array<{ category: string; district: string; unit: string; texts: string[] }> = [
  { category: '城市管理/市政设施/路灯不亮', district: 'QC-D02', unit: 'QC-CGJ', texts: ['金沙路的路灯不亮', '枫林路东段路灯坏了', '西山大道路灯晚上不亮'] },
  { category: '城乡建设/物业管理/物业服务质量', district: 'QC-D03', unit: 'QC-D03', texts: ['小区电梯经常故障', '物业不打扫楼道卫生', '小区绿化没人管理'] },
  { category: '环境保护/噪声污染/施工噪音', district: 'QC-D04', unit: 'QC-STHJJ', texts: ['解放路工地夜间施工噪音', '和平路工地早上五点就开工'] },
  { category: '水电气热/供水/停水', district: 'QC-D01', unit: 'QC-ZLS', texts: ['湖滨路一带早上停水两小时'] },
];

const BURST = [
  '幸福小区突然停水，没有任何通知', '幸福小区从早上开始没水了', '花园街道幸福小区停水，家里做不了饭', '幸福小区停水一整天了，什么时候恢复',
  '幸福小区3栋没水，物业说管道坏了', '幸福小区停水，老人孩子没法洗漱', '东湖区幸福小区大面积停水',
];

function flatData(): BulkRequest[] {
  const out: BulkRequest[] = [];
  for (let d = FIRST_DAY; d <= LAST_DAY; d = addDaysToDate(d, 1)) {
    for (const cell of FLAT_CELLS) {
      const perDay = cell.texts.length === 1 ? 1 : cell.texts.length;
      for (let i = 0; i < perDay; i++) out.push({ localDate: d, content: cell.texts[i % cell.texts.length], category: cell.category, district: cell.district, unit: cell.unit });
    }
  }
  return out;
}

function burst(): BulkRequest[] {
  return Array.from({ length: 14 }, (_, i) => ({
    localDate: SPIKE_DAY, hour: 8 + (i % 9), content: BURST[i % BURST.length], category: '水电气热/供水/停水', district: 'QC-D01', street: 'QC-D01-S02',
    unit: 'QC-ZLS', address: `东湖区花园街道幸福小区${i + 1}栋`, phone: `1391234${String(5000 + i).padStart(4, '0')}`, name: `王${'伟芳娜敏静'[i % 5]}`, type: 'help',
  }));
}

for (const dialect of DIALECTS) {
  describe(`hotspots (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let analyst: Session;
    const clock = new FakeClock('2024-06-20T04:00:00.000Z');

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      analyst = await tokenSession(app, ctx, 'analyst1');
      await insertBulkRequests(ctx, [...flatData(), ...burst()]);
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('raises nothing on flat series', async () => {
      const res = await analyst.get('/api/v1/intelligence/hotspots?from=2024-06-01&to=2024-06-09');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.method.statistic).toMatch(/Poisson/);
      expect(body.hotspots).toEqual([]);
    });

    it('finds the planted burst by category × district, by week, and as a keyword cluster, with its requests de-identified', async () => {
      const res = await analyst.get('/api/v1/intelligence/hotspots?from=2024-06-10&to=2024-06-16');
      expect(res.statusCode).toBe(200);
      const { hotspots } = res.json();
      const daily = hotspots.find((h: any) => h.kind === 'category-district' && h.granularity === 'day');
      expect(daily).toMatchObject({ start: SPIKE_DAY, end: SPIKE_DAY, categoryPath: '水电气热/供水/停水', districtName: '东湖区', count: 15, expected: 2.556, model: 'poisson' }); // 1 of 9 a day; 23 that day
      expect(daily.pValue).toBeLessThan(1e-6);
      expect(daily.requests).toHaveLength(10);
      const weekly = hotspots.find((h: any) => h.kind === 'category-district' && h.granularity === 'week');
      expect(weekly).toMatchObject({ start: '2024-06-10', end: '2024-06-16', count: 21, expected: 8.556 });
      const keyword = hotspots.find((h: any) => h.kind === 'keyword' && h.granularity === 'day');
      expect(keyword.start).toBe(SPIKE_DAY);
      expect(keyword.keywords).toEqual(expect.arrayContaining(['断水']));
      // Every hotspot is about the burst: nothing else in the flat cells was raised.
      for (const h of hotspots) expect([h.categoryPath, ...h.keywords].join(' ')).toMatch(/停水|断水|幸福|恢复|通知|没法|物业|管道|洗漱|老人|孩子|面积|做饭|一整天/);
      const text = JSON.stringify(hotspots);
      expect(text).not.toMatch(/幸福小区|1391234\d{4}|王伟|王芳/);
      expect(daily.requests[0].place).toBe('东湖区 花园街道');

      // A unit leader sees the city's counts but only requests sent to its own units (the water company had these).
      const leader = await tokenSession(app, ctx, 'donghu.leader');
      const scoped = (await leader.get('/api/v1/intelligence/hotspots?from=2024-06-10&to=2024-06-16')).json().hotspots
        .find((h: any) => h.kind === 'category-district' && h.granularity === 'day');
      expect(scoped).toMatchObject({ count: 15, requests: [] });
    });

    it('validates the range and needs requests.stats', async () => {
      const bad = await analyst.get('/api/v1/intelligence/hotspots?from=2024-06-10&to=2024-01-01');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('to');
      const long = await analyst.get('/api/v1/intelligence/hotspots?from=2024-01-01&to=2024-06-10');
      expect(long.statusCode).toBe(400);
      const agent = await tokenSession(app, ctx, 'agent1');
      expect((await agent.get('/api/v1/intelligence/hotspots')).statusCode).toBe(403);
    });
  });
}
