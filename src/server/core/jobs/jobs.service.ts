import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../context';
import type { Tx } from '../db/database';
import type { JobsTable } from '../db/tables';
import type { Selectable, Transaction } from 'kysely';
import type { DB } from '../db/tables';

export type Job = Selectable<JobsTable>;

/**
 * A job handler runs inside the transaction that marks the job done, so its database effects happen
 * exactly once even if the process dies mid-way or two instances race for the same row.
 */
export type JobHandler = (ctx: AppContext, trx: Transaction<DB>, payload: any, job: Job) => Promise<void>;

const handlers = new Map<string, JobHandler>();

export function registerJobHandler(kind: string, handler: JobHandler): void {
  handlers.set(kind, handler);
}

/** Schedules (or re-schedules, by dedupe key) a durable timer in the caller's transaction. */
export async function scheduleJob(trx: Tx, job: { kind: string; runAt: Date; payload: unknown; dedupeKey?: string; now: Date }): Promise<void> {
  const values = {
    kind: job.kind, payload: JSON.stringify(job.payload ?? null), run_at: job.runAt.toISOString(), status: 'pending' as const,
    attempts: 0, locked_by: null, locked_until: null, last_error: null, finished_at: null,
  };
  if (!job.dedupeKey) {
    await trx.insertInto('jobs').values({ ...values, dedupe_key: null, created_at: job.now.toISOString() }).execute();
    return;
  }
  await trx.insertInto('jobs').values({ ...values, dedupe_key: job.dedupeKey, created_at: job.now.toISOString() })
    .onConflict((oc) => oc.column('dedupe_key').doUpdateSet(values)).execute();
}

/**
 * Schedules a recurring job unless its timer is already pending or running: what an instance that runs jobs
 * calls at start to keep a schedule alive (idempotent; two instances at once meet on the dedupe key).
 */
export async function ensureJob(db: Tx, job: { kind: string; runAt: Date; payload: unknown; dedupeKey: string; now: Date }): Promise<void> {
  const existing = await db.selectFrom('jobs').select('status').where('dedupe_key', '=', job.dedupeKey).executeTakeFirst();
  if (existing && (existing.status === 'pending' || existing.status === 'running')) return;
  await scheduleJob(db, job);
}

export async function cancelJob(trx: Tx, dedupeKey: string, now: Date): Promise<void> {
  await trx.updateTable('jobs').set({ status: 'cancelled', finished_at: now.toISOString() })
    .where('dedupe_key', '=', dedupeKey).where('status', 'in', ['pending', 'running']).execute();
}

const LEASE_MS = 5 * 60 * 1000;

/** Claims due jobs; on PostgreSQL concurrent workers skip each other's rows (FOR UPDATE SKIP LOCKED). */
async function claimDueJobs(ctx: AppContext, workerId: string, limit: number): Promise<Job[]> {
  const now = ctx.clock.now().toISOString();
  const leaseEnd = new Date(ctx.clock.now().getTime() + LEASE_MS).toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    // A 'running' row whose lease ran out belongs to a worker that died: it is due again.
    let pick = trx.selectFrom('jobs').select('id')
      .where((eb) => eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
      ]))
      .orderBy('run_at').limit(limit);
    if (ctx.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const ids = (await pick.execute()).map((r) => r.id);
    if (!ids.length) return [];
    const claimed = await trx.updateTable('jobs').set({ status: 'running', locked_by: workerId, locked_until: leaseEnd })
      .where('id', 'in', ids).returningAll().execute();
    // RETURNING comes back in no particular order; run the batch in the order it was picked (most overdue first).
    return claimed.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id - b.id));
  });
}

/** Runs every due job once. Returns how many ran (succeeded or failed). */
export async function runDueJobs(ctx: AppContext, opts: { workerId?: string; limit?: number } = {}): Promise<number> {
  const workerId = opts.workerId ?? `worker-${randomUUID()}`;
  let ran = 0;
  for (;;) {
    const jobs = await claimDueJobs(ctx, workerId, opts.limit ?? 50);
    if (!jobs.length) return ran;
    for (const job of jobs) {
      await runOne(ctx, job, workerId);
      ran++;
    }
  }
}

async function runOne(ctx: AppContext, job: Job, workerId: string): Promise<void> {
  const handler = handlers.get(job.kind);
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
    await ctx.db.transaction().execute(async (trx) => {
      // Re-check ownership inside the transaction: a slow worker whose lease was taken over does nothing.
      const mine = await trx.updateTable('jobs').set({ status: 'done', finished_at: ctx.clock.now().toISOString(), attempts: sql`attempts + 1` as any })
        .where('id', '=', job.id).where('status', '=', 'running').where('locked_by', '=', workerId).executeTakeFirst();
      if (Number(mine.numUpdatedRows) !== 1) return;
      await handler(ctx, trx, JSON.parse(job.payload), job);
    });
  } catch (err) {
    const attempts = job.attempts + 1;
    const failed = attempts >= job.max_attempts;
    const retryAt = new Date(ctx.clock.now().getTime() + Math.min(60_000 * 2 ** attempts, 3_600_000));
    ctx.log.error({ err, jobId: job.id, kind: job.kind, attempts }, 'job failed');
    await ctx.db.updateTable('jobs').set({
      status: failed ? 'failed' : 'pending', attempts, last_error: String((err as Error)?.message ?? err).slice(0, 2000),
      run_at: retryAt.toISOString(), locked_by: null, locked_until: null, finished_at: failed ? ctx.clock.now().toISOString() : null,
    }).where('id', '=', job.id).where('locked_by', '=', workerId).execute();
  }
}
