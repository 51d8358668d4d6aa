/**
 * Pure helpers of the working-calendar screen: month grids, the import file's shape, and writing a
 * wall-clock time in the calendar's time zone (which need not be the browser's).
 */

export type DayKind = 'off' | 'work';

export interface CalendarDay {
  date: string;
  kind: DayKind;
  note: string | null;
}

export interface WorkingPeriod {
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return w === 0 ? 7 : w;
}

export function isWeekend(date: string): boolean {
  return weekday(date) >= 6;
}

/** The weeks of a month, Monday first; days outside the month are null. */
export function monthGrid(year: number, month: number): (string | null)[][] {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const first = weekday(`${year}-${pad(month)}-01`);
  const cells: (string | null)[] = Array.from({ length: first - 1 }, () => null);
  for (let d = 1; d <= days; d++) cells.push(`${year}-${pad(month)}-${pad(d)}`);
  while (cells.length % 7) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** Whether a date is worked: an exception decides, else Monday to Friday. */
export function isWorkingDay(date: string, exceptions: Map<string, DayKind>): boolean {
  const e = exceptions.get(date);
  if (e) return e === 'work';
  return !isWeekend(date);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isRealDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export interface ImportYears {
  years: Record<string, { off: string[]; work: string[] }>;
}

export interface ImportCheck {
  value: ImportYears | null;
  /** Problems in the user's words; empty when the file can be sent. */
  problems: { zh: string; en: string }[];
  summary: { year: string; off: number; work: number }[];
}

/**
 * Reads the official list in the shape the platform ships (cn-holidays.json):
 * { "years": { "2027": { "off": ["2027-01-01", …], "work": ["2027-02-07", …] } } }.
 * A bare { "2027": { … } } is accepted too. Every date must be real and inside its year, and a date
 * cannot be both off and worked.
 */
export function checkImport(text: string): ImportCheck {
  const problems: ImportCheck['problems'] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { value: null, problems: [{ zh: `不是有效的 JSON：${(e as Error).message}`, en: `Not valid JSON: ${(e as Error).message}` }], summary: [] };
  }
  const root = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  const yearsObj = root && root.years && typeof root.years === 'object' && !Array.isArray(root.years) ? (root.years as Record<string, unknown>) : root;
  if (!yearsObj || !Object.keys(yearsObj).length) {
    return { value: null, problems: [{ zh: '应为 { "years": { "2027": { "off": [...], "work": [...] } } }', en: 'Expected { "years": { "2027": { "off": [...], "work": [...] } } }' }], summary: [] };
  }
  const years: ImportYears['years'] = {};
  const summary: ImportCheck['summary'] = [];
  for (const [year, raw] of Object.entries(yearsObj)) {
    if (year === '_comment' || year.startsWith('$')) continue;
    if (!/^\d{4}$/.test(year)) {
      problems.push({ zh: `“${year}”不是年份`, en: `"${year}" is not a year` });
      continue;
    }
    const entry = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
    const lists: Record<'off' | 'work', string[]> = { off: [], work: [] };
    for (const kind of ['off', 'work'] as const) {
      const list = entry?.[kind];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        problems.push({ zh: `${year} 年的 ${kind} 应为日期数组`, en: `${year}.${kind} must be a list of dates` });
        continue;
      }
      for (const d of list) {
        if (typeof d !== 'string' || !isRealDate(d)) problems.push({ zh: `${year} 年 ${kind}：“${String(d)}”不是有效日期（YYYY-MM-DD）`, en: `${year}.${kind}: "${String(d)}" is not a date (YYYY-MM-DD)` });
        else if (!d.startsWith(`${year}-`)) problems.push({ zh: `${year} 年 ${kind}：${d} 不在该年份内`, en: `${year}.${kind}: ${d} is not in that year` });
        else if (!lists[kind].includes(d)) lists[kind].push(d);
      }
    }
    for (const d of lists.off) if (lists.work.includes(d)) problems.push({ zh: `${d} 同时出现在放假和上班列表中`, en: `${d} is both off and a working day` });
    if (!entry || (entry.off === undefined && entry.work === undefined)) problems.push({ zh: `${year} 年缺少 off / work 列表`, en: `${year} has no off / work lists` });
    years[year] = { off: lists.off.sort(), work: lists.work.sort() };
    summary.push({ year, off: lists.off.length, work: lists.work.length });
  }
  if (!summary.length && !problems.length) problems.push({ zh: '文件中没有年份', en: 'The file names no year' });
  return { value: problems.length ? null : { years }, problems, summary };
}

/** The UTC offset of a time zone at an instant, as +08:00. */
function offsetAt(timeZone: string, instant: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(part);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  return sign * (h * 60 + m);
}

/** "2024-09-30T10:00" read as a wall-clock time in `timeZone` → "2024-09-30T10:00:00+08:00". */
export function wallTimeToIso(wall: string, timeZone: string): string {
  const [date, time] = wall.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = offsetAt(timeZone, guess);
  const offset = offsetAt(timeZone, guess - offsetMinutes(first) * 60_000);
  return `${date}T${pad(h)}:${pad(mi)}:00${offset}`;
}

/** The server writes instants with the calendar's offset ("2024-10-12T17:30:00+08:00"): show its wall time as is. */
export function wallTimeOf(iso: string): { date: string; time: string } {
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** Minutes worked per day under the given periods. */
export function minutesPerDay(periods: WorkingPeriod[]): number {
  const toMin = (s: string) => {
    const [h, m] = s.split(':').map(Number);
    return h * 60 + m;
  };
  return periods.reduce((a, p) => a + Math.max(0, toMin(p.end) - toMin(p.start)), 0);
}

/** Why a set of working periods is not usable, or null: HH:mm, start before end, in order, not overlapping. */
export function checkPeriods(periods: WorkingPeriod[]): { zh: string; en: string } | null {
  if (!periods.length) return { zh: '至少需要一个工作时段', en: 'At least one period is needed' };
  const re = /^([01]\d|2[0-3]):[0-5]\d$/;
  for (const [i, p] of periods.entries()) {
    if (!re.test(p.start) || !re.test(p.end)) return { zh: `第 ${i + 1} 段时间格式应为 HH:mm`, en: `Period ${i + 1}: use HH:mm` };
    if (p.start >= p.end) return { zh: `第 ${i + 1} 段的开始时间应早于结束时间`, en: `Period ${i + 1}: the start must be before the end` };
    if (i > 0 && p.start < periods[i - 1].end) return { zh: `第 ${i + 1} 段与上一段重叠或顺序不对`, en: `Period ${i + 1} overlaps the one before or is out of order` };
  }
  return null;
}

/** The current wall-clock time in a time zone, as "2024-09-30T10:00". */
export function nowInZone(timeZone: string, now = new Date()): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
