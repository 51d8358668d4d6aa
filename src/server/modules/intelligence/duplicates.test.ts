import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { segmenterFor } from '../../core/search';
import { createTestApp, createTestContext, DIALECTS, FakeClock, tokenSession, type Session, type TestContext } from '../../test/harness';
import { generateRequestCorpus, GEN_DISTRICTS, type GeneratedRequest } from './analysis.test-data';
import { addressKey, compareRequests, countTerms, requestTerms } from './duplicates.similarity';
import { tfidfVector } from '../../core/search';

describe('duplicate similarity', () => {
  it('reduces addresses to estate + building or road + number', () => {
    expect(addressKey('东湖区花园街道幸福小区3号楼2单元501')).toBe('幸福小区3栋');
    expect(addressKey('幸福小区3栋')).toBe('幸福小区3栋');
    expect(addressKey('青川市西山区金沙街道建设路18号院')).toBe('建设路18号');
    expect(addressKey('东湖区')).toBeNull();
  });

  it('scores paraphrases high and the same problem at another estate low', () => {
    const seg = segmenterFor([]);
    const docs = ['幸福小区3栋楼道灯不亮，物业一直不来修', '物业不管，幸福小区3号楼走廊灯坏了一个多月', '阳光花园3栋楼道灯不亮，物业一直不来修', '建设路东段路面塌陷'];
    const tfs = docs.map((d) => countTerms(requestTerms(seg, null, d)));
    const df = { docs: tfs.length, df: new Map<string, number>() };
    for (const tf of tfs) for (const t of tf.keys()) df.df.set(t, (df.df.get(t) ?? 0) + 1);
    const input = (i: number, address: string | null) => ({ vector: tfidfVector(tfs[i], df), text: docs[i], districtId: 1, addressKey: addressKey(address), phone: null });
    const paraphrase = compareRequests(input(0, '幸福小区3栋'), input(1, null));
    expect(paraphrase.reasons).toContain('text');
    const elsewhere = compareRequests(input(0, '幸福小区3栋'), input(2, '阳光花园3栋'));
    expect(elsewhere.reasons).toEqual([]);
    expect(elsewhere.textSimilarity).toBeLessThan(paraphrase.textSimilarity);
    expect(compareRequests(input(0, null), input(3, null)).textSimilarity).toBe(0);
  });
});

