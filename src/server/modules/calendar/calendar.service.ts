import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { CN_HOLIDAYS, DEFAULT_WORKING_HOURS, WorkingCalendar, formatInstantWithOffset, type DeadlineUnit, type WorkingPeriod } from '../../core/calendar';
import type { Actor } from '../../core/http/access';
import { fieldError } from '../../core/http/errors';
import { readSetting, writeSetting } from '../../core/settings';
import type { Database } from '../../core/db/database';

const HOURS_KEY = 'calendar.workingHours';
const VERSION_KEY = 'calendar.version';
const SEEDED_KEY = 'calendar.seeded';

/**
 * The working calendar lives in the database, so every instance computes the same deadlines. Each
 * instance keeps a built copy and rebuilds it when the stored version number moves.
 */
const cache = new WeakMap<Database, { version: number; calendar: WorkingCalendar }>();

export async function getWorkingCalendar(ctx: AppContext): Promise<WorkingCalendar> {
  const version = await readSetting<number>(ctx.db, VERSION_KEY, 0);
  const hit = cache.get(ctx.database);
  if (hit && hit.version === version) return hit.calendar;
  const [hours, days] = await Promise.all([
    readSetting<WorkingPeriod[]>(ctx.db, HOURS_KEY, [...DEFAULT_WORKING_HOURS]),
    ctx.db.selectFrom('calendar_days').select(['date', 'kind']).execute(),
  ]);
  const calendar = new WorkingCalendar({
    timeZone: ctx.config.timeZone, workingHours: hours,
    offDays: days.filter((d) => d.kind === 'off').map((d) => d.date), workDays: days.filter((d) => d.kind === 'work').map((d) => d.date),
  });
  cache.set(ctx.database, { version, calendar });
  return calendar;
}

/** First start: the official 2024–2026 calendar the project ships. Runs once; later edits are the admin's. */
export async function ensureDefaultCalendar(ctx: AppContext): Promise<void> {
  if (await readSetting<boolean>(ctx.db, SEEDED_KEY, false)) return;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    for (const [, year] of Object.entries(CN_HOLIDAYS)) {
      const rows = [...year.off.map((date) => ({ date, kind: 'off' as const })), ...year.work.map((date) => ({ date, kind: 'work' as const }))];
      for (const r of rows) {
        await trx.insertInto('calendar_days').values({ ...r, note: null, updated_at: now.toISOString() }).onConflict((oc) => oc.column('date').doNothing()).execute();
      }
    }
    await writeSetting(trx, SEEDED_KEY, true, now, null);
    await bumpVersion(trx, now);
  });
}

async function bumpVersion(trx: Parameters<typeof readSetting>[0], now: Date): Promise<void> {
  const v = await readSetting<number>(trx, VERSION_KEY, 0);
  await writeSetting(trx, VERSION_KEY, v + 1, now, null);
}

export async function getCalendarYear(ctx: AppContext, year: number) {
  const days = await ctx.db.selectFrom('calendar_days').selectAll().where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).orderBy('date').execute();
  const hours = await readSetting<WorkingPeriod[]>(ctx.db, HOURS_KEY, [...DEFAULT_WORKING_HOURS]);
  return { year, timeZone: ctx.config.timeZone, workingHours: hours, days: days.map((d) => ({ date: d.date, kind: d.kind, note: d.note })) };
}

function assertDate(date: string, field: string): void {
  const d = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw fieldError(field, { zh: '日期应为 YYYY-MM-DD', en: 'must be a date YYYY-MM-DD' });
  }
}

/** Sets (or with kind null removes) one exception day. */
export async function setCalendarDay(ctx: AppContext, actor: Actor, date: string, kind: 'off' | 'work' | null, note: string | null) {
  assertDate(date, 'date');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('calendar_days').selectAll().where('date', '=', date).executeTakeFirst();
    if (kind === null) await trx.deleteFrom('calendar_days').where('date', '=', date).execute();
    else {
      const v = { kind, note, updated_at: now.toISOString() };
      await trx.insertInto('calendar_days').values({ date, ...v }).onConflict((oc) => oc.column('date').doUpdateSet(v)).execute();
    }
    await bumpVersion(trx, now);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'calendar.day', entity: 'calendar', entityId: date, before: before ? { kind: before.kind, note: before.note } : null, after: kind ? { kind, note } : null });
  });
}

/** Imports a year's official list (as the State Council publishes it each November), replacing that year's rows. */
export async function importCalendarYears(ctx: AppContext, actor: Actor, years: Record<string, { off: string[]; work: string[] }>) {
  for (const [year, lists] of Object.entries(years)) {
    if (!/^\d{4}$/.test(year)) throw fieldError('years', { zh: `年份无效：${year}`, en: `invalid year ${year}` });
    lists.off.forEach((d, i) => { assertDate(d, `years.${year}.off.${i}`); if (!d.startsWith(year)) throw fieldError(`years.${year}.off.${i}`, { zh: '日期不在该年份内', en: 'is not in that year' }); });
    lists.work.forEach((d, i) => { assertDate(d, `years.${year}.work.${i}`); if (!d.startsWith(year)) throw fieldError(`years.${year}.work.${i}`, { zh: '日期不在该年份内', en: 'is not in that year' }); });
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    for (const [year, lists] of Object.entries(years)) {
      await trx.deleteFrom('calendar_days').where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).execute();
      for (const date of lists.off) await trx.insertInto('calendar_days').values({ date, kind: 'off', note: null, updated_at: now.toISOString() }).execute();
      for (const date of lists.work) await trx.insertInto('calendar_days').values({ date, kind: 'work', note: null, updated_at: now.toISOString() }).execute();
    }
    await bumpVersion(trx, now);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'calendar.import', entity: 'calendar', note: Object.fromEntries(Object.entries(years).map(([y, l]) => [y, { off: l.off.length, work: l.work.length }])) });
  });
}

export async function setWorkingHours(ctx: AppContext, actor: Actor, hours: WorkingPeriod[]) {
  try {
    new WorkingCalendar({ timeZone: ctx.config.timeZone, workingHours: hours });
  } catch (err) {
    throw fieldError('workingHours', (err as Error).message);
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await readSetting<WorkingPeriod[]>(trx, HOURS_KEY, [...DEFAULT_WORKING_HOURS]);
    await writeSetting(trx, HOURS_KEY, hours, now, actor.userId);
    await bumpVersion(trx, now);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'calendar.hours', entity: 'calendar', before: { workingHours: before }, after: { workingHours: hours } });
  });
}

/** The deadline the platform would set: the same code the workflows use. */
export async function computeDeadline(ctx: AppContext, start: Date, amount: number, unit: DeadlineUnit) {
  const calendar = await getWorkingCalendar(ctx);
  if (unit === 'working-days' && (!Number.isInteger(amount) || amount < 1)) {
    throw fieldError('amount', { zh: '工作日数应为不小于 1 的整数', en: 'working days must be a whole number ≥ 1' });
  }
  const due = calendar.deadline(start, amount, unit);
  return { due: formatInstantWithOffset(due, ctx.config.timeZone) };
}
