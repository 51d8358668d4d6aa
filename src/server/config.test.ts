import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DEMO_PASSWORD, loadConfig } from './config';
import { bootstrap } from './server';

/** The problems loadConfig reports for an environment, or [] when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig', () => {
  it('starts with sensible defaults from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ nodeEnv: 'development', isProduction: false, port: 8080, host: '0.0.0.0', demo: true, demoPassword: DEFAULT_DEMO_PASSWORD, timeZone: 'Asia/Shanghai', runJobs: true });
    expect(c.databaseUrl).toBe(path.join(path.resolve('./data'), 'zhengtong.db'));
    expect(c.clockStart).toBeNull();
  });

  it('reads good values', () => {
    const c = loadConfig({
      NODE_ENV: 'production', PORT: '9000', HOST: '127.0.0.1', DATABASE_URL: 'postgres://zt@db:5432/zt', SESSION_SECRET: 's'.repeat(32),
      ZT_DEMO: 'no', ZT_TIMEZONE: 'Asia/Urumqi', LOG_LEVEL: 'warn', ZT_JOBS: 'off',
    });
    expect(c).toMatchObject({ isProduction: true, port: 9000, host: '127.0.0.1', databaseUrl: 'postgres://zt@db:5432/zt', demo: false, timeZone: 'Asia/Urumqi', logLevel: 'warn', runJobs: false });
    expect(loadConfig({ DATABASE_URL: 'postgresql://x/y' }).databaseUrl).toBe('postgresql://x/y');
    expect(loadConfig({ DATABASE_URL: '/var/lib/zt/zt.db' }).databaseUrl).toBe('/var/lib/zt/zt.db');
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('names PORT when it is not a port number', () => {
    for (const bad of ['abc', '-1', '65536', '80.5', '0x50', '8e3', ' ', '80 80']) {
      const problems = problemsOf({ PORT: bad });
      expect(problems, `PORT=${JSON.stringify(bad)}`).toHaveLength(1);
      expect(problems[0]).toMatch(/^PORT /);
      expect(problems[0]).toContain(`"${bad}"`);
    }
  });

  it('names DATABASE_URL when it is neither a file path nor a postgres:// URL', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://root@localhost/zt' })).toEqual([expect.stringMatching(/^DATABASE_URL .*mysql:\/\/root@localhost\/zt/)]);
  });

  it('names ZT_TIMEZONE when it is not an IANA zone', () => {
    expect(problemsOf({ ZT_TIMEZONE: 'Mars/Olympus' })).toEqual([expect.stringMatching(/^ZT_TIMEZONE .*Mars\/Olympus/)]);
    expect(problemsOf({ ZT_TIMEZONE: 'Beijing' })).toEqual([expect.stringMatching(/^ZT_TIMEZONE/)]);
  });

  it('names ZT_DEMO when it is not a boolean', () => {
    expect(problemsOf({ ZT_DEMO: 'maybe' })).toEqual([expect.stringMatching(/^ZT_DEMO .*"maybe"/)]);
    expect(loadConfig({ ZT_DEMO: 'TRUE' }).demo).toBe(true);
  });

  it('requires SESSION_SECRET in production, and a long one anywhere', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^SESSION_SECRET .*NODE_ENV=production/)]);
    expect(problemsOf({ SESSION_SECRET: 'short' })).toEqual([expect.stringMatching(/^SESSION_SECRET .*16/)]);
    // Outside production a development secret stands in, and production turns the demo off by default.
    expect(loadConfig({}).sessionSecret.length).toBeGreaterThanOrEqual(16);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(20) }).demo).toBe(false);
  });

  it('names a weak ZT_DEMO_PASSWORD, LOG_LEVEL and ZT_JOBS', () => {
    expect(problemsOf({ ZT_DEMO_PASSWORD: 'password' })).toEqual([expect.stringMatching(/^ZT_DEMO_PASSWORD/)]);
    expect(problemsOf({ LOG_LEVEL: 'loud' })).toEqual([expect.stringMatching(/^LOG_LEVEL .*"loud"/)]);
    expect(problemsOf({ ZT_JOBS: '2' })).toEqual([expect.stringMatching(/^ZT_JOBS/)]);
  });

  it('reads ZT_CLOCK_START as an instant, and names it when it is not one', () => {
    expect(loadConfig({ ZT_CLOCK_START: '2024-07-01T00:00:00+08:00' }).clockStart?.toISOString()).toBe('2024-06-30T16:00:00.000Z');
    expect(loadConfig({ ZT_CLOCK_START: '2024-06-30T16:00:00.000Z' }).clockStart?.toISOString()).toBe('2024-06-30T16:00:00.000Z');
    // A local time without an offset would depend on the host's zone; a date alone, a month 13 and prose are no instants.
    for (const bad of ['2024-07-01T00:00:00', '2024-07-01', '2024-13-01T00:00:00Z', 'yesterday', '1719763200000']) {
      expect(problemsOf({ ZT_CLOCK_START: bad }), bad).toEqual([expect.stringMatching(new RegExp(`^ZT_CLOCK_START .*"${bad}"`))]);
    }
  });

  it('starts business time at ZT_CLOCK_START and lets it advance from there', async () => {
    const ctx = await bootstrap(loadConfig({ NODE_ENV: 'test', DATABASE_URL: ':memory:', ZT_DEMO: 'false', ZT_CLOCK_START: '2024-07-01T00:00:00+08:00' }));
    try {
      const start = Date.parse('2024-06-30T16:00:00.000Z');
      const first = ctx.clock.now().getTime();
      expect(first - start).toBeGreaterThanOrEqual(0);
      expect(first - start).toBeLessThan(60_000);
      await new Promise((done) => setTimeout(done, 20));
      expect(ctx.clock.now().getTime()).toBeGreaterThan(first);
    } finally {
      await ctx.database.close();
    }
  });

  it('lists every bad variable at once, in one error', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://x/y', ZT_TIMEZONE: 'Nowhere/City', ZT_DEMO: 'perhaps' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'PORT', 'SESSION_SECRET', 'ZT_DEMO', 'ZT_TIMEZONE']);
    // The message printed at start-up carries all of them too.
    for (const name of ['PORT', 'DATABASE_URL', 'ZT_TIMEZONE', 'ZT_DEMO', 'SESSION_SECRET']) expect(message).toContain(name);
  });
});
