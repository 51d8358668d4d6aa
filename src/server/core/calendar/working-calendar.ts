/**
 * Working calendar (工作日历): which local dates are working days, which hours of them are working
 * time, and deadline arithmetic over them. All local dates and times are in the calendar's own zone,
 * independent of the process time zone.
 *
 * A date is a working day when it is a Monday–Friday not listed in `offDays`, or a Saturday/Sunday
 * listed in `workDays`. Dates outside the years the holiday data covers therefore fall back to plain
 * Saturday/Sunday weekends: until the next year's list is entered, its holidays count as working days.
 *
 * Working periods are half-open [start, end): an instant exactly at 12:00 is outside the morning
 * period. Per-date working periods are computed once (as epoch instants) and cached, so every method
 * loops over days, never over hours or minutes.
 */

import { CN_HOLIDAYS, flattenHolidayTable, type HolidayTable } from './cn-holidays';
import {
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  dayNumberToLocalDate,
  isValidTimeZone,
  localDateToDayNumber,
  localDayNumberOf,
  getTimeZoneOffsetMs,
  wallTimeToEpochMs,
  weekdayOfDayNumber,
} from './timezone';

/** A daily working period in local time, `HH:MM` (end may be `24:00`). */
export interface WorkingPeriod {
  start: string;
  end: string;
}

export interface WorkingCalendarOptions {
  /** IANA zone of the local dates and working hours, e.g. `Asia/Shanghai`. */
  timeZone: string;
  /** Daily working periods, in order, not overlapping. Default {@link DEFAULT_WORKING_HOURS}. */
  workingHours?: readonly WorkingPeriod[];
  /** `YYYY-MM-DD` days off: holidays on weekdays, and weekend days inside a holiday block. */
  offDays?: Iterable<string>;
  /** `YYYY-MM-DD` 调休上班 moved working days: Saturdays/Sundays that are working days. */
  workDays?: Iterable<string>;
}

export type DeadlineUnit = 'working-days' | 'working-hours' | 'calendar-hours' | 'calendar-days';

export const DEADLINE_UNITS: readonly DeadlineUnit[] = ['working-days', 'working-hours', 'calendar-hours', 'calendar-days'];

export const DEFAULT_WORKING_HOURS: readonly WorkingPeriod[] = Object.freeze([
  Object.freeze({ start: '09:00', end: '12:00' }),
  Object.freeze({ start: '13:30', end: '17:30' }),
]);

interface DayInfo {
  /** Working periods of the date as epoch ms: [start0, end0, start1, end1, …]; empty on days off. */
  readonly bounds: readonly number[];
  /** Working ms of the whole date. */
  readonly total: number;
}

const DAY_OFF: DayInfo = Object.freeze({ bounds: Object.freeze([]) as readonly number[], total: 0 });
const MAX_CACHED_DAYS = 50_000;
const HH_MM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

function parseHhMm(value: string): number {
  const m = typeof value === 'string' ? HH_MM.exec(value) : null;
  if (!m) throw new RangeError(`Invalid working-hours time "${String(value)}" (expected HH:MM, 00:00–24:00)`);
  return m[3] ? 24 * 60 : Number(m[1]) * 60 + Number(m[2]);
}

function epochMsOf(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError('Invalid instant');
  return ms;
}

function requireAmount(amount: number, what: string, integer: boolean): void {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || (integer && !Number.isInteger(amount))) {
    throw new RangeError(`${what} must be a ${integer ? 'non-negative integer' : 'non-negative finite number'} (got ${amount})`);
  }
}

export class WorkingCalendar {
  readonly timeZone: string;
  readonly workingHours: readonly WorkingPeriod[];
  /** Working periods as [startMinute, endMinute] of the local day. */
  private readonly periods: ReadonlyArray<readonly [number, number]>;
  private readonly offDays = new Set<number>();
  private readonly workDays = new Set<number>();
  private readonly days = new Map<number, DayInfo>();

