import { zonedTimeToInstant } from '../../core/calendar';
import { AppError, type FieldError, type Msg } from '../../core/http/errors';

/** Query or form parameters as Fastify's parsers leave them: a string, or an array for a repeated name. */
export type RawParams = Record<string, unknown>;

export const DAY_MS = 24 * 3600 * 1000;
/** GeoReport v2: a search spans at most 90 days and returns at most 1,000 requests. */
export const MAX_SPAN_DAYS = 90;
export const MAX_ROWS = 1000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * ISO 8601 as GeoReport clients write it: a full date-time with Z or an offset; a date-time without
 * one, or a bare date (its midnight), is read in the business time zone. Null when it is not a date.
 */
export function parseIsoInstant(text: string, timeZone: string): Date | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const parts = { year: +y, month: +mo, day: +d, hour: h ? +h : 0, minute: mi ? +mi : 0, second: s ? +s : 0, ms: frac ? Math.floor(+`0.${frac}` * 1000) : 0 };
  if (zone && h === undefined) return null;
  try {
    if (!zone) return zonedTimeToInstant(parts, timeZone);
    const utc = zonedTimeToInstant(parts, 'UTC').getTime();
    if (zone === 'Z') return new Date(utc);
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = +digits.slice(0, 2) * 60 + +digits.slice(2);
    if (offsetMin > 14 * 60) return null;
    return new Date(utc - sign * offsetMin * 60_000);
  } catch {
    return null;
  }
}

function chars(s: string): number {
  return [...s].length;
}

/**
 * Reads GeoReport parameters and collects every problem before answering, so a client learns of all
 * its mistakes in one 400. An empty parameter is the same as an absent one, as the spec's clients expect.
 */
export class ParamReader {
  private readonly errors: FieldError[] = [];
  constructor(private readonly params: RawParams) {}

  fail(field: string, message: Msg): void {
    this.errors.push({ field, message });
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }

  /** Throws one VALIDATION_FAILED naming every field at fault. */
  done(): void {
    if (this.errors.length) throw new AppError('VALIDATION_FAILED', { details: this.errors });
  }

  /** One text value, trimmed; undefined when absent or empty. */
  text(name: string, opts: { max?: number; required?: boolean } = {}): string | undefined {
    const raw = this.params[name];
    if (Array.isArray(raw)) {
      this.fail(name, { zh: '只能提供一个值', en: 'must be given once' });
      return undefined;
    }
    const v = typeof raw === 'string' ? raw.trim() : raw == null ? '' : String(raw).trim();
    if (!v) {
      if (opts.required) this.fail(name, { zh: '必填', en: 'is required' });
      return undefined;
    }
    if (opts.max && chars(v) > opts.max) {
      this.fail(name, { zh: `长度不能超过 ${opts.max} 个字符`, en: `must have at most ${opts.max} characters` });
      return undefined;
    }
    return v;
  }

  number(name: string, opts: { min: number; max: number }): number | undefined {
    const v = this.text(name);
    if (v === undefined) return undefined;
    const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || n < opts.min || n > opts.max) {
      this.fail(name, { zh: `应为 ${opts.min} 至 ${opts.max} 之间的数字`, en: `must be a number from ${opts.min} to ${opts.max}` });
      return undefined;
    }
    return n;
  }

  integer(name: string, opts: { min: number; max: number }): number | undefined {
    const v = this.text(name);
    if (v === undefined) return undefined;
    const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < opts.min || n > opts.max) {
      this.fail(name, { zh: `应为 ${opts.min} 至 ${opts.max} 之间的整数`, en: `must be a whole number from ${opts.min} to ${opts.max}` });
      return undefined;
    }
    return n;
  }

  date(name: string, timeZone: string): Date | undefined {
    const v = this.text(name, { max: 40 });
    if (v === undefined) return undefined;
    const d = parseIsoInstant(v, timeZone);
    if (!d) this.fail(name, { zh: '应为 ISO 8601 日期时间，如 2024-09-30T10:00:00+08:00', en: 'must be an ISO 8601 date-time such as 2024-09-30T10:00:00+08:00' });
    return d ?? undefined;
  }

  /** A comma-separated list, or the parameter given several times (GeoReport allows both); empty items are dropped. */
  list(name: string, opts: { maxItems: number; maxLength?: number }): string[] | undefined {
    const raw = this.params[name];
    const v = (Array.isArray(raw) ? raw.map((x) => String(x ?? '')).join(',') : typeof raw === 'string' ? raw : '').trim();
    if (!v) return undefined;
    const max = opts.maxLength ?? 20_000;
    if (chars(v) > max) {
      this.fail(name, { zh: `长度不能超过 ${max} 个字符`, en: `must have at most ${max} characters` });
      return undefined;
    }
    const items = [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))];
    if (!items.length) return undefined;
    if (items.length > opts.maxItems) {
      this.fail(name, { zh: `最多 ${opts.maxItems} 项`, en: `must have at most ${opts.maxItems} items` });
      return undefined;
    }
    return items;
  }

  /** `attribute[code]=v` and `attribute[code][]=v` (repeatable) as { code: values }. */
  attributes(): Map<string, { values: string[]; asList: boolean }> {
    const out = new Map<string, { values: string[]; asList: boolean }>();
    for (const [key, raw] of Object.entries(this.params)) {
      const m = /^attribute\[([^\][]+)\](\[\])?$/.exec(key);
      if (!m) continue;
      const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v.trim() : String(v ?? '').trim())).filter(Boolean);
      const prior = out.get(m[1]);
      out.set(m[1], { values: [...(prior?.values ?? []), ...values], asList: !!m[2] || !!prior?.asList || values.length > 1 });
    }
    return out;
  }
}

/**
 * The search window of GET requests and GET servicerequestupdates, both ends included: both given, at
 * most 90 days apart; one given, the 90 days from it (forward from a start, back from an end); none,
 * the last 90 days.
 */
export function resolveWindow(reader: ParamReader, start: Date | undefined, end: Date | undefined, now: Date): { start: Date; end: Date } {
  const span = MAX_SPAN_DAYS * DAY_MS;
  if (start && end) {
    if (end.getTime() < start.getTime()) reader.fail('end_date', { zh: '不能早于 start_date', en: 'must not be before start_date' });
    else if (end.getTime() - start.getTime() > span) reader.fail('end_date', { zh: `与 start_date 相隔不能超过 ${MAX_SPAN_DAYS} 天`, en: `must be at most ${MAX_SPAN_DAYS} days after start_date` });
    return { start, end };
  }
  if (start) return { start, end: new Date(start.getTime() + span) };
  if (end) return { start: new Date(end.getTime() - span), end };
  return { start: new Date(now.getTime() - span), end: now };
}
