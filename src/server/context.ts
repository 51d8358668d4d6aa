import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { AppConfig } from './config';
import type { Database, DialectName } from './core/db/database';
import type { DB } from './core/db/tables';

/** Wall-clock source; tests pass a fake one to cross deadlines without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that reads `start` now and advances in real time from there (ZT_CLOCK_START: replaying a past period). */
export function clockStartingAt(start: Date, real: Clock = systemClock): Clock {
  const offset = start.getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offset) };
}

/** Everything a service needs, built once at start and passed down explicitly. */
export interface AppContext {
  config: AppConfig;
  database: Database;
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  log: Logger;
}