  constructor(options: WorkingCalendarOptions) {
    const { timeZone, workingHours = DEFAULT_WORKING_HOURS, offDays = [], workDays = [] } = options;
    if (!isValidTimeZone(timeZone)) throw new RangeError(`Invalid time zone "${String(timeZone)}"`);
    this.timeZone = timeZone;

    if (workingHours.length === 0) throw new RangeError('At least one working period is required');
    let previousEnd = -1;
    this.periods = workingHours.map(({ start, end }) => {
      const s = parseHhMm(start);
      const e = parseHhMm(end);
      if (e <= s) throw new RangeError(`Working period ${start}–${end} must end after it starts`);
      if (s < previousEnd) throw new RangeError(`Working period ${start}–${end} overlaps or precedes the one before it`);
      previousEnd = e;
      return [s, e] as const;
    });
    this.workingHours = Object.freeze(workingHours.map((p) => Object.freeze({ start: p.start, end: p.end })));

    for (const date of offDays) this.offDays.add(localDateToDayNumber(date));
    for (const date of workDays) this.workDays.add(localDateToDayNumber(date));
    const both = [...this.workDays].filter((d) => this.offDays.has(d));
    if (both.length > 0) {
      throw new RangeError(`Dates listed both as off days and as working days: ${both.map(dayNumberToLocalDate).join(', ')}`);
    }
  }

  /** The options this calendar was built from: the same calendar elsewhere (a worker thread) is `new WorkingCalendar(c.options())`. */
  options(): Required<WorkingCalendarOptions> {
    const dates = (days: Set<number>) => [...days].sort((a, b) => a - b).map(dayNumberToLocalDate);
    return { timeZone: this.timeZone, workingHours: this.workingHours, offDays: dates(this.offDays), workDays: dates(this.workDays) };
  }

  isWorkingDay(localDate: string): boolean {
    return this.isWorkingDayNumber(localDateToDayNumber(localDate));
  }

  /** True when the instant lies inside a working period of a working day. */
  isWorkingTime(instant: Date): boolean {
    const t = epochMsOf(instant);
    const b = this.day(this.localDay(t)).bounds;
    for (let i = 0; i < b.length; i += 2) if (t >= b[i] && t < b[i + 1]) return true;
    return false;
  }

  /**
   * "N working days after acceptance": the end of the last working period of the N-th working day
   * after the local date of `start`. The acceptance date itself never counts, whatever the time and
   * whether or not it is a working day. `n` is a positive integer.
   */
  addWorkingDays(start: Date, n: number): Date {
    requireAmount(n, 'Working days', true);
    if (n < 1) throw new RangeError('Working days must be at least 1');
    let dayNumber = this.localDay(epochMsOf(start));
    for (let counted = 0; counted < n; ) {
      dayNumber += 1;
      if (this.day(dayNumber).total > 0) counted += 1;
    }
    const b = this.day(dayNumber).bounds;
    return new Date(b[b.length - 1]);
  }

  /** `addWorkingMillis` in hours; fractional hours allowed (rounded to the millisecond). */
  addWorkingHours(start: Date, hours: number): Date {
    requireAmount(hours, 'Working hours', false);
    return this.addWorkingMillis(start, hours * MS_PER_HOUR);
  }

  /**
   * The instant at which `ms` of working time has elapsed since `start`. A start outside working time
   * begins counting at the next working period; a result falling exactly on the end of a period is
   * that end, not the next period's start. With `ms` = 0 the result is the first working instant at or
   * after `start` (a start exactly at a period end moves to the next period start).
   */
  addWorkingMillis(start: Date, ms: number): Date {
    requireAmount(ms, 'Working milliseconds', false);
    const t = epochMsOf(start);
    let remaining = Math.round(ms);
    for (let dayNumber = this.localDay(t); ; dayNumber += 1) {
      const { bounds: b, total } = this.day(dayNumber);
      if (total === 0) continue;
      if (t <= b[0] && remaining > total) {
        remaining -= total;
        continue;
      }
      for (let i = 0; i < b.length; i += 2) {
        const end = b[i + 1];
        if (end <= t) continue;
        const from = Math.max(b[i], t);
        if (remaining <= end - from) return new Date(from + remaining);
        remaining -= end - from;
      }
    }
  }

