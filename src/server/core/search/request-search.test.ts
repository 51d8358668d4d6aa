import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { systemActor } from '../http/access';
import { acceptRequest } from '../../modules/requests/requests.service';
import { act, buildAcceptedRequest, buildRepliedRequest, createWorld, type RequestWorld } from '../../modules/requests/test-factories';
import { createTestApp, createTestContext, DIALECTS, FakeClock, unitIdByCode, type TestContext } from '../../test/harness';
import { searchLimits } from '../../modules/requests/requests.query';
import { getSegmenter } from './dictionary';
import { matchRequests, rankingLimits, readSearchDocuments, walkLimits, writeSearchDocuments } from './request-index';

const LONG_SENTENCE =
  '本人是东湖区居民，家住幸福小区，小区门口的道路自去年开始施工，施工单位每天晚上十点以后仍在作业，噪音很大，严重影响周边居民休息，'
  + '多次向物业和社区反映都没有结果，今天又看到施工车辆从花园街道办事处门前经过，把人行道压坏了，希望有关部门尽快处理。';

/** Ids of a list reply, in order. */
const ids = (body: { items: Array<{ id: number }> }) => body.items.map((i) => i.id);

for (const dialect of DIALECTS) {
  describe(`request search (${dialect})`, () => {
    let ctx: TestContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    const clock = new FakeClock('2025-03-03T02:00:00.000Z');
    let xishanId: number;

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock });
      app = await createTestApp(ctx);
      w = await createWorld(app, ctx);
      xishanId = await unitIdByCode(ctx, 'QC-D02');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.cleanup();
    });

    const search = async (query: string, as = w.dispatcher) => {
      const res = await as.get(`/api/v1/requests?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };

    it('finds a street name from the city dictionary inside a long Chinese sentence, and not a request without it', async () => {
      const hit = await buildAcceptedRequest(w, { title: '夜间施工扰民', content: LONG_SENTENCE, address: null });
      const miss = await buildAcceptedRequest(w, { title: '夜间施工扰民', content: '西山区金沙街道某工地夜间施工，噪音很大。', districtId: xishanId, address: null });
      const found = await search(`q=${encodeURIComponent('花园街道')}`);
      expect(ids(found)).toContain(hit.id);
      expect(ids(found)).not.toContain(miss.id);
      // The street office's full name is one dictionary word too; the words inside it still find it.
      expect(ids(await search(`q=${encodeURIComponent('花园街道办事处')}`))).toContain(hit.id);
      expect(ids(await search(`q=${encodeURIComponent('人行道 压坏')}`))).toContain(hit.id);
      // Every word must match: one absent word excludes it.
      expect(ids(await search(`q=${encodeURIComponent('花园街道 地铁')}`))).not.toContain(hit.id);
      // The stored tokens keep the dictionary word whole.
      const doc = (await readSearchDocuments(ctx.db, ctx.dialect, [hit.id])).get(hit.id)!;
      expect(doc.body.split(' ')).toContain('花园街道');
    });

    it('combines the search with the status and district filters', async () => {
      const inDonghu = await buildAcceptedRequest(w, { title: '共享单车乱停放', content: '地铁站出口共享单车堆成山，行人无法通行。' });
      const inXishan = await buildAcceptedRequest(w, { title: '共享单车乱停放', content: '公交站旁共享单车占满盲道。', districtId: xishanId });
      const q = `q=${encodeURIComponent('共享单车')}`;
      expect(ids(await search(q))).toEqual(expect.arrayContaining([inDonghu.id, inXishan.id]));
      expect(ids(await search(`${q}&district=${xishanId}`))).toEqual([inXishan.id]);
      await act(w.dispatcher, inDonghu.id, 'dispatch', { leadUnitId: w.donghuId });
      const dispatched = await search(`${q}&status=dispatched`);
      expect(ids(dispatched)).toEqual([inDonghu.id]);
      expect(dispatched.total).toBe(1);
      expect(ids(await search(`${q}&status=accepted&district=${w.donghuId}`))).toEqual([]);
    });

    it('ranks a title match above a single mention deep in the content; recency breaks ties', async () => {
      const filler = '小区绿化带长期无人修剪，杂草丛生，蚊虫很多，晚上路灯也经常不亮，居民出行很不方便。'.repeat(4);
      clock.advance(60_000);
      const deep = await buildAcceptedRequest(w, { title: '小区环境差', content: `${filler}另外楼下有一个窨井盖松动。`, address: null });
      clock.advance(60_000);
      const older = await buildAcceptedRequest(w, { title: '窨井盖松动', content: '人行道上的窨井盖松动，踩上去会响。', address: null });
      clock.advance(60_000);
      const newer = await buildAcceptedRequest(w, { title: '窨井盖松动', content: '人行道上的窨井盖松动，踩上去会响。', address: null });
      const found = ids(await search(`q=${encodeURIComponent('窨井盖')}`));
      expect(found).toEqual([newer.id, older.id, deep.id]);
      // An explicit sort wins over relevance.
      expect(ids(await search(`q=${encodeURIComponent('窨井盖')}&sort=acceptedAt`))).toEqual([deep.id, older.id, newer.id]);
    });

    it('searches the reply text once replied, and forgets it when the request is redone', async () => {
      const r = await buildRepliedRequest(w, { title: '楼道灯不亮', content: '单元楼道灯坏了。' });
      // buildRepliedRequest replies "已协调物业更换楼道灯，现已恢复照明。"
      expect(ids(await search(`q=${encodeURIComponent('恢复照明')}`))).toContain(r.id);
      await act(w.dispatcher, r.id, 'review', { decision: 'accept' });
      await act(w.agent, r.id, 'callback', { reached: true, resolved: false, satisfaction: 'dissatisfied' });
      await act(w.dispatcher, r.id, 'redo', { reason: '灯又坏了' });
      expect(ids(await search(`q=${encodeURIComponent('恢复照明')}`))).not.toContain(r.id);
      expect(ids(await search(`q=${encodeURIComponent('楼道灯')}`))).toContain(r.id);
    });

    it('finds a request by its number, and by the caller\'s phone only for roles that may see phones', async () => {
      const r = await buildAcceptedRequest(w, { title: '噪音', content: '广场舞音响太吵。', requester: { name: '李四', phone: '13911112222' } });
      expect(ids(await search(`q=${r.number}`))).toEqual([r.id]);
      expect(ids(await search('q=13911112222', w.agent))).toEqual([r.id]);
      expect(ids(await search(`q=${encodeURIComponent('139-1111-2222')}`, w.agent))).toEqual([r.id]);
      const asHandler = await w.handler.get('/api/v1/requests?q=13911112222');
      expect(asHandler.statusCode).toBe(403);
      expect(asHandler.json().error).toBe('FORBIDDEN');
    });

    it('writes the index row in the accepting transaction: a failed accept leaves none', async () => {
      const countRows = async () => Number((await sql<{ n: number }>`select count(*) as n from request_search`.execute(ctx.db)).rows[0].n);
      const before = await countRows();
      const requestsBefore = await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      let indexedInside = 0;
      await expect(acceptRequest(ctx, systemActor('test'), { channelId: w.phoneChannelId, type: 'complaint', title: '回滚测试', content: '这条诉求写入后整个事务回滚。' }, undefined, async (trx) => {
        // The index row is there inside the transaction…
        indexedInside = Number((await sql<{ n: number }>`select count(*) as n from request_search`.execute(trx)).rows[0].n);
        throw new Error('fail after the index was written');
      })).rejects.toThrow('fail after the index was written');
      expect(indexedInside).toBe(before + 1);
      // …and gone with the rest of it.
      expect(await countRows()).toBe(before);
      const requestsAfter = await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(requestsAfter.n)).toBe(Number(requestsBefore.n));
      expect((await search(`q=${encodeURIComponent('回滚测试')}`)).total).toBe(0);
    });

    it('caps the total of a frequent word (flagged for "1000+"), ranks among the newest matches, and pages on through the older ones', async () => {
      const saved = { ...searchLimits };
      // The same request shape at a handful of rows: count up to 4, rank the newest 3.
      Object.assign(searchLimits, { totalCap: 4, rankWindow: 3 });
      try {
        const mention = { title: '小区环境', content: '小区门口的梧桐絮满天飞，希望处理。', address: null };
        const make = async (fields: typeof mention) => {
          clock.advance(60_000);
          return (await buildAcceptedRequest(w, fields)).id;
        };
        const old1 = await make(mention);
        const old2 = await make(mention);
        const titled = await make({ title: '梧桐絮飘飞', content: '每年春天都很严重，影响出行。', address: null });
        const new1 = await make(mention);
        const new2 = await make(mention);
        const q = `q=${encodeURIComponent('梧桐絮')}`;

        const first = await search(`${q}&pageSize=2`);
        expect(first.total).toBe(4);
        expect(first.totalCapped).toBe(true);
        // The title match leads; equal mentions follow newest first.
        expect(ids(first)).toEqual([titled, new2]);
        // Past the ranked window: the older matches, newest first; every match once.
        expect(ids(await search(`${q}&pageSize=2&page=2`))).toEqual([new1, old2]);
        expect(ids(await search(`${q}&pageSize=2&page=3`))).toEqual([old1]);
        expect(ids(await search(`${q}&pageSize=2&page=4`))).toEqual([]);
        // An explicit sort orders every match; the total stays capped.
        const sorted = await search(`${q}&sort=acceptedAt`);
        expect(ids(sorted)).toEqual([old1, old2, titled, new1, new2]);
        expect(sorted).toMatchObject({ total: 4, totalCapped: true });

        // Filters still apply with the search, and a total under the cap is exact and not flagged.
        await act(w.dispatcher, old1, 'dispatch', { leadUnitId: w.donghuId });
        const dispatched = await search(`${q}&status=dispatched`);
        expect(ids(dispatched)).toEqual([old1]);
        expect(dispatched).toMatchObject({ total: 1, totalCapped: false });
        const accepted = await search(`${q}&status=accepted`);
        expect(ids(accepted)).toEqual([titled, new2, new1, old2]);
        expect(accepted).toMatchObject({ total: 4, totalCapped: false });

        // Relevance is among the newest rankWindow matches: a title match older than the window is not lifted.
        Object.assign(searchLimits, { totalCap: 10, rankWindow: 2 });
        expect(ids(await search(q))).toEqual([new2, new1, titled, old2, old1]);
        // A cap inside the window: the window's one extra row settles the capped total.
        Object.assign(searchLimits, { totalCap: 2, rankWindow: 3 });
        const inside = await search(`${q}&pageSize=2`);
        expect(inside).toMatchObject({ total: 2, totalCapped: true });
        expect(ids(inside)).toEqual([titled, new2]);
        Object.assign(searchLimits, { totalCap: 5, rankWindow: 5 });
        expect(await search(q)).toMatchObject({ total: 5, totalCapped: false });
        Object.assign(searchLimits, { totalCap: 10, rankWindow: 5 });
        const all = await search(q);
        expect(ids(all)[0]).toBe(titled);
        expect(all).toMatchObject({ total: 5, totalCapped: false });
      } finally {
        Object.assign(searchLimits, saved);
      }
    });

    it('finds the same newest matches whether it looks among the newest requests first, at every match, or walks every request', async () => {
      const saved = { limits: { ...searchLimits }, walk: { ...walkLimits } };
      Object.assign(searchLimits, { totalCap: 4, rankWindow: 3 });
      try {
        // Matches spread among other requests, so that a narrow look at the newest finds too few.
        const made: number[] = [];
        for (let i = 0; i < 12; i++) {
          clock.advance(60_000);
          // PostgreSQL looks among whole spans of 131,072 ids (migration 20261206-1900): the newest two requests
          // go to a later span than the matches.
          if (i === 10 && dialect !== 'sqlite') await sql`select setval(pg_get_serial_sequence('requests', 'id'), ${3 * 131_072 + 5})`.execute(ctx.db);
          const hit = i % 3 === 0;
          const r = await buildAcceptedRequest(w, { title: hit ? '银杏果落地' : '路面积水', content: hit ? '银杏果砸在车上，气味难闻。' : '下雨后路面积水严重。', address: null });
          if (hit) made.push(r.id);
        }
        const q = `q=${encodeURIComponent('银杏果')}`;
        const pages = async () => [await search(`${q}&pageSize=2`), await search(`${q}&pageSize=2&page=2`), await search(`${q}&status=accepted&pageSize=10`)]
          .map((r) => ({ ids: ids(r), total: r.total, totalCapped: r.totalCapped }));
        const everything = await pages();
        expect(everything[0]).toMatchObject({ total: 4, totalCapped: false });
        expect([...everything[0].ids, ...everything[1].ids].sort()).toEqual([...made].sort());

        const query = (await getSegmenter(ctx)).searchQuery('银杏果');
        // PostgreSQL sizes its first look, and decides to walk, by ANALYZE's statistics of the index.
        if (dialect !== 'sqlite') await sql`analyze request_search`.execute(ctx.db);
        // Look among the newest request first (too few there), then at every match: the same pages.
        walkLimits.spanFactor = 1e-9;
        const m = await matchRequests(ctx, query);
        const first = await m.nextLook(4);
        if (dialect === 'sqlite') expect(first).toBe(0);
        else {
          expect(first).toBeGreaterThan(0);
          // The look among the newest span finds none of the four matches, which lie in the first span.
          const inLook = (lower: number) => ctx.db.selectFrom(m.table).select(sql<number>`count(*)`.as('n')).where(m.within(lower)).executeTakeFirstOrThrow().then((r) => Number(r.n));
          expect(await inLook(first)).toBe(0);
          expect(await inLook(0)).toBe(4);
          // None found there: no second narrow look, every match next.
          expect(await m.nextLook(4, { lower: first, found: 0 })).toBe(0);
        }
        expect(await pages()).toEqual(everything);
        if (dialect === 'sqlite') return;

        // PostgreSQL walks every request newest first when the statistics say the word is frequent enough.
        walkLimits.walkMinShare = 0.01;
        const walking = await matchRequests(ctx, query, { walkable: true });
        expect(sql`${walking.key}`.compile(ctx.db).sql).not.toContain('+ 0');
        expect(await walking.nextLook(4)).toBe(0);
        expect(await pages()).toEqual(everything);
        // A word the statistics rank below the share is not walked.
        walkLimits.walkMinShare = 0.99;
        expect(sql`${(await matchRequests(ctx, query, { walkable: true })).key}`.compile(ctx.db).sql).toContain('+ 0');
      } finally {
        Object.assign(searchLimits, saved.limits);
        Object.assign(walkLimits, saved.walk);
      }
    });

    it('leaves merged requests out of a plain search, however many of the newest matches were merged, and finds them when asked for', async () => {
      const saved = { ...searchLimits };
      Object.assign(searchLimits, { totalCap: 4, rankWindow: 3 });
      try {
        const kept: number[] = [];
        const merged: number[] = [];
        for (let i = 0; i < 2; i++) {
          clock.advance(60_000);
          kept.push((await buildAcceptedRequest(w, { title: '枇杷树遮挡路灯', content: '枇杷树枝叶遮住了路灯。', address: null })).id);
        }
        // More merged copies among the newest matches than the plain search's first read takes beyond its window.
        for (let i = 0; i < 36; i++) {
          clock.advance(60_000);
          const dup = await buildAcceptedRequest(w, { title: '枇杷树遮挡路灯', content: '又一次反映枇杷树遮住路灯。', address: null });
          await act(w.dispatcher, dup.id, 'merge', { targetId: kept[0] });
          merged.push(dup.id);
        }
        const q = `q=${encodeURIComponent('枇杷树')}`;
        const plain = await search(q);
        expect(plain).toMatchObject({ total: 2, totalCapped: false });
        expect(ids(plain).sort()).toEqual([...kept].sort());
        const asked = await search(`${q}&status=merged&pageSize=50`);
        expect(asked).toMatchObject({ total: 4, totalCapped: true });
        expect(ids(asked).every((id) => merged.includes(id))).toBe(true);
      } finally {
        Object.assign(searchLimits, saved);
      }
    });

    it('ranks alike whether the index ranks the walk (bm25) or the window is scored afterwards', async () => {
      const texts = [
        { title: '噪音扰民', content: '花园街道幸福小区楼下的烧烤店每晚噪音很大，噪音持续到凌晨。' },
        { title: '小区环境差', content: '花园街道某小区门口垃圾堆放，夏天气味很大，晚上还有噪音。' },
        { title: '道路破损', content: `${'人行道地砖松动，雨天溅水。'.repeat(5)}附近工地夜间噪音扰民，花园街道办事处已知情。` },
        { title: '花园街道噪音', content: '广场舞音响声音太大。' },
      ];
      for (const t of texts) {
        clock.advance(60_000);
        await buildAcceptedRequest(w, { ...t, address: null });
      }
      const saved = { ...rankingLimits };
      const order = async (q: string) => ids(await search(`q=${encodeURIComponent(q)}&pageSize=50`));
      for (const q of ['花园街道 噪音', '噪音', '人行道']) {
        rankingLimits.directBm25MaxRows = Number.MAX_SAFE_INTEGER;
        const direct = await order(q);
        rankingLimits.directBm25MaxRows = -1; // scored afterwards, even when the sample holds none of the words
        try {
          expect(await order(q), q).toEqual(direct);
        } finally {
          Object.assign(rankingLimits, saved);
        }
        expect(direct.length, q).toBeGreaterThan(0);
      }
      if (dialect !== 'sqlite') return;
      // On SQLite the afterwards scores are bm25()'s own, to the last bits, while every word is counted exactly.
      const query = (await getSegmenter(ctx)).searchQuery('花园街道 噪音');
      rankingLimits.directBm25MaxRows = -1; // scored afterwards, even when the sample holds none of the words
      try {
        const m = await matchRequests(ctx, query);
        expect(m.rank).toBeNull();
        const { rows } = await sql<{ id: number; rank: number }>`select rowid as id, -bm25(request_search, 3.0, 1.0, 0.5) as rank from request_search
          where request_search match ${query.map((term) => `(${term.map((alt) => alt.map((tok) => `"${tok}"`).join(' AND ')).join(' OR ')})`).join(' AND ')}`.execute(ctx.db);
        expect(rows.length).toBeGreaterThanOrEqual(texts.length);
        const scores = await m.score(rows.map((r) => Number(r.id)));
        for (const r of rows) expect(Math.abs(scores.get(Number(r.id))! - r.rank), `request ${r.id}`).toBeLessThan(1e-12);
      } finally {
        Object.assign(rankingLimits, saved);
      }
    });

    // The sample exists on SQLite only (PostgreSQL's ts_rank needs no document counts): no test to skip there.
    if (dialect === 'sqlite') it('keeps the sample of the index (ids that are multiples of 64) in step with the index', async () => {
      const sampleRows = async (id: number) => (await sql<{ doc: string }>`select doc from request_search_sample where rowid = ${id}`.execute(ctx.db)).rows.map((r) => r.doc);
      const doc = (body: string) => ({ title: '抽样', body, reply: '' });
      // Index rows without requests behind them (SQLite's index has no foreign key), at ids far above the tests'.
      await ctx.db.transaction().execute((trx) => writeSearchDocuments(trx, ctx, [{ id: 640_000, doc: doc('第一 版本') }, { id: 640_001, doc: doc('不 抽样') }], { replace: false }));
      expect(await sampleRows(640_000)).toEqual(['抽样 第一 版本 ']);
      expect(await sampleRows(640_001)).toEqual([]);
      await ctx.db.transaction().execute((trx) => writeSearchDocuments(trx, ctx, [{ id: 640_000, doc: doc('第二 版本') }], { replace: true }));
      expect(await sampleRows(640_000)).toEqual(['抽样 第二 版本 ']);
      await sql`delete from request_search where rowid in (640000, 640001)`.execute(ctx.db);
      await sql`delete from request_search_sample where rowid = 640000`.execute(ctx.db);
    });

    it('treats the query as words, never as query syntax', async () => {
      for (const q of ['"', 'NOT', '花园 OR', "a' | b", '*', '(', '，。！']) {
        const res = await w.dispatcher.get(`/api/v1/requests?q=${encodeURIComponent(q)}`);
        expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
      }
    });
  });
}
