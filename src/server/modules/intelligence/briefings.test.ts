import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { addDaysToDate } from '../../core/calendar';
import { runDueJobs } from '../../core/jobs';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, type Session, type TestContext } from '../../test/harness';
import { insertBulkRequests, readZip, type BulkRequest } from './analysis.test-factories';
import { BRIEFING_HEADINGS } from './briefings.docx';
import { ensureBriefingSchedules, isoWeek, nextScheduleTime, periodRange, previousPeriodStart } from './briefings.service';

describe('briefing periods', () => {
  it('takes weeks from Monday and months from the 1st, with the period before', () => {
    expect(periodRange('week', '2024-09-02')).toMatchObject({ end: '2024-09-08', previous: { start: '2024-08-26', end: '2024-09-01' }, label: '2024年第36周（9月2日—9月8日）' });
    expect(periodRange('month', '2024-03-01')).toMatchObject({ end: '2024-03-31', previous: { start: '2024-02-01', end: '2024-02-29' }, label: '2024年3月' });
    expect(() => periodRange('week', '2024-09-03')).toThrow();
    expect(() => periodRange('month', '2024-09-02')).toThrow();
    expect(isoWeek('2024-12-30')).toEqual({ year: 2025, week: 1 });
    expect(isoWeek('2021-01-04')).toEqual({ year: 2021, week: 1 });
  });

  it('schedules Mondays and 1sts at 07:00 local time', () => {
    const tz = 'Asia/Shanghai';
    expect(nextScheduleTime('week', new Date('2024-09-15T12:00:00Z'), tz).toISOString()).toBe('2024-09-15T23:00:00.000Z');
    expect(nextScheduleTime('month', new Date('2024-09-15T12:00:00Z'), tz).toISOString()).toBe('2024-09-30T23:00:00.000Z');
    expect(previousPeriodStart('week', new Date('2024-09-15T23:00:00Z'), tz)).toBe('2024-09-09');
    expect(previousPeriodStart('month', new Date('2024-09-30T23:00:00Z'), tz)).toBe('2024-09-01');
  });
});

const ESTATES = ['幸福小区', '阳光花园', '锦绣家园', '翠湖苑'];
const NAMES = ['张伟', '李娜', '王芳', '赵敏'];

/** Two weeks of requests: the week of 2024-09-02 and the one before, with a unit whose callers are unhappy. */
function dataSet(): BulkRequest[] {
  const out: BulkRequest[] = [];
  let n = 0;
  const personal = () => {
    n++;
    const estate = ESTATES[n % ESTATES.length];
    const building = (n % 20) + 1;
    return { estate, building, phone: `1390000${String(1000 + n).padStart(4, '0')}`, name: NAMES[n % NAMES.length] };
  };
  for (let d = '2024-08-26'; d <= '2024-09-08'; d = addDaysToDate(d, 1)) {
    const thisWeek = d >= '2024-09-02';
    for (let i = 0; i < (thisWeek ? 4 : 2); i++) {
      const p = personal();
      out.push({
        localDate: d, category: '城乡建设/物业管理/物业服务质量', district: 'QC-D01', street: 'QC-D01-S02', unit: 'QC-D01', channel: 'phone', type: 'complaint',
        title: `${p.estate}楼道灯不亮`, content: `${p.name}反映：${p.estate}${p.building}栋楼道灯不亮，物业一直不修，联系电话${p.phone}。`,
        address: `东湖区花园街道${p.estate}${p.building}栋2单元301`, phone: p.phone, name: p.name, satisfaction: i === 3 ? 'basic' : 'satisfied',
      });
    }
    for (let i = 0; i < 2; i++) {
      const p = personal();
      out.push({
        localDate: d, category: '城市管理/市容环境/占道经营', district: 'QC-D02', unit: 'QC-CGJ', channel: 'network', type: 'complaint',
        content: `金沙路${['东段', '西段'][i]}有商贩占道经营，行人无法通行，我是${p.name}，住${p.estate}。`, phone: p.phone, name: p.name,
        satisfaction: i === 0 ? 'dissatisfied' : 'satisfied', resolved: i !== 0,
      });
    }
    const p = personal();
    out.push({
      localDate: d, category: '水电气热/供水/停水', district: 'QC-D03', unit: 'QC-ZLS', channel: 'phone', type: 'help',
      content: `${p.estate}突然停水，没有通知，电话${p.phone}`, address: `南江区望江街道${p.estate}${p.building}栋`, phone: p.phone, name: p.name,
      signedLate: d.endsWith('5'),
    });
    out.push({ localDate: d, category: '劳动和社会保障/社会保险/医保报销', district: 'QC-D04', channel: 'network', type: 'consult', fate: 'direct', content: '异地就医医保报销需要哪些材料？' });
    if (thisWeek && Number(d.slice(-2)) % 2 === 0) {
      out.push({ localDate: d, category: '环境保护/噪声污染/施工噪音', district: 'QC-D05', unit: 'QC-STHJJ', channel: 'phone', fate: 'open', content: '建设路工地夜间施工噪音很大。' });
    }
  }
  // A duplicate merged into the request before it: stats count it once, so must the briefing.
  out.push({ localDate: '2024-09-04', category: '水电气热/供水/停水', district: 'QC-D03', content: '又停水了', fate: 'accepted' });
  out.push({ localDate: '2024-09-04', category: '水电气热/供水/停水', district: 'QC-D03', content: '停水了', fate: 'merged' });
  return out;
}

