import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { runDueJobs } from '../../core/jobs';
import { getSegmenter, readSearchDocuments } from '../../core/search';
import { buildAcceptedRequest, createWorld, type RequestWorld } from '../requests/test-factories';
import { createTestApp, DIALECTS, FakeClock, tokenSession, type Session } from '../../test/harness';
import { createReopenableContext, type ReopenableContext } from './intelligence.test-support';

for (const dialect of DIALECTS) {
  describe(`city dictionary (${dialect})`, () => {
    let db: ReopenableContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    let admin: Session;
    const clock = new FakeClock('2025-03-04T02:00:00.000Z');

    beforeAll(async () => {
      db = await createReopenableContext(dialect, { clock });
      app = await createTestApp(db.ctx);
      w = await createWorld(app, db.ctx);
      admin = await tokenSession(app, db.ctx, 'admin');
    });
    afterAll(async () => {
      await app?.close();
      await db?.ctx.cleanup();
    });

    it('has the city\'s own names built in: districts, streets, units and category terms stay whole', async () => {
      const res = await admin.get('/api/v1/intelligence/dictionary');
      expect(res.statusCode, res.body).toBe(200);
      const dict = res.json();
      expect(dict.words).toEqual([]);
      expect(dict.builtIn.places).toBeGreaterThanOrEqual(40);
      expect(dict.builtIn.categoryTerms).toBeGreaterThanOrEqual(80);
      const seg = (await admin.post('/api/v1/intelligence/segment', { text: '东湖区花园街道幸福小区的共享单车停放问题，已转市住房和城乡建设局' })).json();
      expect(seg.words).toEqual(expect.arrayContaining(['东湖区', '花园街道', '共享单车停放', '市住房和城乡建设局']));
      expect(seg.keywords.map((k: { word: string }) => k.word)).toContain('花园街道');
      expect((await w.dispatcher.get('/api/v1/intelligence/dictionary')).statusCode).toBe(403);
    });

    it('takes an administrator\'s words: every instance re-segments with them, and the index follows', async () => {
      const r = await buildAcceptedRequest(w, { title: '停车难', content: '翠湖湾二期地下车库一直不开放，业主只能把车停在马路上。' });
      const other = await db.reopen();
      try {
        const before = await getSegmenter(other);
        expect(before.cut('翠湖湾二期', false)).not.toContain('翠湖湾');

        expect((await admin.put('/api/v1/intelligence/dictionary', { words: ['翠湖湾', 'with space'] })).statusCode).toBe(400);
        expect((await w.dispatcher.put('/api/v1/intelligence/dictionary', { words: ['翠湖湾'] })).statusCode).toBe(403);
        const put = await admin.put('/api/v1/intelligence/dictionary', { words: [' 翠湖湾 ', '翠湖湾', 'ＡＢＣ物业'] });
        expect(put.statusCode, put.body).toBe(200);
        expect(put.json()).toMatchObject({ version: 1, words: ['翠湖湾', 'abc物业'] });

        // Another instance notices the stored version moved and rebuilds its segmenter.
        const after = await getSegmenter(other);
        expect(after.dictionaryHash).not.toBe(before.dictionaryHash);
        expect(after.cut('翠湖湾二期', false)).toContain('翠湖湾');

        // Found at once (the query also tries the word's parts, as it was indexed before the word existed)…
        const found = (await w.dispatcher.get(`/api/v1/requests?q=${encodeURIComponent('翠湖湾')}`)).json();
        expect(found.items.map((i: { id: number }) => i.id)).toContain(r.id);
        // …and the background re-index stores the new word.
        await runDueJobs(db.ctx);
        const doc = (await readSearchDocuments(db.ctx.db, db.ctx.dialect, [r.id])).get(r.id)!;
        expect(doc.body.split(' ')).toContain('翠湖湾');
        expect((await w.dispatcher.get(`/api/v1/requests?q=${encodeURIComponent('翠湖湾')}`)).json().items.map((i: { id: number }) => i.id)).toContain(r.id);
        const audit = await db.ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'search.dictionary').execute();
        expect(audit).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });
}
