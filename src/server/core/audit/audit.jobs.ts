import type { AppContext } from '../../context';
import { nextLocalHour } from '../calendar';
import type { Tx } from '../db/database';
import { ensureJob, registerJobHandler, scheduleJob } from '../jobs';
import type { AuditHead } from './audit.service';

/**
 * Every night the trail's head (its last row's id and hash) goes to the log. Logs are shipped and kept apart
 * from the database, so the heads are kept where somebody who can rewrite the database cannot:
 * `zhengtong audit verify --head ID:HASH` with any of them later shows rows removed from the end of the
 * trail, or a trail rewritten from some row on, which the chain alone cannot.
 */

export const AUDIT_HEAD_JOB = 'audit.head';
const AUDIT_HEAD_KEY = 'audit:head';
// Local midnight: a head per day, after the day's last writes.
const AUDIT_HEAD_HOUR = 0;

/** The trail's last row as a head (no verification: `audit verify --head` checks against it later). */
async function auditHead(db: Tx): Promise<AuditHead | null> {
  const row = await db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? { id: row.id, hash: row.hash } : null;
}

const nextRun = (ctx: AppContext, now: Date) => nextLocalHour(now, AUDIT_HEAD_HOUR, ctx.config.timeZone);

registerJobHandler(AUDIT_HEAD_JOB, async (ctx, trx) => {
  const now = ctx.clock.now();
  const head = await auditHead(trx);
  if (head) ctx.log.info({ auditHead: `${head.id}:${head.hash}` }, 'audit trail head: keep it; `zhengtong audit verify --head ID:HASH` shows any row up to it removed or rewritten since');
  await scheduleJob(trx, { kind: AUDIT_HEAD_JOB, runAt: nextRun(ctx, now), payload: {}, dedupeKey: AUDIT_HEAD_KEY, now });
});

/** Keeps the nightly head alive (an instance that runs jobs calls it at start; idempotent). */
export async function ensureAuditHeadJob(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now();
  await ensureJob(ctx.db, { kind: AUDIT_HEAD_JOB, runAt: nextRun(ctx, now), payload: {}, dedupeKey: AUDIT_HEAD_KEY, now });
}
