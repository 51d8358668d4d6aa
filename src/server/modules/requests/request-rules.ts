import type { WorkingCalendar } from '../../core/calendar';

/** 统一社会信用代码 GB 32100-2015: 18 characters from this set, the last a check character. */
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARS.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * CREDIT_WEIGHTS[i];
  }
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CHARS[check];
}

export function isValidCreditCode(code: string): boolean {
  const c = code.trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(c)) return false;
  return creditCodeCheckChar(c.slice(0, 17)) === c[17];
}

/** Request number: local acceptance date + 5-digit daily sequence, e.g. 2024061200123. */
export function formatRequestNumber(localDate: string, seq: number): string {
  return `${localDate.replaceAll('-', '')}${String(seq).padStart(5, '0')}`;
}

export type ClockState = 'green' | 'yellow' | 'red' | 'done' | 'paused';

export interface DeadlineClock {
  name: 'sign' | 'reply' | 'overall';
  startedAt: string;
  dueAt: string;
  state: ClockState;
  /** Share of the allowed working time already used (0–1+). */
  used: number;
}

export const YELLOW_AT = 0.8;

/**
 * A clock's light: red past the deadline, yellow once 80 % of the allowed working time is used, green
 * before. Limits that fit inside no working time (calendar-hour emergencies) use wall-clock time.
 */
export function clockState(calendar: WorkingCalendar, start: Date, due: Date, now: Date, stoppedAt: Date | null, paused = false): { state: ClockState; used: number } {
  const end = stoppedAt ?? now;
  const allowed = calendar.workingMillisBetween(start, due);
  const used = allowed > 0 ? calendar.workingMillisBetween(start, end) / allowed : (end.getTime() - start.getTime()) / Math.max(due.getTime() - start.getTime(), 1);
  if (stoppedAt) return { state: 'done', used };
  if (now.getTime() >= due.getTime()) return { state: 'red', used };
  if (paused) return { state: 'paused', used };
  return { state: used >= YELLOW_AT ? 'yellow' : 'green', used };
}
