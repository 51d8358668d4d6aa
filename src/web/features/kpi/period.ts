/**
 * Reporting periods (考核周期) as local dates YYYY-MM-DD, the shape GET /requests/stats takes. Pure
 * string arithmetic on calendar dates: no time zone can shift a day.
 */

export type PeriodPreset = 'week' | 'month' | 'quarter' | 'half' | 'custom';
export const PERIOD_PRESETS: PeriodPreset[] = ['week', 'month', 'quarter', 'half', 'custom'];

export interface Period {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function isoDate(y: number, m: number, d: number): string {
  return `${y}-${pad(m)}-${pad(d)}`;
}

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y, m, d];
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = parts(date);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 1 = Monday … 7 = Sunday (the Chinese week starts on Monday). */
export function isoWeekday(date: string): number {
  const [y, m, d] = parts(date);
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** The whole period the preset names around `today` (this week Mon–Sun, month, quarter, half-year). */
export function presetPeriod(preset: Exclude<PeriodPreset, 'custom'>, today: string): Period {
  const [y, m] = parts(today);
  switch (preset) {
    case 'week': {
      const monday = addDays(today, 1 - isoWeekday(today));
      return { from: monday, to: addDays(monday, 6) };
    }
    case 'month':
      return { from: isoDate(y, m, 1), to: isoDate(y, m, daysInMonth(y, m)) };
    case 'quarter': {
      const first = Math.floor((m - 1) / 3) * 3 + 1;
      return { from: isoDate(y, first, 1), to: isoDate(y, first + 2, daysInMonth(y, first + 2)) };
    }
    case 'half':
      return m <= 6 ? { from: isoDate(y, 1, 1), to: isoDate(y, 6, 30) } : { from: isoDate(y, 7, 1), to: isoDate(y, 12, 31) };
  }
}

/** Every date from `from` to `to` inclusive (capped, so a mistaken range cannot freeze the page). */
export function datesBetween(from: string, to: string, cap = 800): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < cap; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The Monday of the week a date falls in. */
export function weekStart(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

export const isValidDate = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && addDays(s, 0) === s;
