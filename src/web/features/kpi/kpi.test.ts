import { describe, expect, it } from 'vitest';
import { belowFloor, formatRate, formatScore } from './kpi-format';
import { bucketLabel, buildTrend } from './kpi-trend';
import { addDays, datesBetween, isValidDate, isoWeekday, presetPeriod } from './period';
import type { KpiCounts, StatsGroup } from './kpi.api';

const zero: KpiCounts = { accepted: 0, direct: 0, replied: 0, callbacks: 0, resolved: 0, satisfied: 0, basic: 0, dissatisfied: 0, closed: 0, closedOnTime: 0, redone: 0, orders: 0, ordersSignedOnTime: 0, ordersReturned: 0 };
const day = (key: string, c: Partial<KpiCounts>): StatsGroup => ({
  key,
  name: key,
  counts: { ...zero, ...c },
  rates: { responseRate: null, resolutionRate: null, satisfactionRate: null, onTimeRate: null, returnRate: null, directRate: null, redoRate: null, score: null },
});

describe('periods', () => {
  it('counts weeks from Monday', () => {
    expect(isoWeekday('2026-11-23')).toBe(1);
    expect(isoWeekday('2026-11-29')).toBe(7);
    expect(presetPeriod('week', '2026-11-29')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(presetPeriod('week', '2026-11-23')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
  });
  it('knows month lengths, quarters and half-years', () => {
    expect(presetPeriod('month', '2024-02-10')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(presetPeriod('quarter', '2026-11-27')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(presetPeriod('quarter', '2026-05-01')).toEqual({ from: '2026-04-01', to: '2026-06-30' });
    expect(presetPeriod('half', '2026-06-30')).toEqual({ from: '2026-01-01', to: '2026-06-30' });
    expect(presetPeriod('half', '2026-07-01')).toEqual({ from: '2026-07-01', to: '2026-12-31' });
  });
  it('walks dates across month and year ends', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(datesBetween('2024-02-27', '2024-03-01')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(isValidDate('2024-02-30')).toBe(false);
    expect(isValidDate('2024-02-29')).toBe(true);
  });
});

describe('trend', () => {
  const groups = [day('2026-11-02', { accepted: 3, closed: 1, direct: 1 }), day('2026-11-10', { accepted: 2 }), day('2026-11-30', { accepted: 9 })];
  it('fills missing days with zero up to today, not beyond', () => {
    const t = buildTrend(groups, { from: '2026-11-01', to: '2026-11-30' }, '2026-11-10', 'day');
    expect(t).toHaveLength(10);
    expect(t[1]).toMatchObject({ start: '2026-11-02', accepted: 3, closed: 2 });
    expect(t.reduce((a, b) => a + b.accepted, 0)).toBe(5);
  });
  it('sums weeks (Monday first, clipped to the period) and months', () => {
    const weeks = buildTrend(groups, { from: '2026-11-01', to: '2026-11-30' }, '2026-12-31', 'week');
    expect(weeks.map((w) => bucketLabel(w, 'week'))).toEqual(['11-01', '11-02~11-08', '11-09~11-15', '11-16~11-22', '11-23~11-29', '11-30']);
    expect(weeks.map((w) => w.accepted)).toEqual([0, 3, 2, 0, 0, 9]);
    const months = buildTrend(groups, { from: '2026-10-15', to: '2026-11-30' }, '2026-12-31', 'month');
    expect(months.map((b) => [bucketLabel(b, 'month'), b.accepted])).toEqual([['2026-10', 0], ['2026-11', 14]]);
  });
  it('is empty for a period that has not started', () => {
    expect(buildTrend(groups, { from: '2027-01-01', to: '2027-01-31' }, '2026-11-27', 'day')).toEqual([]);
  });
});

describe('format', () => {
  it('writes rates and scores, and a dash for none', () => {
    expect(formatRate(0.857142)).toBe('85.7%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(null)).toBe('—');
    expect(formatScore(81.714)).toBe('81.7');
    expect(formatScore(null)).toBe('—');
    expect(belowFloor(0.8, 0.85)).toBe(true);
    expect(belowFloor(null, 0.85)).toBe(false);
    expect(belowFloor(0.85, 0.85)).toBe(false);
  });
});
