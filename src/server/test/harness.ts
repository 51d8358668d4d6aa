import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import type { AppContext, Clock } from '../context';
import { openDatabase, type DialectName } from '../core/db/database';
import { migrateToLatest } from '../core/db/migrate';
import { seedDemoCity } from '../demo/demo-city';
import { ensureDefaultCalendar } from '../modules/calendar/calendar.service';
import { createApiToken } from '../modules/auth/auth.service';
import { systemActor } from '../core/http/access';

export const DEMO_PASSWORD = 'Zhengtong@2026';

/**
 * The database suites run on SQLite always and again on PostgreSQL when TEST_DATABASE_URL is set.
 * In CI a missing PostgreSQL is a failure, not a skip.
 */
export const DIALECTS: DialectName[] = (() => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI) throw new Error('CI: TEST_DATABASE_URL must be set so the PostgreSQL pass runs');
  if (!url && !(globalThis as { __ztPgNoticeShown?: boolean }).__ztPgNoticeShown) {
    (globalThis as { __ztPgNoticeShown?: boolean }).__ztPgNoticeShown = true;
    console.info('PostgreSQL pass skipped: TEST_DATABASE_URL is not set (SQLite only).');
  }
  return url ? ['sqlite', 'postgres'] : ['sqlite'];
})();

/** A clock the test moves by hand, to cross deadlines without waiting. */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2024-09-30T02:00:00.000Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestContext extends AppContext {
  cleanup(): Promise<void>;
}

/** A migrated database of its own (SQLite in memory, or a fresh PostgreSQL schema), optionally with the demo city. */
export async function createTestContext(dialect: DialectName, opts: { clock?: Clock; demo?: boolean; env?: Record<string, string> } = {}): Promise<TestContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-test-data-'));
  const config = loadConfig({ NODE_ENV: 'test', ZT_JOBS: 'false', DATA_DIR: dataDir, ...opts.env });
  let schema: string | undefined;
  let url = ':memory:';
  if (dialect === 'postgres') {
    url = process.env.TEST_DATABASE_URL!;
    schema = `zt_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
  }
  const database = await openDatabase(url, { schema, poolSize: 5 });
  const ctx: AppContext = {
    config: { ...config, databaseUrl: url }, database, db: database.db, dialect, clock: opts.clock ?? new FakeClock(new Date()), log: pino({ level: 'silent' }),
  };
  await migrateToLatest(database);
  await ensureDefaultCalendar(ctx);
  if (opts.demo !== false) await seedDemoCity(ctx, DEMO_PASSWORD);
  return {
    ...ctx,
    async cleanup() {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (schema) {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`drop schema ${schema} cascade`);
        await admin.end();
      }
    },
  };
}

export async function createTestApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = await buildApp(ctx, { serveWeb: false });
  await app.ready();
  return app;
}

/** A logged-in caller: inject() with its cookie and CSRF token already set. */
export interface Session {
  username: string;
  userId: number;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export async function loginAs(app: FastifyInstance, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const me = res.json();
  const cookie = res.cookies.find((c) => c.name === 'zt_session')!;
  const base = { cookie: `zt_session=${cookie.value}`, 'x-csrf-token': me.csrfToken };
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE') => (url: string, body?: unknown, headers?: Record<string, string>) =>
    app.inject({ method, url, headers: { ...base, ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
  return {
    username,
    userId: me.user.id,
    get: (url, headers) => app.inject({ method: 'GET', url, headers: { ...base, ...headers } }),
    post: call('POST'),
    patch: call('PATCH'),
    put: call('PUT'),
    delete: (url, headers) => app.inject({ method: 'DELETE', url, headers: { ...base, ...headers } }),
  };
}

/**
 * A caller authenticated by an API token: it does not expire, so tests that move a fake clock across
 * days keep acting as the same person.
 */
export async function tokenSession(app: FastifyInstance, ctx: AppContext, username: string): Promise<Session> {
  const user = await ctx.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  const { token } = await createApiToken(ctx, systemActor('test'), { name: `test-${username}`, userId: user.id });
  const base = { authorization: `Bearer ${token}` };
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE') => (url: string, body?: unknown, headers?: Record<string, string>) =>
    app.inject({ method, url, headers: { ...base, ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
  return {
    username, userId: user.id,
    get: (url, headers) => app.inject({ method: 'GET', url, headers: { ...base, ...headers } }),
    post: call('POST'), patch: call('PATCH'), put: call('PUT'),
    delete: (url, headers) => app.inject({ method: 'DELETE', url, headers: { ...base, ...headers } }),
  };
}

export async function unitIdByCode(ctx: AppContext, code: string): Promise<number> {
  const row = await ctx.db.selectFrom('units').select('id').where('code', '=', code).executeTakeFirstOrThrow();
  return row.id;
}