// Monday 2024-09-02 10:00 Shanghai; the generated reports spread over 20 days from there.
const START = Date.parse('2024-09-02T02:00:00.000Z');
const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`related requests (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let agent: Session;
    let dispatcher: Session;
    let analyst: Session;
    const clock = new FakeClock(new Date(START));
    const corpus = generateRequestCorpus({ seed: 2024, repeatedProblems: 6, singleProblems: 12, nearMissShare: 0, maxReports: 3, days: 20, repeatWithinDays: 5 });
    const idOf = new Map<number, number>(); // corpus index → request id
    const byId = new Map<number, GeneratedRequest>();

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      [agent, dispatcher, analyst] = [await tokenSession(app, ctx, 'agent1'), await tokenSession(app, ctx, 'dispatcher1'), await tokenSession(app, ctx, 'analyst1')];
      const channel = await ctx.db.selectFrom('channels').select('id').where('family', '=', 'phone').orderBy('id').executeTakeFirstOrThrow();
      const categories = new Map((await ctx.db.selectFrom('categories').select(['id', 'path']).execute()).map((c) => [c.path, c.id]));
      const units = new Map((await ctx.db.selectFrom('units').select(['id', 'code', 'name']).execute()).flatMap((u) => [[u.code, u.id], [u.name, u.id]] as Array<[string, number]>));
      for (const r of corpus) {
        clock.set(new Date(START + r.day * DAY + r.index * 60_000));
        const res = await agent.post('/api/v1/requests', {
          channelId: channel.id, type: r.type, title: r.title ?? undefined, content: r.content, categoryId: categories.get(r.category), districtId: units.get(r.districtCode),
          streetId: units.get(`${r.street}办事处`), address: r.address, requester: { name: r.name, phone: r.phone },
        });
        if (res.statusCode !== 201) throw new Error(`accept failed: ${res.body}`);
        idOf.set(r.index, res.json().id);
        byId.set(res.json().id, r);
      }
      clock.set(new Date(START + 21 * DAY));
    });
    afterAll(async () => {
      await app.close();
      await ctx.cleanup();
    });

    it('finds the planted repeats of a problem and no unrelated request', async () => {
      let withEarlier = 0;
      let found = 0;
      for (const r of corpus) {
        const res = await dispatcher.get(`/api/v1/requests/${idOf.get(r.index)}/related`);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        const earlierOfGroup = corpus.filter((o) => o.group === r.group && o.index < r.index).map((o) => idOf.get(o.index));
        if (earlierOfGroup.length) {
          withEarlier++;
          if (body.items.some((i: { id: number }) => earlierOfGroup.includes(i.id))) found++;
        }
        for (const item of body.items) {
          const other = byId.get(item.id)!;
          // Text similarity only ever links reports of the same kind of problem; a shared address may link anything.
          if (item.reasons.includes('text')) expect(other.problem).toBe(r.problem);
          if (other.group !== r.group) expect(item.reasons).not.toContain('phone');
        }
      }
      expect(withEarlier).toBeGreaterThanOrEqual(6);
      expect(found / withEarlier).toBeGreaterThanOrEqual(0.8);
    });

    it('while typing: a paraphrase finds its problem, the phone counts but is never returned', async () => {
      const group = corpus.find((r) => corpus.some((o) => o.group === r.group && o.index !== r.index))!;
      const members = corpus.filter((o) => o.group === group.group).map((o) => idOf.get(o.index));
      const d = GEN_DISTRICTS.find((x) => x.code === group.districtCode)!;
      const districtId = (await ctx.db.selectFrom('units').select('id').where('code', '=', d.code).executeTakeFirstOrThrow()).id;
      const res = await agent.post('/api/v1/intelligence/related', { content: `${group.content}现在还是这样。`, phone: group.phone, address: group.address, districtId });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.phoneCompared).toBe(true);
      const first = body.items.find((i: { id: number }) => i.id === idOf.get(group.index));
      expect(first.reasons).toEqual(expect.arrayContaining(['phone', 'text']));
      expect(first.relation).toBe('earlier');
      // The other report of it words it differently; the same address brings it.
      expect(body.items.map((i: { id: number }) => i.id)).toEqual(expect.arrayContaining(members));
      expect(body.items.find((i: { id: number }) => i.id !== first.id && members.includes(i.id)).reasons).toContain('address');
      expect(res.body).not.toContain(group.phone);
      // An agent cannot merge (requests.dispatch); the reply says so.
      expect(first.canMergeInto).toBe(false);

      // Without requests.personal, phones are not compared at all.
      const asAnalyst = await analyst.get(`/api/v1/requests/${idOf.get(group.index)}/related`);
      expect(asAnalyst.statusCode).toBe(200);
      expect(asAnalyst.json().phoneCompared).toBe(false);
      expect(asAnalyst.json().items.every((i: { reasons: string[] }) => !i.reasons.includes('phone'))).toBe(true);
      expect((await analyst.post('/api/v1/intelligence/related', { content: group.content })).statusCode).toBe(403);
    });

    it('gives what one-click merging needs, and a merged request drops out', async () => {
      const later = corpus.find((r) => corpus.some((o) => o.group === r.group && o.index < r.index))!;
      const earlier = corpus.find((o) => o.group === later.group && o.index < later.index)!;
      const res = await dispatcher.get(`/api/v1/requests/${idOf.get(later.index)}/related`);
      const body = res.json();
      expect(body.merge).toMatchObject({ allowed: true, path: `/api/v1/requests/${idOf.get(later.index)}/actions/merge` });
      const target = body.items.find((i: { id: number }) => i.id === idOf.get(earlier.index));
      expect(target.canMergeInto).toBe(true);
      const merged = await dispatcher.post(body.merge.path, { targetId: target.id, version: body.merge.version });
      expect(merged.statusCode).toBe(200);
      expect(merged.json().status).toBe('merged');
      const after = (await dispatcher.get(`/api/v1/requests/${target.id}/related`)).json();
      expect(after.items.map((i: { id: number }) => i.id)).not.toContain(idOf.get(later.index));
      const again = (await dispatcher.get(`/api/v1/requests/${idOf.get(later.index)}/related`)).json();
      expect(again.merge.allowed).toBe(false);
    });

    it('keeps a unit to its own requests', async () => {
      const handler = await tokenSession(app, ctx, 'donghu.handler1');
      expect((await handler.get(`/api/v1/requests/${idOf.get(0)}/related`)).statusCode).toBe(404);
    });
  });
}
