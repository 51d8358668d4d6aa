import { describe, expect, it } from 'vitest';
import {
  addDaysToDate,
  formatInstantWithOffset,
  getTimeZoneOffsetMs,
  getZonedParts,
  isValidTimeZone,
  toLocalDate,
  weekdayOfDate,
  zonedTimeToInstant,
} from './timezone';

// Every expectation below is written as a UTC instant or an explicit offset, so the suite gives the
// same result whatever TZ the process runs in (run it with TZ=UTC and TZ=America/New_York too).

describe('getZonedParts', () => {
  it('gives Shanghai wall-clock fields of a UTC instant', () => {
    expect(getZonedParts(new Date('2024-10-12T09:30:00Z'), 'Asia/Shanghai')).toEqual({
      year: 2024, month: 10, day: 12, hour: 17, minute: 30, second: 0, weekday: 6,
    });
  });

  it('moves to the next local date when UTC is still on the previous one', () => {
    const instant = new Date('2024-09-30T16:00:00Z');
    expect(getZonedParts(instant, 'Asia/Shanghai')).toMatchObject({ year: 2024, month: 10, day: 1, hour: 0, weekday: 2 });
    expect(getZonedParts(instant, 'UTC')).toMatchObject({ year: 2024, month: 9, day: 30, hour: 16, weekday: 1 });
    expect(getZonedParts(instant, 'America/New_York')).toMatchObject({ month: 9, day: 30, hour: 12 });
  });

  it('follows daylight saving time in Europe/Berlin', () => {
    expect(getZonedParts(new Date('2024-03-31T00:59:59Z'), 'Europe/Berlin')).toMatchObject({ hour: 1, minute: 59, second: 59 });
    expect(getZonedParts(new Date('2024-03-31T01:00:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 0 });
    expect(getZonedParts(new Date('2024-10-27T00:30:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 2, minute: 30 });
    expect(getZonedParts(new Date('2024-10-27T01:30:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 2, minute: 30 });
  });

  it('handles half- and quarter-hour zones', () => {
    expect(getZonedParts(new Date('2024-01-01T00:00:00Z'), 'Asia/Kolkata')).toMatchObject({ hour: 5, minute: 30 });
    expect(getZonedParts(new Date('2024-01-01T00:00:00Z'), 'Asia/Kathmandu')).toMatchObject({ hour: 5, minute: 45 });
  });

  it('rejects an invalid instant and an unknown zone', () => {
    expect(() => getZonedParts(new Date('nonsense'), 'Asia/Shanghai')).toThrow(RangeError);
    expect(() => getZonedParts(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('zonedTimeToInstant', () => {
  it('reads Shanghai local time as +08:00', () => {
    expect(zonedTimeToInstant({ year: 2024, month: 10, day: 12, hour: 17, minute: 30 }, 'Asia/Shanghai').toISOString())
      .toBe('2024-10-12T09:30:00.000Z');
    expect(zonedTimeToInstant({ year: 2024, month: 10, day: 1 }, 'Asia/Shanghai').toISOString()).toBe('2024-09-30T16:00:00.000Z');
  });

  it('takes seconds, milliseconds and hour 24', () => {
    expect(zonedTimeToInstant({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, ms: 999 }, 'UTC').toISOString())
      .toBe('2024-02-29T23:59:59.999Z');
    expect(zonedTimeToInstant({ year: 2024, month: 12, day: 31, hour: 24 }, 'Asia/Shanghai').toISOString())
      .toBe('2024-12-31T16:00:00.000Z');
  });

  it('uses the offset in force at that date in Europe/Berlin', () => {
    expect(zonedTimeToInstant({ year: 2024, month: 1, day: 15, hour: 12 }, 'Europe/Berlin').toISOString()).toBe('2024-01-15T11:00:00.000Z');
    expect(zonedTimeToInstant({ year: 2024, month: 7, day: 1, hour: 12 }, 'Europe/Berlin').toISOString()).toBe('2024-07-01T10:00:00.000Z');
  });

  it('moves a time inside the spring-forward gap forward by the gap', () => {
    // 02:30 does not exist on 2024-03-31 in Berlin; it becomes 03:30 CEST.
    expect(zonedTimeToInstant({ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString())
      .toBe('2024-03-31T01:30:00.000Z');
    expect(zonedTimeToInstant({ year: 2024, month: 3, day: 10, hour: 2, minute: 30 }, 'America/New_York').toISOString())
      .toBe('2024-03-10T07:30:00.000Z');
  });

  it('takes the earlier instant of a time repeated when clocks go back', () => {
    expect(zonedTimeToInstant({ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString())
      .toBe('2024-10-27T00:30:00.000Z');
  });

  it('rejects impossible dates and times', () => {
    expect(() => zonedTimeToInstant({ year: 2023, month: 2, day: 29 }, 'UTC')).toThrow(RangeError);
    expect(() => zonedTimeToInstant({ year: 2024, month: 13, day: 1 }, 'UTC')).toThrow(RangeError);
    expect(() => zonedTimeToInstant({ year: 2024, month: 1, day: 1, hour: 24, minute: 1 }, 'UTC')).toThrow(RangeError);
    expect(() => zonedTimeToInstant({ year: 2024, month: 1, day: 1, minute: 1.5 }, 'UTC')).toThrow(RangeError);
  });

  it('round-trips with getZonedParts for many instants in several zones', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const from = Date.parse('2023-01-01T00:00:00Z');
    const span = Date.parse('2027-01-01T00:00:00Z') - from;
    for (const zone of ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'UTC']) {
      for (let i = 0; i < 1000; i += 1) {
        const instant = new Date(Math.floor((from + random() * span) / 1000) * 1000);
        const parts = getZonedParts(instant, zone);
        const back = zonedTimeToInstant(parts, zone);
        // Equal, except for the repeated hour when clocks go back, where the earlier instant is chosen.
        expect(getZonedParts(back, zone)).toEqual(parts);
        expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
        if (zone === 'Asia/Shanghai' || zone === 'UTC') expect(back.getTime()).toBe(instant.getTime());
      }
    }
  });
});

describe('formatInstantWithOffset', () => {
  it('writes ISO 8601 with the zone offset', () => {
    expect(formatInstantWithOffset(new Date('2024-10-12T09:30:00Z'), 'Asia/Shanghai')).toBe('2024-10-12T17:30:00+08:00');
    expect(formatInstantWithOffset(new Date('2024-01-15T11:00:00Z'), 'Europe/Berlin')).toBe('2024-01-15T12:00:00+01:00');
    expect(formatInstantWithOffset(new Date('2024-07-01T10:00:00Z'), 'Europe/Berlin')).toBe('2024-07-01T12:00:00+02:00');
    expect(formatInstantWithOffset(new Date('2024-01-15T17:00:00Z'), 'America/New_York')).toBe('2024-01-15T12:00:00-05:00');
    expect(formatInstantWithOffset(new Date('2024-01-15T17:00:00Z'), 'UTC')).toBe('2024-01-15T17:00:00+00:00');
    expect(formatInstantWithOffset(new Date('2024-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe('2024-01-01T05:45:00+05:45');
  });

  it('adds milliseconds only when there are some', () => {
    expect(formatInstantWithOffset(new Date('2024-10-12T09:30:00.045Z'), 'Asia/Shanghai')).toBe('2024-10-12T17:30:00.045+08:00');
  });

  it('parses back to the same instant', () => {
    const instant = new Date('2024-10-27T00:30:00Z');
    expect(new Date(formatInstantWithOffset(instant, 'Europe/Berlin')).getTime()).toBe(instant.getTime());
  });
});

describe('getTimeZoneOffsetMs', () => {
  it('is local minus UTC', () => {
    expect(getTimeZoneOffsetMs(new Date('2024-06-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3_600_000);
    expect(getTimeZoneOffsetMs(new Date('2024-06-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(getTimeZoneOffsetMs(new Date('2024-12-01T00:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
  });

  it('switches at the exact second of a transition', () => {
    const change = Date.parse('2024-03-31T01:00:00Z');
    expect(getTimeZoneOffsetMs(change - 1, 'Europe/Berlin')).toBe(3_600_000);
    expect(getTimeZoneOffsetMs(change, 'Europe/Berlin')).toBe(7_200_000);
  });
});

describe('local dates', () => {
  it('toLocalDate takes the date in the given zone', () => {
    const instant = new Date('2024-09-30T16:00:00Z');
    expect(toLocalDate(instant, 'Asia/Shanghai')).toBe('2024-10-01');
    expect(toLocalDate(instant, 'UTC')).toBe('2024-09-30');
    expect(toLocalDate(new Date('2024-09-30T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2024-09-30');
  });

  it('addDaysToDate crosses months, leap days and years', () => {
    expect(addDaysToDate('2024-09-30', 1)).toBe('2024-10-01');
    expect(addDaysToDate('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDaysToDate('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDaysToDate('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDaysToDate('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDaysToDate('2024-01-01', 366)).toBe('2025-01-01');
    expect(addDaysToDate('2024-10-12', 0)).toBe('2024-10-12');
  });

  it('weekdayOfDate counts from Sunday = 0', () => {
    expect(weekdayOfDate('2024-10-12')).toBe(6);
    expect(weekdayOfDate('2024-10-13')).toBe(0);
    expect(weekdayOfDate('2024-09-30')).toBe(1);
    expect(weekdayOfDate('1970-01-01')).toBe(4);
    expect(weekdayOfDate('2000-02-29')).toBe(2);
    expect(weekdayOfDate('1969-12-31')).toBe(3);
  });

  it('rejects malformed or non-existent dates', () => {
    for (const bad of ['2024-02-30', '2023-02-29', '2024-9-30', '2024/09/30', '2024-13-01', '', '2024-09-30T00:00']) {
      expect(() => addDaysToDate(bad, 1), bad).toThrow(RangeError);
      expect(() => weekdayOfDate(bad), bad).toThrow(RangeError);
    }
    expect(() => addDaysToDate('2024-01-01', 0.5)).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and rejects the rest', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(undefined as unknown as string)).toBe(false);
  });
});
