/**
 * Time-zone arithmetic that never depends on the process time zone: every conversion names its zone
 * and goes through Intl. Local calendar dates are handled as "day numbers" (days since 1970-01-01 of
 * the proleptic Gregorian calendar) so that date arithmetic is plain integer arithmetic.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Wall-clock fields of an instant in a zone. `weekday`: 0 = Sunday … 6 = Saturday. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** A wall-clock time in some zone; omitted time fields are 0. `hour` may be 24 for the end of the day. */
export interface LocalDateTimeParts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
}

// ---------------------------------------------------------------------------------------------------
// Civil-date arithmetic (H. Hinnant's days_from_civil / civil_from_days), valid for all years.

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday; day number 0 (1970-01-01) was a Thursday. */
export function weekdayOfDayNumber(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a strict `YYYY-MM-DD` local date into its day number; throws RangeError otherwise. */
export function localDateToDayNumber(localDate: string): number {
  const m = typeof localDate === 'string' ? LOCAL_DATE.exec(localDate) : null;
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return daysFromCivil(year, month, day);
    }
  }
  throw new RangeError(`Invalid local date "${String(localDate)}" (expected an existing YYYY-MM-DD date)`);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function dayNumberToLocalDate(dayNumber: number): string {
  const { year, month, day } = civilFromDays(dayNumber);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

export function addDaysToDate(localDate: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Day count must be an integer (got ${n})`);
  return dayNumberToLocalDate(localDateToDayNumber(localDate) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOfDate(localDate: string): number {
  return weekdayOfDayNumber(localDateToDayNumber(localDate));
}

// ---------------------------------------------------------------------------------------------------
// Zone offsets.

interface ZoneCache {
  format: Intl.DateTimeFormat;
  /** Offset by UTC day; NaN marks a day containing an offset change (computed exactly per call). */
  offsetByUtcDay: Map<number, number>;
}

const MAX_CACHED_DAYS_PER_ZONE = 100_000;
const zoneCaches = new Map<string, ZoneCache>();

function zoneCache(timeZone: string): ZoneCache {
  let cache = zoneCaches.get(timeZone);
  if (cache === undefined) {
    if (typeof timeZone !== 'string' || timeZone === '') {
      throw new RangeError(`Invalid time zone "${String(timeZone)}"`);
    }
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    cache = { format, offsetByUtcDay: new Map() };
    zoneCaches.set(timeZone, cache);
  }
  return cache;
}

/** Offset (local − UTC, ms) by asking Intl; the slow path behind the per-day cache. */
function intlOffset(format: Intl.DateTimeFormat, epochMs: number): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of format.formatToParts(whole)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value) % 24; break; // some ICU versions print 24 for midnight
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      case 'era': bc = part.value === 'BC' || part.value === 'B'; break;
    }
  }
  if (bc) year = 1 - year;
  const wall = daysFromCivil(year, month, day) * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * 1000;
  return wall - whole;
}

function offsetAt(cache: ZoneCache, epochMs: number): number {
  const utcDay = Math.floor(epochMs / MS_PER_DAY);
  let offset = cache.offsetByUtcDay.get(utcDay);
  if (offset === undefined) {
    // Transitions happen on whole seconds and never twice within a day, so equal offsets at the first
    // and last second of a UTC day mean the offset holds for the whole day.
    const first = intlOffset(cache.format, utcDay * MS_PER_DAY);
    const last = intlOffset(cache.format, utcDay * MS_PER_DAY + MS_PER_DAY - 1000);
    offset = first === last ? first : Number.NaN;
    if (cache.offsetByUtcDay.size >= MAX_CACHED_DAYS_PER_ZONE) cache.offsetByUtcDay.clear();
    cache.offsetByUtcDay.set(utcDay, offset);
  }
  return Number.isNaN(offset) ? intlOffset(cache.format, epochMs) : offset;
}

function epochMsOf(instant: Date | number): number {
  const ms = typeof instant === 'number' ? instant : instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError('Invalid instant');
  return ms;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    zoneCache(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset at an instant in milliseconds (local − UTC; +08:00 → 28 800 000). */
export function getTimeZoneOffsetMs(instant: Date | number, timeZone: string): number {
  return offsetAt(zoneCache(timeZone), epochMsOf(instant));
}

/**
 * Converts a wall-clock time, written as milliseconds since 1970-01-01T00:00 *local*, into an epoch
 * instant. Ambiguous times (clocks turned back) take the earlier instant; non-existent times (clocks
 * turned forward) are moved forward by the length of the gap — the same choice as Temporal's
 * 'compatible' disambiguation.
 */
export function wallTimeToEpochMs(wallMs: number, timeZone: string): number {
  const cache = zoneCache(timeZone);
  // Offsets lie within ±14 h, so the true instant lies strictly between these two probes.
  const before = offsetAt(cache, wallMs - MS_PER_DAY);
  const after = offsetAt(cache, wallMs + MS_PER_DAY);
  if (before === after && offsetAt(cache, wallMs - before) === before) return wallMs - before;
  let best = Number.NaN;
  for (const offset of [before, after]) {
    const candidate = wallMs - offset;
    if (offsetAt(cache, candidate) === offset && !(candidate >= best)) best = candidate;
  }
  return Number.isNaN(best) ? wallMs - before : best;
}

export function zonedTimeToInstant(parts: LocalDateTimeParts, timeZone: string): Date {
  const { year, month, day, hour = 0, minute = 0, second = 0, ms = 0 } = parts;
  const valid =
    Number.isInteger(year) && Number.isInteger(month) && month >= 1 && month <= 12 &&
    Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month) &&
    Number.isInteger(hour) && Number.isInteger(minute) && Number.isInteger(second) && Number.isInteger(ms) &&
    hour >= 0 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && ms >= 0 && ms <= 999 &&
    (hour < 24 || (hour === 24 && minute === 0 && second === 0 && ms === 0));
  if (!valid) throw new RangeError(`Invalid local date-time ${JSON.stringify(parts)}`);
  const wall = daysFromCivil(year, month, day) * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * 1000 + ms;
  return new Date(wallTimeToEpochMs(wall, timeZone));
}

/** Day number of the local calendar date of an instant in a zone. */
export function localDayNumberOf(instant: Date | number, timeZone: string): number {
  const ms = epochMsOf(instant);
  return Math.floor((ms + offsetAt(zoneCache(timeZone), ms)) / MS_PER_DAY);
}

export function getZonedParts(instant: Date, timeZone: string): ZonedParts {
  const ms = epochMsOf(instant);
  const local = ms + offsetAt(zoneCache(timeZone), ms);
  const dayNumber = Math.floor(local / MS_PER_DAY);
  const timeOfDay = local - dayNumber * MS_PER_DAY;
  const { year, month, day } = civilFromDays(dayNumber);
  return {
    year,
    month,
    day,
    hour: Math.floor(timeOfDay / MS_PER_HOUR),
    minute: Math.floor((timeOfDay % MS_PER_HOUR) / MS_PER_MINUTE),
    second: Math.floor((timeOfDay % MS_PER_MINUTE) / 1000),
    weekday: weekdayOfDayNumber(dayNumber),
  };
}

/** `YYYY-MM-DD` of the instant in the zone. */
export function toLocalDate(instant: Date, timeZone: string): string {
  return dayNumberToLocalDate(localDayNumberOf(instant, timeZone));
}

/**
 * ISO 8601 with the zone's offset, e.g. `2024-10-12T17:30:00+08:00`. Milliseconds appear only when
 * non-zero; offset seconds only for historical local-mean-time offsets.
 */
export function formatInstantWithOffset(instant: Date, timeZone: string): string {
  const ms = epochMsOf(instant);
  const offset = offsetAt(zoneCache(timeZone), ms);
  const local = ms + offset;
  const dayNumber = Math.floor(local / MS_PER_DAY);
  const t = local - dayNumber * MS_PER_DAY;
  const millis = t % 1000;
  const time =
    `${pad2(Math.floor(t / MS_PER_HOUR))}:${pad2(Math.floor((t % MS_PER_HOUR) / MS_PER_MINUTE))}:` +
    `${pad2(Math.floor((t % MS_PER_MINUTE) / 1000))}${millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`}`;
  const abs = Math.abs(offset) / 1000;
  const offsetSeconds = abs % 60;
  const zone =
    `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 3600))}:${pad2(Math.floor((abs % 3600) / 60))}` +
    (offsetSeconds === 0 ? '' : `:${pad2(offsetSeconds)}`);
  return `${dayNumberToLocalDate(dayNumber)}T${time}${zone}`;
}

/** The next time it is `hour` o'clock in `timeZone`, after `now` (a nightly job's next run). */
export function nextLocalHour(now: Date, hour: number, timeZone: string): Date {
  let date = toLocalDate(now, timeZone);
  for (;;) {
    const [year, month, day] = date.split('-').map(Number);
    const at = zonedTimeToInstant({ year, month, day, hour }, timeZone);
    if (at > now) return at;
    date = addDaysToDate(date, 1);
  }
}
