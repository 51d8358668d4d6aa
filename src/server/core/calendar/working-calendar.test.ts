import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CN_HOLIDAYS } from './cn-holidays';
import { formatInstantWithOffset } from './timezone';
import {
  DEFAULT_WORKING_HOURS,
  WorkingCalendar,
  createCalendarFromHolidays,
  createDefaultCalendar,
  createWorkingCalendar,
} from './working-calendar';

// Instants are written with explicit offsets and results compared as offset strings, so the suite
// does not depend on the process time zone (run it with TZ=UTC and TZ=America/New_York too).

const HOUR = 3_600_000;
const SHANGHAI = 'Asia/Shanghai';
const cal = createDefaultCalendar();
const at = (iso: string): Date => new Date(iso);
const sh = (d: Date): string => formatInstantWithOffset(d, SHANGHAI);

/** mulberry32: a small seeded PRNG so that "random" cases are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('CN_HOLIDAYS data', () => {
  const jsonPath = fileURLToPath(new URL('../../../../../shared/data/cn-holidays.json', import.meta.url));

  it.skipIf(!existsSync(jsonPath))('matches the shared reference file', () => {
    const reference = JSON.parse(readFileSync(jsonPath, 'utf8')) as { years: Record<string, { off: string[]; work: string[] }> };
    expect(CN_HOLIDAYS).toEqual(reference.years);
  });

  it('lists only weekends as moved working days, each date inside its year and in one list only', () => {
    for (const [year, { off, work }] of Object.entries(CN_HOLIDAYS)) {
      for (const date of [...off, ...work]) expect(date.startsWith(`${year}-`), date).toBe(true);
      for (const date of work) expect([0, 6], date).toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
      expect(off.filter((d) => work.includes(d))).toEqual([]);
    }
  });
});

describe('isWorkingDay', () => {
  it('follows the official 2024 National Day arrangement', () => {
    expect(cal.isWorkingDay('2024-09-29')).toBe(true); // Sunday, 调休上班
    expect(cal.isWorkingDay('2024-09-30')).toBe(true);
    for (let d = 1; d <= 7; d += 1) expect(cal.isWorkingDay(`2024-10-0${d}`)).toBe(false);
    expect(cal.isWorkingDay('2024-10-08')).toBe(true);
    expect(cal.isWorkingDay('2024-10-12')).toBe(true); // Saturday, 调休上班
    expect(cal.isWorkingDay('2024-10-13')).toBe(false); // ordinary Sunday
  });

  it('treats ordinary weekends as off and ordinary weekdays as working', () => {
    expect(cal.isWorkingDay('2024-11-01')).toBe(true); // Friday
    expect(cal.isWorkingDay('2024-11-02')).toBe(false);
    expect(cal.isWorkingDay('2024-11-03')).toBe(false);
    expect(cal.isWorkingDay('2024-11-04')).toBe(true);
  });

  it('knows the 2024 Spring Festival: Feb 9 works, Feb 10–17 off, Sunday Feb 18 works', () => {
    expect(cal.isWorkingDay('2024-02-04')).toBe(true);
    expect(cal.isWorkingDay('2024-02-09')).toBe(true);
    expect(cal.isWorkingDay('2024-02-10')).toBe(false);
    expect(cal.isWorkingDay('2024-02-16')).toBe(false);
    expect(cal.isWorkingDay('2024-02-18')).toBe(true);
  });

  it('falls back to plain weekends for years without holiday data', () => {
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // a Friday; New Year's Day once 2027 is loaded
    expect(cal.isWorkingDay('2027-01-02')).toBe(false);
    expect(cal.isWorkingDay('2023-10-02')).toBe(true);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2024-10-32')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('20241012')).toThrow(RangeError);
  });
});

describe('addWorkingDays (N working days after acceptance)', () => {
  it('accepted Mon 2024-09-30, 5 working days → Sat 2024-10-12 17:30 (moved working day)', () => {
    expect(sh(cal.addWorkingDays(at('2024-09-30T10:00:00+08:00'), 5))).toBe('2024-10-12T17:30:00+08:00');
  });

  it('accepted 2024-02-08, 2 working days → Sun 2024-02-18 17:30 across the Spring Festival', () => {
    // Feb 9 (Fri) is the first working day after acceptance; Feb 10–17 are off; Feb 18 is 调休上班.
    expect(sh(cal.addWorkingDays(at('2024-02-08T10:00:00+08:00'), 2))).toBe('2024-02-18T17:30:00+08:00');
  });

  it('ignores the time of acceptance within the local day', () => {
    for (const start of ['2024-09-30T00:00:00+08:00', '2024-09-30T08:59:00+08:00', '2024-09-30T17:31:00+08:00', '2024-09-30T23:59:59+08:00']) {
      expect(sh(cal.addWorkingDays(at(start), 5)), start).toBe('2024-10-12T17:30:00+08:00');
    }
  });

  it('uses the Shanghai date, not the UTC date', () => {
    // 2024-09-29T16:30Z is already Monday 2024-09-30 00:30 in Shanghai.
    expect(sh(cal.addWorkingDays(at('2024-09-29T16:30:00Z'), 5))).toBe('2024-10-12T17:30:00+08:00');
    // 2024-09-30T16:30Z is Tuesday 2024-10-01 00:30 in Shanghai: the holiday week, then Oct 8 is day 1.
    expect(sh(cal.addWorkingDays(at('2024-09-30T16:30:00Z'), 1))).toBe('2024-10-08T17:30:00+08:00');
  });

  it('counts from the next working day when accepted on a day off', () => {
    expect(sh(cal.addWorkingDays(at('2024-10-05T11:00:00+08:00'), 1))).toBe('2024-10-08T17:30:00+08:00');
    expect(sh(cal.addWorkingDays(at('2024-11-02T11:00:00+08:00'), 1))).toBe('2024-11-04T17:30:00+08:00');
  });

  it('crosses weekends, the 2025 National Day week and a year end', () => {
    expect(sh(cal.addWorkingDays(at('2024-11-01T15:00:00+08:00'), 1))).toBe('2024-11-04T17:30:00+08:00');
    // Oct 1–8 off; Oct 9, 10, 11 (Sat, 调休), 13, 14.
    expect(sh(cal.addWorkingDays(at('2025-09-30T09:00:00+08:00'), 5))).toBe('2025-10-14T17:30:00+08:00');
    // 2026-01-01..03 off; Sunday 2026-01-04 works.
    expect(sh(cal.addWorkingDays(at('2025-12-31T09:00:00+08:00'), 1))).toBe('2026-01-04T17:30:00+08:00');
  });

  it('handles the common 15 working days', () => {
    // Oct 8–12 (5, incl. Sat 12), 14–18 (10), 21–25 (15).
    expect(sh(cal.addWorkingDays(at('2024-09-30T10:00:00+08:00'), 15))).toBe('2024-10-25T17:30:00+08:00');
  });

  it('rejects counts that are not positive integers', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => cal.addWorkingDays(at('2024-09-30T10:00:00+08:00'), n)).toThrow(RangeError);
    expect(() => cal.addWorkingDays(new Date('x'), 1)).toThrow(RangeError);
  });
});

describe('addWorkingHours', () => {
  const add = (start: string, hours: number) => sh(cal.addWorkingHours(at(start), hours));

  it('skips the lunch break', () => {
    expect(add('2024-11-04T11:00:00+08:00', 2)).toBe('2024-11-04T14:30:00+08:00');
  });

  it('Friday 17:00 + 2 h → Monday 10:30', () => {
    expect(add('2024-11-01T17:00:00+08:00', 2)).toBe('2024-11-04T10:30:00+08:00');
  });

  it('skips a holiday week', () => {
    // 1 h left on Mon Sep 30, Oct 1–7 off, 2 h on Tue Oct 8.
    expect(add('2024-09-30T16:30:00+08:00', 3)).toBe('2024-10-08T11:00:00+08:00');
  });

  it('works on a moved working Saturday', () => {
    expect(add('2024-10-11T17:00:00+08:00', 1)).toBe('2024-10-12T09:30:00+08:00');
    expect(add('2024-10-12T17:00:00+08:00', 1)).toBe('2024-10-14T09:30:00+08:00');
  });

  it('starts counting at the next working period when started outside working time', () => {
    expect(add('2024-11-04T07:00:00+08:00', 1)).toBe('2024-11-04T10:00:00+08:00'); // before 09:00
    expect(add('2024-11-04T12:30:00+08:00', 1)).toBe('2024-11-04T14:30:00+08:00'); // during lunch
    expect(add('2024-11-04T18:00:00+08:00', 1)).toBe('2024-11-05T10:00:00+08:00'); // after 17:30
    expect(add('2024-11-02T10:00:00+08:00', 1)).toBe('2024-11-04T10:00:00+08:00'); // Saturday
  });

  it('accepts fractional hours', () => {
    expect(add('2024-11-04T09:00:00+08:00', 1.5)).toBe('2024-11-04T10:30:00+08:00');
    expect(add('2024-11-04T11:50:00+08:00', 0.25)).toBe('2024-11-04T13:35:00+08:00');
    expect(add('2024-11-04T09:00:00+08:00', 1 / 3600)).toBe('2024-11-04T09:00:01+08:00');
  });

  it('returns a period end when the amount lands exactly on it', () => {
    expect(add('2024-11-04T09:00:00+08:00', 3)).toBe('2024-11-04T12:00:00+08:00');
    expect(add('2024-11-04T13:30:00+08:00', 4)).toBe('2024-11-04T17:30:00+08:00');
    expect(add('2024-11-04T09:00:00+08:00', 7)).toBe('2024-11-04T17:30:00+08:00'); // a full working day is 7 h
    expect(add('2024-11-04T10:00:00+08:00', 7)).toBe('2024-11-05T10:00:00+08:00');
  });

  it('with 0 hours gives the first working instant at or after the start', () => {
    expect(add('2024-11-04T10:00:00+08:00', 0)).toBe('2024-11-04T10:00:00+08:00');
    expect(add('2024-11-04T12:00:00+08:00', 0)).toBe('2024-11-04T13:30:00+08:00');
    expect(add('2024-11-01T18:00:00+08:00', 0)).toBe('2024-11-04T09:00:00+08:00');
  });

  it('adds 10,000 working hours quickly and exactly', () => {
    const start = at('2024-01-02T10:00:00+08:00');
    const began = performance.now();
    const end = cal.addWorkingHours(start, 10_000);
    const elapsed = performance.now() - began;
    expect(cal.workingMillisBetween(start, end)).toBe(10_000 * HOUR);
    expect(cal.isWorkingTime(new Date(end.getTime() - 1))).toBe(true);
    expect(elapsed).toBeLessThan(1000); // ~2,000 days visited, not 36 million seconds
  });

  it('rejects negative or non-finite amounts', () => {
    for (const h of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => cal.addWorkingHours(at('2024-11-04T10:00:00+08:00'), h)).toThrow(RangeError);
    }
  });

  it('agrees with a minute-by-minute reference count', () => {
    // The reference decides each minute from the raw holiday lists and +08:00 arithmetic only.
    const off = new Set(Object.values(CN_HOLIDAYS).flatMap((y) => y.off));
    const work = new Set(Object.values(CN_HOLIDAYS).flatMap((y) => y.work));
    const dayStatus = new Map<number, boolean>();
    const workingMinute = (t: number): boolean => {
      const local = t + 8 * HOUR;
      const dayIndex = Math.floor(local / (24 * HOUR));
      let isDay = dayStatus.get(dayIndex);
      if (isDay === undefined) {
        const date = new Date(dayIndex * 24 * HOUR);
        const key = date.toISOString().slice(0, 10);
        isDay = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? work.has(key) : !off.has(key);
        dayStatus.set(dayIndex, isDay);
      }
      const m = (local - dayIndex * 24 * HOUR) / 60_000;
      return isDay && ((m >= 540 && m < 720) || (m >= 810 && m < 1050));
    };
    const naiveAdd = (start: number, minutes: number): number => {
      let t = start;
      let left = minutes;
      for (;;) {
        if (workingMinute(t)) {
          if (left === 0) return t;
          left -= 1;
          if (left === 0) return t + 60_000;
        }
        t += 60_000;
      }
    };
    const random = seededRandom(7);
    const from = Date.parse('2024-01-01T00:00:00+08:00');
    const span = Date.parse('2026-12-20T00:00:00+08:00') - from;
    for (let i = 0; i < 300; i += 1) {
      const start = from + Math.floor((random() * span) / 60_000) * 60_000;
      const minutes = 1 + Math.floor(random() * 40 * 60);
      expect(cal.addWorkingMillis(new Date(start), minutes * 60_000).getTime(), new Date(start).toISOString()).toBe(naiveAdd(start, minutes));
    }
  });
});

describe('workingMillisBetween', () => {
  const between = (a: string, b: string) => cal.workingMillisBetween(at(a), at(b)) / HOUR;

  it('counts only working periods', () => {
    expect(between('2024-11-04T11:00:00+08:00', '2024-11-04T14:00:00+08:00')).toBe(1.5);
    expect(between('2024-11-01T17:00:00+08:00', '2024-11-04T10:00:00+08:00')).toBe(1.5);
    expect(between('2024-11-04T00:00:00+08:00', '2024-11-05T00:00:00+08:00')).toBe(7);
    expect(between('2024-10-01T00:00:00+08:00', '2024-10-08T00:00:00+08:00')).toBe(0);
    // Sep 30 and Oct 8–12 (Sat 12 included): 6 working days.
    expect(between('2024-09-30T00:00:00+08:00', '2024-10-13T00:00:00+08:00')).toBe(42);
  });

  it('is 0 when the end is not after the start', () => {
    expect(between('2024-11-04T11:00:00+08:00', '2024-11-04T11:00:00+08:00')).toBe(0);
    expect(between('2024-11-04T14:00:00+08:00', '2024-11-04T11:00:00+08:00')).toBe(0);
  });

  it('gives the 80 % point of a deadline (yellow light)', () => {
    const accepted = at('2024-09-30T10:00:00+08:00');
    const due = cal.deadline(accepted, 5, 'working-days');
    const total = cal.workingMillisBetween(accepted, due); // 6 h on Sep 30, then 5 × 7 h
    expect(total).toBe(41 * HOUR);
    // 80 % = 32.8 h: 6 + 3 × 7 on Sep 30, Oct 8–10, then 5.8 h on Oct 11 → 16:18.
    expect(sh(cal.addWorkingMillis(accepted, total * 0.8))).toBe('2024-10-11T16:18:00+08:00');
  });

  it('is the inverse of addWorkingMillis (seeded random cases)', () => {
    const random = seededRandom(20241012);
    const from = Date.parse('2024-01-01T00:00:00+08:00');
    const span = Date.parse('2026-12-31T00:00:00+08:00') - from;
    let checkedInside = 0;
    for (let i = 0; i < 3000; i += 1) {
      const s = new Date(from + Math.floor(random() * span));
      const t = new Date(s.getTime() + Math.floor(random() * 30 * 24 * HOUR));
      if (cal.isWorkingTime(t)) {
        expect(cal.addWorkingMillis(s, cal.workingMillisBetween(s, t)).getTime()).toBe(t.getTime());
        checkedInside += 1;
      }
      const ms = Math.floor(random() * 200 * HOUR);
      expect(cal.workingMillisBetween(s, cal.addWorkingMillis(s, ms))).toBe(ms);
    }
    expect(checkedInside).toBeGreaterThan(300);
  });

  it('re-extends a paused clock', () => {
    // Due Fri 2024-11-08 17:30; paused Tue 11-05 10:00; resumed Mon 11-11 09:00: the remaining time moves.
    const due = at('2024-11-08T17:30:00+08:00');
    const remaining = cal.workingMillisBetween(at('2024-11-05T10:00:00+08:00'), due);
    expect(remaining).toBe(27 * HOUR);
    expect(sh(cal.addWorkingMillis(at('2024-11-11T09:00:00+08:00'), remaining))).toBe('2024-11-14T16:30:00+08:00');
  });
});

describe('deadline', () => {
  const start = at('2024-09-30T10:00:00+08:00');

  it('dispatches on the unit', () => {
    expect(sh(cal.deadline(start, 5, 'working-days'))).toBe('2024-10-12T17:30:00+08:00');
    expect(sh(cal.deadline(start, 2, 'working-hours'))).toBe('2024-09-30T12:00:00+08:00');
    expect(sh(cal.deadline(start, 3, 'working-hours'))).toBe('2024-09-30T14:30:00+08:00');
    expect(sh(cal.deadline(start, 24, 'calendar-hours'))).toBe('2024-10-01T10:00:00+08:00');
    expect(sh(cal.deadline(start, 1.5, 'calendar-hours'))).toBe('2024-09-30T11:30:00+08:00');
    expect(sh(cal.deadline(start, 10, 'calendar-days'))).toBe('2024-10-10T10:00:00+08:00');
  });

  it('rejects unknown units and bad amounts', () => {
    expect(() => cal.deadline(start, 1, 'weeks' as never)).toThrow(RangeError);
    expect(() => cal.deadline(start, -1, 'calendar-hours')).toThrow(RangeError);
    expect(() => cal.deadline(start, 1.5, 'calendar-days')).toThrow(RangeError);
  });
});

describe('other time zones and working hours', () => {
  // Berlin, one period 09:00–17:00, no holidays. Clocks went forward on Sun 2024-03-31, back on Sun 2024-10-27.
  const berlin = createWorkingCalendar({ timeZone: 'Europe/Berlin', workingHours: [{ start: '09:00', end: '17:00' }] });
  const be = (d: Date) => formatInstantWithOffset(d, 'Europe/Berlin');

  it('keeps local working hours across the spring DST change', () => {
    expect(be(berlin.addWorkingHours(at('2024-03-29T16:00:00+01:00'), 2))).toBe('2024-04-01T10:00:00+02:00');
    expect(berlin.addWorkingHours(at('2024-03-29T16:00:00+01:00'), 2).toISOString()).toBe('2024-04-01T08:00:00.000Z');
    expect(berlin.workingMillisBetween(at('2024-03-29T09:00:00+01:00'), at('2024-04-01T17:00:00+02:00'))).toBe(16 * HOUR);
    expect(be(berlin.addWorkingDays(at('2024-03-29T20:00:00+01:00'), 1))).toBe('2024-04-01T17:00:00+02:00');
  });

  it('keeps local working hours across the autumn DST change', () => {
    expect(be(berlin.addWorkingHours(at('2024-10-25T16:00:00+02:00'), 2))).toBe('2024-10-28T10:00:00+01:00');
    expect(be(berlin.deadline(at('2024-10-26T12:00:00+02:00'), 1, 'calendar-days'))).toBe('2024-10-27T12:00:00+01:00');
    expect(be(berlin.deadline(at('2024-03-30T12:00:00+01:00'), 1, 'calendar-days'))).toBe('2024-03-31T12:00:00+02:00');
  });

  it('counts the real length of a 23-hour and a 25-hour day', () => {
    const allDay = createWorkingCalendar({
      timeZone: 'Europe/Berlin',
      workingHours: [{ start: '00:00', end: '24:00' }],
      workDays: ['2024-03-31', '2024-10-27'],
    });
    expect(allDay.workingMillisBetween(at('2024-03-31T00:00:00+01:00'), at('2024-04-01T00:00:00+02:00'))).toBe(23 * HOUR);
    expect(allDay.workingMillisBetween(at('2024-10-27T00:00:00+02:00'), at('2024-10-28T00:00:00+01:00'))).toBe(25 * HOUR);
    expect(be(allDay.addWorkingHours(at('2024-03-31T01:00:00+01:00'), 2))).toBe('2024-03-31T04:00:00+02:00');
  });

  it('uses the local date west of UTC', () => {
    const ny = createWorkingCalendar({ timeZone: 'America/New_York', workingHours: [{ start: '09:00', end: '17:00' }] });
    // Friday evening in New York is already Saturday in UTC; US clocks went back on Sun 2024-11-03.
    expect(formatInstantWithOffset(ny.addWorkingDays(at('2024-11-01T23:30:00-04:00'), 1), 'America/New_York')).toBe('2024-11-04T17:00:00-05:00');
  });

  it('supports custom hours such as a summer schedule', () => {
    const summer = createCalendarFromHolidays(CN_HOLIDAYS, {
      timeZone: SHANGHAI,
      workingHours: [{ start: '08:30', end: '12:00' }, { start: '14:00', end: '18:00' }],
    });
    expect(sh(summer.addWorkingHours(at('2024-07-01T11:00:00+08:00'), 2))).toBe('2024-07-01T15:00:00+08:00');
    expect(sh(summer.addWorkingDays(at('2024-07-01T11:00:00+08:00'), 1))).toBe('2024-07-02T18:00:00+08:00');
  });
});

describe('construction', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_WORKING_HOURS).toEqual([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '17:30' }]);
    expect(cal.timeZone).toBe(SHANGHAI);
    expect(cal.workingHours).toEqual(DEFAULT_WORKING_HOURS);
    expect(createDefaultCalendar('Asia/Urumqi').timeZone).toBe('Asia/Urumqi');
    expect(new WorkingCalendar({ timeZone: SHANGHAI }).isWorkingDay('2024-10-01')).toBe(true); // no holiday data
  });

  it('rejects invalid options', () => {
    const bad = [
      { timeZone: 'Nowhere/Special' },
      { timeZone: SHANGHAI, workingHours: [] },
      { timeZone: SHANGHAI, workingHours: [{ start: '9:00', end: '12:00' }] },
      { timeZone: SHANGHAI, workingHours: [{ start: '12:00', end: '09:00' }] },
      { timeZone: SHANGHAI, workingHours: [{ start: '09:00', end: '24:30' }] },
      { timeZone: SHANGHAI, workingHours: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '17:00' }] },
      { timeZone: SHANGHAI, offDays: ['2024-02-30'] },
      { timeZone: SHANGHAI, offDays: ['2024-10-12'], workDays: ['2024-10-12'] },
    ];
    for (const options of bad) expect(() => new WorkingCalendar(options), JSON.stringify(options)).toThrow(RangeError);
  });
});
