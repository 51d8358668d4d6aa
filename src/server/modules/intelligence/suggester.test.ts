import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { systemActor } from '../../core/http/access';
import { runDueJobs } from '../../core/jobs';
import { createWorld, type RequestWorld } from '../requests/test-factories';
import { createTestApp, DIALECTS, FakeClock, tokenSession, unitIdByCode, type Session } from '../../test/harness';
import { generateHistory, HISTORY_TEMPLATES, toJsonl } from './history-fixtures';
import { importHistoryFile } from './history-import.service';
import { createReopenableContext, type ReopenableContext } from './intelligence.test-support';
import { classifyRequest, dispatchIfConfident, loadSuggester, trainSuggester } from './suggester.service';

const run = promisify(execFile);

/** New texts, not in the training data, one per planted template (same order as HISTORY_TEMPLATES). */
const PROBES: Array<{ title: string; content: string }> = [
  { title: '家里又停水了', content: '今天上午我们楼突然停水，自来水一直没有来，也没看到停水通知。' },
  { title: '小区外路灯坏了', content: '小区外面那条路的路灯晚上不亮，已经一个多星期了，走夜路很危险。' },
  { title: '工地夜里施工', content: '隔壁工地凌晨一点还在施工，打桩的噪音吵得整栋楼睡不着。' },
  { title: '讨薪', content: '我在工地干了半年活，包工头拖欠工资不发，老板也找不到人。' },
  { title: '物业服务问题', content: '小区物业公司不管事，垃圾几天不清理，电梯坏了物业也不修。' },
  { title: '买到过期食品', content: '在楼下超市买的酸奶已经过期了，超市还在卖过期食品。' },
  { title: '公交等太久', content: '去火车站的公交班次太少，建议增加公交线路和班次。' },
  { title: '小学入学咨询', content: '孩子明年上小学，想问一下我们小区划片到哪个学校，入学要准备什么材料。' },
];

