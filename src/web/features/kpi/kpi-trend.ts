import type { StatsGroup } from './kpi.api';
import { datesBetween, weekStart } from './period';

export type Granularity = 'day' | 'week' | 'month';

export interface TrendBucket {
  /** First date of the bucket inside the period. */
  start: string;
  /** Last date of the bucket inside the period (and not after today). */
  end: string;
  accepted: number;
  /** Closed after handling plus answered directly at intake. */
  closed: number;
  callbacks: number;
}

/**
 * Sums the server's per-day groups into days, weeks (Monday first) or months. Days without requests
 * are zero; days after `today` are left out rather than shown as zero, since nothing is known of them.
 */
export function buildTrend(dayGroups: StatsGroup[], period: { from: string; to: string }, today: string, granularity: Granularity): TrendBucket[] {
  const byDay = new Map(dayGroups.filter((g) => g.key).map((g) => [g.key!, g.counts]));
  const last = period.to < today ? period.to : today;
  if (last < period.from) return [];
  const buckets = new Map<string, TrendBucket>();
  for (const date of datesBetween(period.from, last)) {
    const key = granularity === 'day' ? date : granularity === 'week' ? weekStart(date) : date.slice(0, 7);
    let b = buckets.get(key);
    if (!b) {
      b = { start: date, end: date, accepted: 0, closed: 0, callbacks: 0 };
      buckets.set(key, b);
    }
    b.end = date;
    const c = byDay.get(date);
    if (c) {
      b.accepted += c.accepted;
      b.closed += c.closed + c.direct;
      b.callbacks += c.callbacks;
    }
  }
  return [...buckets.values()];
}

/** The axis label of a bucket: 11-27, 11-23~11-29, 2026-11. */
export function bucketLabel(b: TrendBucket, granularity: Granularity): string {
  if (granularity === 'day') return b.start.slice(5);
  if (granularity === 'month') return b.start.slice(0, 7);
  return b.start === b.end ? b.start.slice(5) : `${b.start.slice(5)}~${b.end.slice(5)}`;
}

/** Share of a part in a whole as 0–1, or null when the whole is zero. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
