import path from 'node:path';
import { isValidTimeZone } from './core/calendar/timezone';
import { isStrongPassword } from './modules/auth/password-policy';

export interface AppConfig {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  host: string;
  /** A SQLite file path (or ':memory:') or a postgres:// URL. */
  databaseUrl: string;
  dataDir: string;
  sessionSecret: string;
  demo: boolean;
  demoPassword: string;
  timeZone: string;
  logLevel: string;
  /** Worker loop for durable jobs; off in tests that drive jobs by hand. */
  runJobs: boolean;
  /** Trust X-Forwarded-For from a reverse proxy (the client IP in the audit trail); off unless behind one. */
  trustProxy: boolean;
  /**
   * ZT_CLOCK_START: business time starts at this instant and advances in real time (replaying a past
   * period in demos and benchmarks); null for the real clock.
   */
  clockStart: Date | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DEV_SESSION_SECRET = 'zhengtong-development-secret-not-for-production';
export const DEFAULT_DEMO_PASSWORD = 'Zhengtong@2026';

function parseBool(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

/** Reads and validates the environment; every bad variable is named in one error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV || 'development';
  const isProduction = nodeEnv === 'production';

  let port = 8080;
  if (env.PORT !== undefined && env.PORT !== '') {
    // Digits only: Number() would take ' ' as 0, '0x50' as 80 and '8e3' as 8000.
    const n = /^\d{1,5}$/.test(env.PORT.trim()) ? Number(env.PORT.trim()) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 65535) problems.push(`PORT must be an integer from 0 to 65535 (got "${env.PORT}")`);
    else port = n;
  }
  const host = env.HOST || '0.0.0.0';

  const dataDir = path.resolve(env.DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || path.join(dataDir, 'zhengtong.db');
  if (/^[a-z]+:\/\//i.test(databaseUrl) && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be a SQLite file path or a postgres:// URL (got "${databaseUrl}")`);
  }

  let sessionSecret = env.SESSION_SECRET || '';
  if (!sessionSecret) {
    if (isProduction) problems.push('SESSION_SECRET is required when NODE_ENV=production');
    sessionSecret = DEV_SESSION_SECRET;
  } else if (sessionSecret.length < 16) {
    problems.push('SESSION_SECRET must be at least 16 characters');
  }

  const demo = parseBool('ZT_DEMO', env.ZT_DEMO, !isProduction, problems);
  const demoPassword = env.ZT_DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD;
  if (env.ZT_DEMO_PASSWORD && !isStrongPassword(env.ZT_DEMO_PASSWORD)) {
    problems.push('ZT_DEMO_PASSWORD must have at least 10 characters from 3 of: lower case, upper case, digits, symbols');
  }
  const timeZone = env.ZT_TIMEZONE || 'Asia/Shanghai';
  if (!isValidTimeZone(timeZone)) problems.push(`ZT_TIMEZONE must be an IANA time zone such as Asia/Shanghai (got "${timeZone}")`);
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }
  const runJobs = parseBool('ZT_JOBS', env.ZT_JOBS, true, problems);
  const trustProxy = parseBool('ZT_TRUST_PROXY', env.ZT_TRUST_PROXY, false, problems);

  let clockStart: Date | null = null;
  if (env.ZT_CLOCK_START !== undefined && env.ZT_CLOCK_START !== '') {
    // An instant, so its offset (or Z) is required: a bare local time would depend on the host's zone.
    const raw = env.ZT_CLOCK_START.trim();
    const t = ISO_INSTANT.test(raw) ? new Date(raw) : null;
    if (!t || Number.isNaN(t.getTime())) problems.push(`ZT_CLOCK_START must be an ISO 8601 instant with an offset, such as 2024-07-01T00:00:00+08:00 (got "${env.ZT_CLOCK_START}")`);
    else clockStart = t;
  }

  if (problems.length) throw new ConfigError(problems);
  return { nodeEnv, isProduction, port, host, databaseUrl, dataDir, sessionSecret, demo, demoPassword, timeZone, logLevel, runJobs, trustProxy, clockStart };
}