for (const dialect of DIALECTS) {
  describe(`category and unit suggester (${dialect})`, () => {
    let db: ReopenableContext;
    let app: FastifyInstance;
    let w: RequestWorld;
    let admin: Session;
    // Tuesday 2025-03-04 10:00 in Shanghai.
    const clock = new FakeClock('2025-03-04T02:00:00.000Z');

    beforeAll(async () => {
      db = await createReopenableContext(dialect, { clock });
      app = await createTestApp(db.ctx);
      w = await createWorld(app, db.ctx);
      admin = await tokenSession(app, db.ctx, 'admin');
      // The city's history: 30 closed requests per planted category, across all districts.
      const history = generateHistory({ rows: HISTORY_TEMPLATES.length * 30, seed: 3, start: '2024-01-01', days: 300 });
      const result = await importHistoryFile(db.ctx, systemActor('test'), Buffer.from(toJsonl(history)), 'planted.jsonl');
      expect(result.errors).toEqual([]);
    });
    afterAll(async () => {
      await app?.close();
      await db?.ctx.cleanup();
    });

    it('suggests nothing before a model exists, but still gives keywords', async () => {
      const res = await w.agent.post('/api/v1/intelligence/classify', PROBES[0]);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ categories: [], units: [], model: null });
      expect(res.json().keywords).toContain('停水');
    });

    it('learns the planted set and ranks the right category and unit first', async () => {
      const outcome = await trainSuggester(db.ctx, db.ctx.db, 'test');
      expect(outcome).toMatchObject({ trained: true, version: 1, rows: HISTORY_TEMPLATES.length * 30 });
      const xishan = await unitIdByCode(db.ctx, 'QC-D02');
      for (const [i, t] of HISTORY_TEMPLATES.entries()) {
        const district = t.unit === 'district' ? xishan : undefined;
        const res = await w.dispatcher.post('/api/v1/intelligence/classify', { ...PROBES[i], district });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body.categories[0].path.join('/'), t.category).toBe(t.category);
        const unitCode = t.unit === 'district' ? 'QC-D02' : t.unit;
        expect(body.units[0].id, `${t.category} → ${unitCode}`).toBe(await unitIdByCode(db.ctx, unitCode));
        expect(body.categories.length).toBeGreaterThanOrEqual(3);
        expect(body.units.length).toBeGreaterThanOrEqual(3);
        for (const list of [body.categories, body.units]) {
          const scores = list.map((x: { score: number }) => x.score);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
          expect(scores[0]).toBeGreaterThan(0);
          expect(scores[0]).toBeLessThanOrEqual(1);
        }
        expect(body.keywords.length).toBeGreaterThan(0);
        expect(body.model).toMatchObject({ version: 1 });
      }
      // The district decides which district government handles 物业: the same text in another district goes elsewhere.
      const nanjiang = await w.dispatcher.post('/api/v1/intelligence/classify', { ...PROBES[4], district: await unitIdByCode(db.ctx, 'QC-D03') });
      expect(nanjiang.json().units[0].id).toBe(await unitIdByCode(db.ctx, 'QC-D03'));
      // A unit handler does not dispatch: no suggestions for it.
      expect((await w.handler.post('/api/v1/intelligence/classify', PROBES[0])).statusCode).toBe(403);
      expect((await w.agent.post('/api/v1/intelligence/classify', { content: '路灯', district: 999999 })).statusCode).toBe(400);
    });

    it('keeps the model in the database: a new context on the same database loads it', async () => {
      const before = await classifyRequest(db.ctx, PROBES[1]);
      const other = await db.reopen();
      try {
        const loaded = await loadSuggester(other);
        expect(loaded?.version).toBe(1);
        const after = await classifyRequest(other, PROBES[1]);
        expect(after).toEqual(before);
        // A newer version stored by another instance is picked up.
        await trainSuggester(other, other.db, 'other-instance', { force: true });
        expect((await classifyRequest(db.ctx, PROBES[1])).model?.version).toBe(2);
      } finally {
        await other.close();
      }
    });

    it('retrains every night, and skips the work when nothing changed', async () => {
      const version = async () => Number((await admin.get('/api/v1/intelligence/model')).json().version);
      const start = await version();
      // The routes scheduled the nightly run for 02:00 Shanghai time; more history arrives during the day.
      const more = generateHistory({ rows: 16, seed: 99, start: '2025-03-01', days: 2 });
      await importHistoryFile(db.ctx, systemActor('test'), Buffer.from(toJsonl(more)), 'more.jsonl');
      clock.set('2025-03-04T17:59:00.000Z');
      await runDueJobs(db.ctx);
      expect(await version()).toBe(start);
      clock.set('2025-03-04T18:00:00.000Z');
      await runDueJobs(db.ctx);
      expect(await version()).toBe(start + 1);
      const model = (await admin.get('/api/v1/intelligence/model')).json();
      expect(model).toMatchObject({ trainedBy: 'nightly', trainingRows: HISTORY_TEMPLATES.length * 30 + 16 });
      // The next night nothing changed: no new version, and the run after that is scheduled.
      clock.set('2025-03-05T18:00:00.000Z');
      await runDueJobs(db.ctx);
      expect(await version()).toBe(start + 1);
      const next = await db.ctx.db.selectFrom('jobs').select(['run_at', 'status']).where('dedupe_key', '=', 'intelligence:retrain').executeTakeFirstOrThrow();
      expect(next).toEqual({ run_at: '2025-03-06T18:00:00.000Z', status: 'pending' });
    });

    it('dispatches automatically above the configured confidence, and only when switched on', async () => {
      const accept = async (p: { title: string; content: string }) => {
        const res = await w.agent.post('/api/v1/requests', { channelId: w.phoneChannelId, type: 'complaint', ...p, districtId: w.donghuId });
        expect(res.statusCode, res.body).toBe(201);
        return res.json();
      };
      const off = await accept(PROBES[0]);
      expect(await dispatchIfConfident(db.ctx, off.id)).toEqual({ dispatched: false, reason: 'disabled' });

      const settings = (await admin.get('/api/v1/intelligence/settings')).json();
      expect(settings.autoDispatch).toEqual({ enabled: false, minConfidence: 0.9 });
      const put = await admin.put('/api/v1/intelligence/settings', { ...settings, autoDispatch: { enabled: true, minConfidence: 0.5 } });
      expect(put.statusCode, put.body).toBe(200);
      expect((await w.dispatcher.put('/api/v1/intelligence/settings', settings)).statusCode).toBe(403);

      // POST /requests runs the step itself once it is switched on.
      const on = await accept(PROBES[0]);
      const detail = (await w.dispatcher.get(`/api/v1/requests/${on.id}`)).json();
      expect(detail.status).toBe('dispatched');
      expect(detail.leadUnitId).toBe(await unitIdByCode(db.ctx, 'QC-ZLS'));
      const event = detail.timeline.at(-1);
      expect(event).toMatchObject({ action: 'dispatch', actorName: 'auto-dispatch', actorId: null });
      expect(event.payload.note).toContain('自动派单');
      // Already dispatched: nothing more to do.
      expect(await dispatchIfConfident(db.ctx, on.id)).toEqual({ dispatched: false, reason: 'not-accepted' });

      // A text the model cannot place stays with the dispatchers.
      const unsure = await accept({ title: '其他', content: '我想反映一个情况。' });
      const doubt = await dispatchIfConfident(db.ctx, unsure.id);
      expect(doubt).toMatchObject({ dispatched: false, reason: 'low-confidence' });
      expect(doubt.score).toBeLessThan(0.5);
      expect((await w.dispatcher.get(`/api/v1/requests/${unsure.id}`)).json().status).toBe('accepted');
      await admin.put('/api/v1/intelligence/settings', settings);
    });
  });
}

describe('intelligence eval (CLI)', () => {
  it('prints top-1 and top-3 accuracy of a k-fold cross-validation on a labelled file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-eval-'));
    try {
      const file = path.join(dir, 'labeled.jsonl');
      const rows = generateHistory({ rows: 120, seed: 8 }).map((r) => ({ title: r.title, content: r.content, level1: r.category.split('/')[0] }));
      fs.writeFileSync(file, toJsonl(rows));
      const cli = path.resolve(__dirname, '../../../../bin/zhengtong.js');
      const { stdout } = await run(process.execPath, [cli, 'intelligence', 'eval', '--labeled', file, '--folds', '4', '--seed', '2'], { timeout: 120_000 });
      expect(stdout).toContain('120 labelled rows, 8 labels, 4-fold cross-validation (seed 2)');
      const top1 = Number(/top-1 accuracy: ([\d.]+) %/.exec(stdout)?.[1]);
      const top3 = Number(/top-3 accuracy: ([\d.]+) %/.exec(stdout)?.[1]);
      // The planted set is separable: the method must find it.
      expect(top1).toBeGreaterThanOrEqual(95);
      expect(top3).toBeGreaterThanOrEqual(top1);
      // Deterministic folds: the same seed prints the same figures.
      const again = await run(process.execPath, [cli, 'intelligence', 'eval', '--labeled', file, '--folds', '4', '--seed', '2'], { timeout: 120_000 });
      expect(again.stdout.replace(/\([\d.]+ s\)/, '')).toBe(stdout.replace(/\([\d.]+ s\)/, ''));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
