import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { loadConfig, type AppConfig } from './config';
import { clockStartingAt, systemClock, type AppContext, type Clock } from './context';
import { openDatabase } from './core/db/database';
import { migrateToLatest } from './core/db/migrate';
import { startJobWorker } from './core/jobs/jobs.worker';
import { seedDemoCity } from './demo/demo-city';
import { ensureDefaultCalendar } from './modules/calendar/calendar.service';

/** Opens the database, migrates it and (when configured) seeds the demo city. */
export async function bootstrap(config: AppConfig, opts: { clock?: Clock } = {}): Promise<AppContext> {
  const log = pino({ level: config.logLevel, base: { service: 'zhengtong' } });
  const database = await openDatabase(config.databaseUrl);
  const clock = opts.clock ?? (config.clockStart ? clockStartingAt(config.clockStart) : systemClock);
  // Deadlines, overdue marks and timestamps of new records all follow this clock: say so loudly.
  if (!opts.clock && config.clockStart) log.warn({ clockStart: config.clockStart.toISOString() }, 'ZT_CLOCK_START: business time starts at the given instant and advances from there; not for live use');
  const ctx: AppContext = { config, database, db: database.db, dialect: database.dialect, clock, log };
  const applied = await migrateToLatest(database);
  if (applied.length) log.info({ applied }, 'database migrated');
  await ensureDefaultCalendar(ctx);
  if (config.demo && (await seedDemoCity(ctx, config.demoPassword))) log.info('demo city created');
  return ctx;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  ctx: AppContext;
  close(): Promise<void>;
}

/** Starts the HTTP server and the durable job worker on a bootstrapped context. */
export async function startServer(ctx: AppContext): Promise<RunningServer> {
  const app = await buildApp(ctx);
  await app.listen({ port: ctx.config.port, host: ctx.config.host });
  const worker = ctx.config.runJobs ? startJobWorker(ctx) : null;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.config.port;
  const host = ctx.config.host === '0.0.0.0' || ctx.config.host === '::' ? 'localhost' : ctx.config.host;
  return {
    url: `http://${host}:${port}`,
    app,
    ctx,
    async close() {
      await worker?.stop();
      await app.close();
      await ctx.database.close();
    },
  };
}

/**
 * The whole platform in one call, for browser tests and tools: a fresh temporary SQLite database unless
 * one is given, a random port, the demo city.
 */
export async function startZhengtong(opts: { databaseUrl?: string; port?: number; host?: string; demo?: boolean; env?: Record<string, string>; clock?: Clock } = {}): Promise<RunningServer> {
  let tempDir: string | null = null;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhengtong-'));
    databaseUrl = path.join(tempDir, 'zhengtong.db');
  }
  const config = loadConfig({
    NODE_ENV: 'test', ...opts.env, DATABASE_URL: databaseUrl, PORT: String(opts.port ?? 0), HOST: opts.host ?? '127.0.0.1',
    ZT_DEMO: opts.demo === false ? 'false' : 'true', DATA_DIR: tempDir ?? opts.env?.DATA_DIR ?? path.join(os.tmpdir(), 'zhengtong-data'),
  });
  const server = await startServer(await bootstrap(config, { clock: opts.clock }));
  return {
    ...server,
    async close() {
      await server.close();
      if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