function documentText(xml: string): string {
  return [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
}

for (const dialect of DIALECTS) {
  describe(`热线速递 briefings (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let analyst: Session;
    const clock = new FakeClock('2024-09-10T02:00:00.000Z');

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      analyst = await tokenSession(app, ctx, 'analyst1');
      await insertBulkRequests(ctx, dataSet());
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('generates a week as a durable job, with figures equal to requestStats', async () => {
      const created = await analyst.post('/api/v1/briefings', { period: 'week', start: '2024-09-02' });
      expect(created.statusCode).toBe(202);
      expect(created.json()).toMatchObject({ status: 'pending', progress: 0, step: 'figures', docxUrl: null });
      const id = created.json().id;
      const again = await analyst.post('/api/v1/briefings', { period: 'week', start: '2024-09-02' });
      expect(again.statusCode).toBe(200);
      expect(again.json().id).toBe(id);
      expect((await analyst.get(`/api/v1/briefings/${id}.docx`)).statusCode).toBe(400);

      expect(await runDueJobs(ctx)).toBe(3); // figures → hotspots → samples
      const b = (await analyst.get(`/api/v1/briefings/${id}`)).json();
      expect(b).toMatchObject({ status: 'done', progress: 100, step: null, docxUrl: `/api/v1/briefings/${id}.docx`, label: '2024年第36周（9月2日—9月8日）' });
      const c = b.content;

      const stats = async (groupBy: string, from = '2024-09-02', to = '2024-09-08') => (await analyst.get(`/api/v1/requests/stats?from=${from}&to=${to}&groupBy=${groupBy}`)).json();
      const types = await stats('type');
      expect(c.volume.current).toBe(types.total.counts.accepted);
      expect(c.volume.previous).toBe((await stats('type', '2024-08-26', '2024-09-01')).total.counts.accepted);
      expect(c.volume.current).toBe(7 * 8 + 4 + 1); // the merged duplicate is not counted
      expect(c.byType.map((t: any) => [t.key, t.count])).toEqual(types.groups.map((g: any) => [g.key, g.counts.accepted]));
      expect(c.rates.satisfactionRate).toBeCloseTo(types.total.rates.satisfactionRate, 12);
      expect(c.rates.responseRate).toBeCloseTo(types.total.rates.responseRate, 12);
      const channels = await stats('channel');
      expect(c.byChannel.map((t: any) => t.count).reduce((a: number, x: number) => a + x, 0)).toBe(channels.total.counts.accepted);
      expect(c.byFamily.find((f: any) => f.key === 'network').count).toBe(7 * 3);
      const categories = await stats('category');
      expect(c.topCategories.map((t: any) => [t.name, t.count])).toEqual(categories.groups.filter((g: any) => g.counts.accepted > 0).slice(0, 10).map((g: any) => [g.name, g.counts.accepted]));
      const units = await stats('unit');
      for (const u of c.units) {
        const g = units.groups.find((x: any) => Number(x.key) === u.unitId);
        expect([u.orders, u.satisfactionRate, u.resolutionRate, u.responseRate]).toEqual([g.counts.orders, g.rates.satisfactionRate, g.rates.resolutionRate, g.rates.responseRate]);
      }
      expect(c.satisfactionFloor).toBe(0.85);
      expect(c.belowFloor.map((u: any) => u.name)).toEqual(['市城市管理局']);
      expect(c.belowFloor[0].satisfactionRate).toBe(0.5);
      expect(c.daily).toHaveLength(7);
      expect(c.samples.length).toBeGreaterThanOrEqual(3);
      expect(c.samples[0].place).toBe('东湖区 花园街道');
    });

    it('writes a .docx with the headings, figures and the same numbers, and no personal data', async () => {
      const list = (await analyst.get('/api/v1/briefings?period=week')).json();
      const id = list.items[0].id;
      const res = await analyst.get(`/api/v1/briefings/${id}.docx`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('wordprocessingml.document');
      const zip = readZip(res.rawPayload);
      expect([...zip.keys()]).toEqual(expect.arrayContaining(['word/document.xml', '[Content_Types].xml', 'word/charts/chart1.xml', 'word/charts/chart4.xml']));
      const xml = zip.get('word/document.xml')!.toString('utf8');
      const text = documentText(xml);
      for (const h of BRIEFING_HEADINGS) expect(text).toContain(h);
      for (const f of ['图1  每日受理量', '图2  诉求类型占比', '图3  受理量居前的分类', '图4  承办单位满意率']) expect(text).toContain(f);
      const content = (await analyst.get(`/api/v1/briefings/${id}`)).json().content;
      expect(text).toContain(`共受理群众诉求${content.volume.current}件`);
      expect(text).toContain('满意率低于85.0%的单位1家：市城市管理局（50.0%');
      // The charts carry the numbers: the daily chart's values are the daily counts.
      const chart1 = zip.get('word/charts/chart1.xml')!.toString('utf8');
      for (const d of content.daily) expect(chart1).toContain(`<c:v>${d.count}</c:v>`);

      const everything = [...zip.entries()].filter(([name]) => name.endsWith('.xml')).map(([, b]) => b.toString('utf8')).join('\n');
      const leaks = [...NAMES, ...ESTATES].filter((x) => everything.includes(x)).map((x) => everything.slice(everything.indexOf(x) - 60, everything.indexOf(x) + 20));
      expect(leaks).toEqual([]);
      expect(everything.match(/1390000\d{4}/)).toBeNull();
      expect(text.match(/\d+栋|单元301/)).toBeNull();
      expect(JSON.stringify(content.samples)).not.toMatch(/1390000|张伟|李娜|王芳|赵敏|幸福小区|阳光花园|锦绣家园|翠湖苑/);
    });

    it('validates the period and needs requests.stats', async () => {
      const notMonday = await analyst.post('/api/v1/briefings', { period: 'week', start: '2024-09-03' });
      expect(notMonday.statusCode).toBe(400);
      expect(notMonday.json().details[0].field).toBe('start');
      expect((await analyst.post('/api/v1/briefings', { period: 'month', start: '2024-12-01' })).statusCode).toBe(400);
      const agent = await tokenSession(app, ctx, 'agent1');
      expect((await agent.post('/api/v1/briefings', { period: 'week', start: '2024-09-02' })).statusCode).toBe(403);
      expect((await agent.get('/api/v1/briefings')).statusCode).toBe(403);
      expect((await analyst.get('/api/v1/briefings/999999')).statusCode).toBe(404);
    });

    it('writes an empty week too', async () => {
      const { id } = (await analyst.post('/api/v1/briefings', { period: 'week', start: '2024-08-12' })).json();
      await runDueJobs(ctx);
      const b = (await analyst.get(`/api/v1/briefings/${id}`)).json();
      expect(b).toMatchObject({ status: 'done', content: { volume: { current: 0, previous: 0, change: null }, units: [], hotspots: [], samples: [] } });
      const docx = await analyst.get(`/api/v1/briefings/${id}.docx`);
      expect(docx.statusCode).toBe(200);
      expect(documentText(readZip(docx.rawPayload).get('word/document.xml')!.toString('utf8'))).toContain('共受理群众诉求0件');
    });

    it('makes the weekly and monthly briefings on schedule, once per period, catching up missed weeks', async () => {
      clock.set('2024-09-15T12:00:00.000Z'); // Sunday 20:00 local
      await ensureBriefingSchedules(ctx);
      await ensureBriefingSchedules(ctx);
      const schedules = await ctx.db.selectFrom('jobs').select(['dedupe_key', 'run_at', 'status']).where('dedupe_key', 'like', 'briefing:schedule:%').orderBy('dedupe_key').execute();
      expect(schedules).toEqual([
        { dedupe_key: 'briefing:schedule:month', run_at: '2024-09-30T23:00:00.000Z', status: 'pending' },
        { dedupe_key: 'briefing:schedule:week', run_at: '2024-09-15T23:00:00.000Z', status: 'pending' },
      ]);
      clock.set('2024-09-15T23:05:00.000Z'); // Monday 07:05
      await runDueJobs(ctx);
      const weeks = async () => (await analyst.get('/api/v1/briefings?period=week')).json().items.map((b: any) => [b.start, b.origin, b.status]).filter((w: string[]) => w[0] >= '2024-09-01');
      expect(await weeks()).toEqual([['2024-09-09', 'scheduled', 'done'], ['2024-09-02', 'manual', 'done']]);
      await runDueJobs(ctx);
      expect(await weeks()).toHaveLength(2);

      // The worker was down for two weeks: on the 1st both missed weeks and the month are made.
      clock.set('2024-10-01T01:00:00.000Z');
      await runDueJobs(ctx);
      expect((await weeks()).map((w: string[]) => w[0])).toEqual(['2024-09-23', '2024-09-16', '2024-09-09', '2024-09-02']);
      const months = (await analyst.get('/api/v1/briefings?period=month')).json().items;
      expect(months.map((b: any) => [b.start, b.origin, b.status])).toEqual([['2024-09-01', 'scheduled', 'done']]);
      const next = await ctx.db.selectFrom('jobs').select(['dedupe_key', 'run_at']).where('dedupe_key', 'like', 'briefing:schedule:%').orderBy('dedupe_key').execute();
      expect(next.map((j) => j.run_at)).toEqual(['2024-10-31T23:00:00.000Z', '2024-10-06T23:00:00.000Z']);
    });
  });
}
