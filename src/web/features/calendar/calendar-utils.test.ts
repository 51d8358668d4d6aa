import { describe, expect, it } from 'vitest';
import { CN_HOLIDAYS } from '../../../server/core/calendar/cn-holidays';
import { checkImport, checkPeriods, isWorkingDay, minutesPerDay, monthGrid, nowInZone, wallTimeOf, wallTimeToIso, weekday } from './calendar-utils';

describe('working calendar helpers', () => {
  it('lays a month out Monday first', () => {
    const weeks = monthGrid(2024, 10);
    expect(weekday('2024-10-01')).toBe(2);
    expect(weeks[0]).toEqual([null, '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-05', '2024-10-06']);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });

  it('lets exceptions decide, else Monday to Friday', () => {
    const ex = new Map<string, 'off' | 'work'>([['2024-10-01', 'off'], ['2024-10-12', 'work']]);
    expect(isWorkingDay('2024-10-01', ex)).toBe(false);
    expect(isWorkingDay('2024-10-12', ex)).toBe(true);
    expect(isWorkingDay('2024-10-13', ex)).toBe(false);
    expect(isWorkingDay('2024-10-14', ex)).toBe(true);
  });

  it('writes a wall time in the calendar zone whatever the browser zone', () => {
    expect(wallTimeToIso('2024-09-30T10:00', 'Asia/Shanghai')).toBe('2024-09-30T10:00:00+08:00');
    expect(wallTimeToIso('2024-07-01T09:30', 'Europe/Berlin')).toBe('2024-07-01T09:30:00+02:00');
    expect(wallTimeToIso('2024-01-01T09:30', 'Europe/Berlin')).toBe('2024-01-01T09:30:00+01:00');
    expect(wallTimeOf('2024-10-12T17:30:00+08:00')).toEqual({ date: '2024-10-12', time: '17:30' });
    expect(nowInZone('Asia/Shanghai', new Date('2026-11-27T21:30:00Z'))).toBe('2026-11-28T05:30');
  });

  it('reads the shipped holiday file and rejects bad dates with their place', () => {
    // The shape the platform ships (and the State Council list is typed into).
    const shipped = JSON.stringify({ description: 'official list', years: CN_HOLIDAYS });
    const ok = checkImport(shipped);
    expect(ok.problems).toEqual([]);
    expect(ok.summary.map((s) => s.year)).toEqual(expect.arrayContaining(['2024', '2025', '2026']));
    expect(ok.value!.years['2024'].work).toContain('2024-10-12');

    const bad = checkImport('{"years":{"2027":{"off":["2027-02-30","2026-12-31"],"work":["2027-02-07"]}}}');
    expect(bad.value).toBeNull();
    expect(bad.problems.map((p) => p.zh).join('\n')).toMatch(/2027-02-30[\s\S]*2026-12-31 不在该年份内/);
    expect(checkImport('not json').problems[0].zh).toMatch(/不是有效的 JSON/);
    expect(checkImport('{"2027":{"off":["2027-01-01"],"work":[]}}').value).toEqual({ years: { '2027': { off: ['2027-01-01'], work: [] } } });
  });

  it('checks working periods', () => {
    expect(checkPeriods([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '17:30' }])).toBeNull();
    expect(minutesPerDay([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '17:30' }])).toBe(420);
    expect(checkPeriods([{ start: '09:00', end: '12:00' }, { start: '11:00', end: '17:30' }])?.zh).toMatch(/重叠/);
    expect(checkPeriods([{ start: '9:00', end: '12:00' }])?.zh).toMatch(/HH:mm/);
    expect(checkPeriods([])).not.toBeNull();
  });
});
