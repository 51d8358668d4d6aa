import type { AppContext } from '../../context';
import { nextLocalHour } from '../../core/calendar';
import type { Tx } from '../../core/db/database';
import { ensureJob, registerJobHandler, scheduleJob } from '../../core/jobs';
import { isIndexStale, scheduleReindex } from './dictionary.service';
import { getIntelligenceSettings, trainSuggester } from './suggester.service';

/**
 * The recurring work of the module: every night the suggester learns from the day's closed requests
 * (skipped when nothing changed) and the search index is re-segmented if the city dictionary moved
 * (a unit or category renamed, a word added). Timers are job rows; the job reschedules itself.
 */

export const RETRAIN_JOB = 'intelligence.retrain';
const RETRAIN_KEY = 'intelligence:retrain';
export const TRAIN_NOW_JOB = 'intelligence.train';
const TRAIN_NOW_KEY = 'intelligence:train-now';

/** The nightly retraining's timer after `now`, at the training hour of the settings. */
async function nextRetrain(ctx: AppContext, db: Tx, now: Date) {
  const { training } = await getIntelligenceSettings(db);
  return { kind: RETRAIN_JOB, runAt: nextLocalHour(now, training.hour, ctx.config.timeZone), payload: {}, dedupeKey: RETRAIN_KEY, now };
}

async function scheduleNextRetrain(ctx: AppContext, trx: Tx, now: Date): Promise<void> {
  await scheduleJob(trx, await nextRetrain(ctx, trx, now));
}

registerJobHandler(RETRAIN_JOB, async (ctx, trx) => {
  const now = ctx.clock.now();
  const outcome = await trainSuggester(ctx, trx, 'nightly');
  ctx.log.info({ outcome }, 'nightly suggester training');
  if (await isIndexStale(ctx, trx)) await scheduleReindex(trx, now);
  await scheduleNextRetrain(ctx, trx, now);
});

registerJobHandler(TRAIN_NOW_JOB, async (ctx, trx, payload: { by: string }) => {
  const outcome = await trainSuggester(ctx, trx, payload.by, { force: true });
  ctx.log.info({ outcome }, 'suggester trained on request');
});

/** Queues a training run now (the API's "train" button): the HTTP request does not wait for it. */
export async function queueTraining(ctx: AppContext, by: string): Promise<void> {
  const now = ctx.clock.now();
  await scheduleJob(ctx.db, { kind: TRAIN_NOW_JOB, runAt: now, payload: { by }, dedupeKey: TRAIN_NOW_KEY, now });
}

/** Makes sure the nightly retraining is scheduled (called when the module's routes are mounted). */
export async function ensureNightlyRetrain(ctx: AppContext): Promise<void> {
  await ensureJob(ctx.db, await nextRetrain(ctx, ctx.db, ctx.clock.now()));
}

/** After the training hour changed: the pending nightly run moves to the new hour. */
export async function rescheduleNightlyRetrain(ctx: AppContext): Promise<void> {
  await ctx.db.transaction().execute((trx) => scheduleNextRetrain(ctx, trx, ctx.clock.now()));
}
