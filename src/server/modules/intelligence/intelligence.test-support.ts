import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../../config';
import type { AppContext, Clock } from '../../context';
import { openDatabase, type DialectName } from '../../core/db/database';
import { migrateToLatest } from '../../core/db/migrate';
import { seedDemoCity } from '../../demo/demo-city';
import { createTestContext, DEMO_PASSWORD, FakeClock, type TestContext } from '../../test/harness';
import { ensureDefaultCalendar } from '../calendar/calendar.service';

/**
 * A test database that a second context can open, as another instance (or the same one after a restart)
 * would: a SQLite file, or the PostgreSQL test schema opened through a second pool.
 */
export interface ReopenableContext {
  ctx: TestContext;
  /** A fresh context on the same database: nothing cached in memory is shared with `ctx`. */
  reopen(): Promise<AppContext & { close(): Promise<void> }>;
}

export async function createReopenableContext(dialect: DialectName, opts: { clock?: Clock } = {}): Promise<ReopenableContext> {
  const clock = opts.clock ?? new FakeClock(new Date());
  if (dialect === 'postgres') {
    const ctx = await createTestContext(dialect, { clock });
    const schema = (await sql<{ name: string }>`select current_schema() as name`.execute(ctx.db)).rows[0].name;
    return {
      ctx,
      async reopen() {
        const database = await openDatabase(ctx.config.databaseUrl, { schema, poolSize: 3 });
        return { ...ctx, database, db: database.db, close: () => database.close() };
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-intel-'));
  const file = path.join(dir, 'zhengtong.db');
  const config = { ...loadConfig({ NODE_ENV: 'test', ZT_JOBS: 'false', DATA_DIR: dir }), databaseUrl: file };
  const open = async () => {
    const database = await openDatabase(file);
    return { config, database, db: database.db, dialect: 'sqlite' as const, clock, log: pino({ level: 'silent' }) };
  };
  const base = await open();
  await migrateToLatest(base.database);
  await ensureDefaultCalendar(base);
  await seedDemoCity(base, DEMO_PASSWORD);
  const ctx: TestContext = {
    ...base,
    async cleanup() {
      await base.database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return {
    ctx,
    async reopen() {
      const again = await open();
      return { ...again, close: () => again.database.close() };
    },
  };
}
