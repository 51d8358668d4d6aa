import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, FakeClock, createTestContext, type TestContext } from '../../test/harness';
import { readSetting, writeSetting } from '../settings';
import { cancelJob, registerJobHandler, runDueJobs, scheduleJob, type Job } from './jobs.service';
import { startJobWorker } from './jobs.worker';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`durable jobs (${dialect})`, () => {
    const clock = new FakeClock('2026-03-02T01:00:00.000Z');
    let ctx: TestContext;
    let kindNo = 0;
    /** A job kind of this test's own (the handler registry is process-wide). */
    const kind = (name: string) => `test.${dialect}.${name}.${++kindNo}`;
    const schedule = (k: string, inMs: number, payload: unknown = {}, dedupeKey?: string) =>
      scheduleJob(ctx.db, { kind: k, runAt: new Date(clock.now().getTime() + inMs), payload, dedupeKey, now: clock.now() });
    const jobsOf = (k: string) => ctx.db.selectFrom('jobs').selectAll().where('kind', '=', k).orderBy('id').execute();

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock, demo: false });
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    it('runs a job at its time, not before, and only once', async () => {
      const k = kind('remind');
      const calls: unknown[] = [];
      registerJobHandler(k, async (_ctx, _trx, payload) => void calls.push(payload));
      await schedule(k, 10 * MINUTE, { requestId: 42 });

      expect(await runDueJobs(ctx)).toBe(0);
      clock.advance(10 * MINUTE - 1000);
      expect(await runDueJobs(ctx)).toBe(0);
      expect(calls).toEqual([]);
      clock.advance(1000);
      expect(await runDueJobs(ctx)).toBe(1);
      expect(calls).toEqual([{ requestId: 42 }]);
      expect(await jobsOf(k)).toEqual([expect.objectContaining({ status: 'done', attempts: 1, finished_at: clock.now().toISOString(), last_error: null })]);

      clock.advance(60 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(0);
      expect(calls).toHaveLength(1);
    });

    it('runs due jobs oldest first', async () => {
      const k = kind('order');
      const seen: number[] = [];
      registerJobHandler(k, async (_ctx, _trx, payload) => void seen.push(payload.n));
      await schedule(k, 3 * MINUTE, { n: 3 });
      await schedule(k, 1 * MINUTE, { n: 1 });
      await schedule(k, 2 * MINUTE, { n: 2 });
      clock.advance(3 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(3);
      expect(seen).toEqual([1, 2, 3]);
    });

    it('reschedules by dedupe key instead of adding a second job', async () => {
      const k = kind('deadline');
      const calls: unknown[] = [];
      registerJobHandler(k, async (_ctx, _trx, payload) => void calls.push(payload));
      await schedule(k, 5 * MINUTE, { v: 1 }, `${k}:request:42`);
      await schedule(k, 20 * MINUTE, { v: 2 }, `${k}:request:42`);
      expect(await jobsOf(k)).toHaveLength(1);

      clock.advance(5 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(0);
      clock.advance(15 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(1);
      expect(calls).toEqual([{ v: 2 }]);

      // A key whose job already ran can be scheduled again.
      await schedule(k, 60 * MINUTE, { v: 3 }, `${k}:request:42`);
      expect(await jobsOf(k)).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
      clock.advance(60 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(1);
      expect(calls).toEqual([{ v: 2 }, { v: 3 }]);
    });

    it('cancels a job by its key', async () => {
      const k = kind('cancel');
      let calls = 0;
      registerJobHandler(k, async () => void calls++);
      await schedule(k, 5 * MINUTE, {}, `${k}:a`);
      await schedule(k, 5 * MINUTE, {}, `${k}:b`);
      await cancelJob(ctx.db, `${k}:a`, clock.now());
      clock.advance(10 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(1);
      expect(calls).toBe(1);
      expect((await jobsOf(k)).map((j) => [j.dedupe_key, j.status])).toEqual([[`${k}:a`, 'cancelled'], [`${k}:b`, 'done']]);
      // Cancelling what is gone or done changes nothing.
      await cancelJob(ctx.db, `${k}:b`, clock.now());
      await cancelJob(ctx.db, `${k}:none`, clock.now());
      expect((await jobsOf(k)).map((j) => j.status)).toEqual(['cancelled', 'done']);
    });

    it('retries a failing job with growing delays and marks it failed after the last attempt', async () => {
      const k = kind('flaky');
      let calls = 0;
      registerJobHandler(k, async () => {
        calls++;
        throw new Error(`upstream down (${calls})`);
      });
      await schedule(k, 0);
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 5; attempt++) {
        expect(await runDueJobs(ctx), `attempt ${attempt}`).toBe(1);
        const [job] = await jobsOf(k);
        expect(job.attempts).toBe(attempt);
        expect(job.last_error).toBe(`upstream down (${attempt})`);
        expect(job.locked_by).toBeNull();
        if (attempt < 5) {
          expect(job.status).toBe('pending');
          const delay = new Date(job.run_at).getTime() - clock.now().getTime();
          delays.push(delay);
          // Not again before its time.
          expect(await runDueJobs(ctx)).toBe(0);
          clock.advance(delay);
        } else {
          expect(job.status).toBe('failed');
          expect(job.finished_at).toBe(clock.now().toISOString());
        }
      }
      expect(delays).toEqual([2, 4, 8, 16].map((m) => m * MINUTE));
      clock.advance(24 * 60 * MINUTE);
      expect(await runDueJobs(ctx)).toBe(0);
      expect(calls).toBe(5);
    });

    it('leaves no database effect of a handler that throws, and keeps the effect of one that succeeds', async () => {
      const k = kind('effects');
      let fail = true;
      registerJobHandler(k, async (_ctx, trx, payload, job: Job) => {
        await writeSetting(trx, `test.effect.${job.id}`, payload, clock.now(), null);
        if (fail) throw new Error('failed after writing');
      });
      await schedule(k, 0, { written: true });
      expect(await runDueJobs(ctx)).toBe(1);
      const [job] = await jobsOf(k);
      expect(job).toMatchObject({ status: 'pending', attempts: 1, last_error: 'failed after writing' });
      expect(await readSetting(ctx.db, `test.effect.${job.id}`, null)).toBeNull();

      fail = false;
      clock.set(job.run_at);
      expect(await runDueJobs(ctx)).toBe(1);
      expect(await readSetting(ctx.db, `test.effect.${job.id}`, null)).toEqual({ written: true });
      expect((await jobsOf(k))[0]).toMatchObject({ status: 'done', attempts: 2 });
    });

    it('fails a job nobody handles, with the reason', async () => {
      const k = kind('orphan');
      await schedule(k, 0);
      expect(await runDueJobs(ctx)).toBe(1);
      expect((await jobsOf(k))[0]).toMatchObject({ status: 'pending', attempts: 1, last_error: `no handler for job kind ${k}` });
    });

    it('takes over a job whose worker died, but not one whose lease still runs', async () => {
      const k = kind('lease');
      let calls = 0;
      registerJobHandler(k, async () => void calls++);
      await schedule(k, 0, {}, `${k}:dead`);
      await schedule(k, 0, {}, `${k}:alive`);
      const past = new Date(clock.now().getTime() - 1000).toISOString();
      const future = new Date(clock.now().getTime() + 5 * MINUTE).toISOString();
      await ctx.db.updateTable('jobs').set({ status: 'running', locked_by: 'dead-worker', locked_until: past }).where('dedupe_key', '=', `${k}:dead`).execute();
      await ctx.db.updateTable('jobs').set({ status: 'running', locked_by: 'busy-worker', locked_until: future }).where('dedupe_key', '=', `${k}:alive`).execute();
      expect(await runDueJobs(ctx, { workerId: 'me' })).toBe(1);
      expect(calls).toBe(1);
      expect((await jobsOf(k)).map((j) => [j.dedupe_key, j.status, j.locked_by])).toEqual([[`${k}:dead`, 'done', 'me'], [`${k}:alive`, 'running', 'busy-worker']]);
    });

    it('runs each of 200 jobs exactly once with several workers at the same time', async () => {
      const k = kind('bulk');
      const runs = new Map<number, number>();
      const byWorker = new Map<string, number>();
      registerJobHandler(k, async (_ctx, trx, _payload, job: Job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        byWorker.set(job.locked_by!, (byWorker.get(job.locked_by!) ?? 0) + 1);
        // A plain insert: a second run of the same job would hit the primary key.
        await trx.insertInto('settings').values({ key: `test.bulk.${job.id}`, value: '1', updated_at: clock.now().toISOString(), updated_by: null }).execute();
      });
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 200; i++) await scheduleJob(trx, { kind: k, runAt: clock.now(), payload: { i }, now: clock.now() });
      });
      // Small batches, so the workers' claims interleave many times.
      const ran = await Promise.all(['worker-a', 'worker-b', 'worker-c', 'worker-d'].map((workerId) => runDueJobs(ctx, { workerId, limit: 3 })));
      expect(ran.reduce((a, b) => a + b, 0)).toBe(200);
      expect(runs.size).toBe(200);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      const jobs = await jobsOf(k);
      expect(jobs.every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
      const effects = await ctx.db.selectFrom('settings').select('key').where('key', 'like', 'test.bulk.%').execute();
      expect(effects).toHaveLength(200);
      // On PostgreSQL the workers really share the work (SKIP LOCKED); SQLite has one writer at a time.
      if (dialect === 'postgres') expect(byWorker.size).toBeGreaterThan(1);
    });

    it('has a worker loop that picks up due jobs and stops cleanly', async () => {
      const k = kind('loop');
      let resolveRan!: () => void;
      const ran = new Promise<void>((resolve) => (resolveRan = resolve));
      registerJobHandler(k, async () => resolveRan());
      await schedule(k, 0);
      const worker = startJobWorker(ctx, { intervalMs: 5 });
      await ran;
      await worker.stop();
      expect((await jobsOf(k))[0]).toMatchObject({ status: 'done', locked_by: worker.workerId });
    });
  });
}