  /** Working time in ms within [a, b); 0 when b <= a. */
  workingMillisBetween(a: Date, b: Date): number {
    const from = epochMsOf(a);
    const to = epochMsOf(b);
    if (to <= from) return 0;
    let sum = 0;
    const last = this.localDay(to);
    for (let dayNumber = this.localDay(from); dayNumber <= last; dayNumber += 1) {
      const { bounds, total } = this.day(dayNumber);
      if (total === 0) continue;
      if (from <= bounds[0] && to >= bounds[bounds.length - 1]) {
        sum += total;
        continue;
      }
      for (let i = 0; i < bounds.length; i += 2) {
        const overlap = Math.min(bounds[i + 1], to) - Math.max(bounds[i], from);
        if (overlap > 0) sum += overlap;
      }
    }
    return sum;
  }

  /**
   * One entry point for deadline arithmetic:
   * - `working-days`: {@link addWorkingDays} (end of the N-th working day after the start date);
   * - `working-hours`: {@link addWorkingHours};
   * - `calendar-hours`: elapsed hours, regardless of the calendar;
   * - `calendar-days`: the same local wall-clock time N dates later (23 or 25 elapsed hours across a
   *   daylight-saving change); N is an integer.
   */
  deadline(start: Date, amount: number, unit: DeadlineUnit): Date {
    switch (unit) {
      case 'working-days':
        return this.addWorkingDays(start, amount);
      case 'working-hours':
        return this.addWorkingHours(start, amount);
      case 'calendar-hours':
        requireAmount(amount, 'Calendar hours', false);
        return new Date(epochMsOf(start) + Math.round(amount * MS_PER_HOUR));
      case 'calendar-days': {
        requireAmount(amount, 'Calendar days', true);
        const t = epochMsOf(start);
        const wall = t + getTimeZoneOffsetMs(t, this.timeZone);
        return new Date(wallTimeToEpochMs(wall + amount * MS_PER_DAY, this.timeZone));
      }
      default:
        throw new RangeError(`Unknown deadline unit "${String(unit)}"`);
    }
  }

  private localDay(epochMs: number): number {
    return localDayNumberOf(epochMs, this.timeZone);
  }

  private isWorkingDayNumber(dayNumber: number): boolean {
    const weekday = weekdayOfDayNumber(dayNumber);
    return weekday === 0 || weekday === 6 ? this.workDays.has(dayNumber) : !this.offDays.has(dayNumber);
  }

  private day(dayNumber: number): DayInfo {
    let info = this.days.get(dayNumber);
    if (info === undefined) {
      info = this.computeDay(dayNumber);
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      this.days.set(dayNumber, info);
    }
    return info;
  }

  private computeDay(dayNumber: number): DayInfo {
    if (!this.isWorkingDayNumber(dayNumber)) return DAY_OFF;
    const midnight = dayNumber * MS_PER_DAY;
    const bounds: number[] = [];
    let total = 0;
    let previousEnd = Number.NEGATIVE_INFINITY;
    for (const [s, e] of this.periods) {
      // Boundaries inside a daylight-saving gap shift forward; clamping keeps periods ordered.
      const start = Math.max(wallTimeToEpochMs(midnight + s * MS_PER_MINUTE, this.timeZone), previousEnd);
      const end = wallTimeToEpochMs(midnight + e * MS_PER_MINUTE, this.timeZone);
      if (end > start) {
        bounds.push(start, end);
        total += end - start;
        previousEnd = end;
      }
    }
    return { bounds, total };
  }
}

export function createWorkingCalendar(options: WorkingCalendarOptions): WorkingCalendar {
  return new WorkingCalendar(options);
}

/** A calendar from a holiday table shaped like {@link CN_HOLIDAYS} (e.g. the administrator-edited copy). */
export function createCalendarFromHolidays(
  holidays: HolidayTable,
  options: { timeZone: string; workingHours?: readonly WorkingPeriod[] },
): WorkingCalendar {
  return new WorkingCalendar({ ...options, ...flattenHolidayTable(holidays) });
}

/**
 * The platform default: Chinese official holidays 2024–2026 (plain weekends for other years) and
 * working hours 09:00–12:00, 13:30–17:30.
 */
export function createDefaultCalendar(timeZone = 'Asia/Shanghai'): WorkingCalendar {
  return createCalendarFromHolidays(CN_HOLIDAYS, { timeZone });
}
