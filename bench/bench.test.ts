import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, DIALECTS, type TestContext } from '../src/server/test/harness';
import { isValidCreditCode } from '../src/server/modules/requests/request-rules';
import { GENERATE_PROFILES, generateRequests, scaledCounts } from '../src/server/modules/requests/requests.generate';
import { countsFromRecords, countsFromRollup, type GroupBy } from '../src/server/modules/requests/requests.stats';
import { BARE_SOURCE, removeBareRows, runBenchmark } from './harness';
import { renderBenchmarks, RESULT_FIELDS } from './report';

const PROFILE = GENERATE_PROFILES['h1-2024'];
const REQUESTS = 1000;

for (const dialect of DIALECTS) {
  describe(`history generator (${dialect})`, () => {
    let ctx: TestContext;
    let schemaBefore: string[];
    beforeAll(async () => {
      ctx = await createTestContext(dialect);
      schemaBefore = await indexesAndKeys(ctx);
      await generateRequests(ctx, { profile: 'h1-2024', requests: REQUESTS, seed: 7 });
    }, 120_000);
    afterAll(async () => {
      await ctx.cleanup();
    });

    it('leaves every index and foreign key it set aside for the bulk write as it was', async () => {
      expect(schemaBefore.length).toBeGreaterThan(10);
      expect(await indexesAndKeys(ctx)).toEqual(schemaBefore);
    });

    it('writes the requested rows with the report\'s enterprise share', async () => {
      const rows = await ctx.db.selectFrom('requests').select(['kind', 'enterprise_credit_code', 'local_date']).execute();
      expect(rows).toHaveLength(REQUESTS);
      const enterprise = rows.filter((r) => r.kind === 'enterprise');
      expect(enterprise).toHaveLength(scaledCounts(PROFILE, { requests: REQUESTS }).enterprise);
      expect(enterprise.length).toBe(Math.round((REQUESTS * 3803) / 3_017_800));
      for (const e of enterprise) expect(isValidCreditCode(e.enterprise_credit_code!)).toBe(true);
      expect(rows.every((r) => r.local_date >= PROFILE.from && r.local_date <= PROFILE.to)).toBe(true);
    });

    it('reproduces the resolution rates as closely as the callback count allows', async () => {
      const rate = async (kind: 'all' | 'enterprise') => {
        const keyed = await countsFromRollup(ctx, { groupBy: 'month', from: PROFILE.from, to: PROFILE.to, kind });
        const callbacks = keyed.reduce((a, [, c]) => a + c.callbacks, 0);
        const resolved = keyed.reduce((a, [, c]) => a + c.resolved, 0);
        return { callbacks, rate: callbacks ? resolved / callbacks : null };
      };
      const all = await rate('all');
      expect(all.callbacks).toBeGreaterThan(REQUESTS * 0.4);
      // k/n nearest 72.58 %: within half a step of the target (at scale 1, n ≈ 1.7 million: exact to 2 decimals).
      expect(Math.abs(all.rate! - PROFILE.resolution)).toBeLessThanOrEqual(0.5 / all.callbacks + 1e-12);
      const ent = await rate('enterprise');
      if (ent.callbacks) expect(Math.abs(ent.rate! - PROFILE.enterpriseResolution)).toBeLessThanOrEqual(0.5 / ent.callbacks + 1e-12);
    });

    it('numbers requests gap-free per day, in acceptance order, and keeps the day counters', async () => {
      const rows = await ctx.db.selectFrom('requests').select(['number', 'local_date', 'accepted_at']).orderBy('number').execute();
      const byDay = new Map<string, typeof rows>();
      for (const r of rows) byDay.set(r.local_date, [...(byDay.get(r.local_date) ?? []), r]);
      const counters = new Map((await ctx.db.selectFrom('request_counters').selectAll().execute()).map((c) => [c.day, c.last_seq]));
      for (const [day, list] of byDay) {
        expect(list.map((r) => Number(r.number.slice(8)))).toEqual(list.map((_, i) => i + 1));
        expect(list.every((r) => r.number.startsWith(day.replaceAll('-', '')))).toBe(true);
        expect([...list].sort((a, b) => a.accepted_at.localeCompare(b.accepted_at)).map((r) => r.number)).toEqual(list.map((r) => r.number));
        expect(counters.get(day)).toBe(list.length);
      }
      // Fewer requests on weekends and holidays than on working days.
      const perDay = (pred: (d: string) => boolean) => {
        const days = [...byDay.keys()].filter(pred);
        return days.reduce((a, d) => a + byDay.get(d)!.length, 0) / Math.max(days.length, 1);
      };
      const weekend = (d: string) => [0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay());
      expect(perDay((d) => !weekend(d))).toBeGreaterThan(perDay(weekend));
    });

    it('keeps the KPI rollup equal to plain counts for every grouping', async () => {
      for (const groupBy of ['unit', 'category', 'district', 'channel', 'type', 'month'] as GroupBy[]) {
        for (const kind of ['all', 'enterprise'] as const) {
          const range = { groupBy, from: PROFILE.from, to: PROFILE.to, kind };
          const sort = (xs: Array<[string, unknown]>) => [...xs].sort((a, b) => a[0].localeCompare(b[0]));
          expect(sort(await countsFromRollup(ctx, range))).toEqual(sort(await countsFromRecords(ctx, range, null)));
        }
      }
    });

    it('writes the timeline, orders and search index with every request, and varied words', async () => {
      const [{ n: events }] = await ctx.db.selectFrom('workflow_events').select((eb) => eb.fn.countAll<number>().as('n')).where('entity', '=', 'request').where('action', 'in', ['accept', 'answer']).execute();
      expect(Number(events)).toBe(REQUESTS);
      const handled = await ctx.db.selectFrom('requests').select('id').where('status', '=', 'closed').where('is_direct', '=', 0).limit(20).execute();
      for (const r of handled) {
        const orders = await ctx.db.selectFrom('request_orders').select(['role']).where('request_id', '=', r.id).execute();
        expect(orders.some((o) => o.role === 'lead')).toBe(true);
      }
      const titles = await ctx.db.selectFrom('requests').select('title').execute();
      expect(new Set(titles.map((t) => t.title)).size).toBeGreaterThan(REQUESTS * 0.5);
      const table = 'request_search';
      const [{ n: indexed }] = await ctx.db.selectFrom(table as 'requests').select((eb) => eb.fn.countAll<number>().as('n')).execute();
      expect(Number(indexed)).toBe(REQUESTS);
    });

    it('builds the same rows on its builder threads as in the writer\'s own thread', async () => {
      const threaded = await createTestContext(dialect);
      try {
        await generateRequests(threaded, { profile: 'h1-2024', requests: REQUESTS, seed: 7, threads: 2 });
        const tables = [
          ['requests', 'id'], ['request_orders', 'id'], ['request_kpi_rollup', 'dim, local_date, kind, dim_value'], ['request_counters', 'day'],
        ] as const;
        for (const [table, order] of tables) {
          const read = (c: TestContext) => sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.raw(order)}`.execute(c.db).then((r) => r.rows);
          expect(await read(threaded), table).toEqual(await read(ctx));
        }
        const events = (c: TestContext) => c.db.selectFrom('workflow_events').select(['entity_id', 'action', 'from_state', 'to_state', 'actor_id', 'actor_name', 'unit_id', 'at', 'payload'])
          .where('entity', '=', 'request').orderBy('entity_id').orderBy('id').execute();
        expect(await events(threaded)).toEqual(await events(ctx));
        const search = (c: TestContext) => sql<Record<string, unknown>>`select ${sql.raw(c.dialect === 'sqlite' ? 'rowid' : 'request_id')} as id, title, body, reply from request_search order by 1`.execute(c.db).then((r) => r.rows);
        const docs = await search(ctx);
        expect(docs).toHaveLength(REQUESTS);
        expect(await search(threaded)).toEqual(docs);
      } finally {
        await threaded.cleanup();
      }
    }, 120_000);

    it('removes the bare route\'s rows and what refers to them, and leaves every other row and every foreign key', async () => {
      const pair = await ctx.db.selectFrom('requests').selectAll().orderBy('id').limit(2).execute();
      const { m } = await ctx.db.selectFrom('requests').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow();
      const bare = pair.map((r, i) => ({ ...r, id: Number(m) + 1 + i, number: `bare${Number(m) + 1 + i}`, source: BARE_SOURCE, source_ref: null }));
      await ctx.db.insertInto('requests').values(bare).execute();
      // A server run on reused data analyses whatever it finds, the bare rows too.
      const term = (requestId: number) => ({ term: '测试词', request_id: requestId, local_date: pair[0].local_date, category_id: null, district_unit_id: null });
      await ctx.db.insertInto('intelligence_request_terms').values([term(bare[0].id), term(pair[0].id)]).execute();

      await removeBareRows(ctx);
      expect(await ctx.db.selectFrom('requests').select('id').where('source', '=', BARE_SOURCE).execute()).toEqual([]);
      const { n } = await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n)).toBe(REQUESTS);
      const terms = await ctx.db.selectFrom('intelligence_request_terms').select('request_id').where('term', '=', '测试词').execute();
      expect(terms.map((t) => Number(t.request_id))).toEqual([pair[0].id]);
      expect(await indexesAndKeys(ctx)).toEqual(schemaBefore);
      if (ctx.database.sqlite) expect(ctx.database.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      await ctx.db.deleteFrom('intelligence_request_terms').where('term', '=', '测试词').execute();
    });
  });
}

/** The definitions of the database's indexes (and, on PostgreSQL, foreign keys), sorted. */
async function indexesAndKeys(ctx: TestContext): Promise<string[]> {
  const { rows } = ctx.dialect === 'sqlite'
    ? await sql<{ def: string }>`select name || ': ' || sql as def from sqlite_master where type = 'index' and sql is not null`.execute(ctx.db)
    : await sql<{ def: string }>`select indexname || ': ' || indexdef as def from pg_indexes where schemaname = current_schema()
        union all select c.conname || ': ' || pg_get_constraintdef(c.oid) from pg_constraint c join pg_class t on t.oid = c.conrelid
        where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace`.execute(ctx.db);
  return rows.map((r) => r.def).sort();
}

/** A database the bench's child servers can open: a temporary SQLite file, or a fresh schema named in the URL. */
async function benchDatabase(dialect: 'sqlite' | 'postgres'): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-test-'));
    return { url: path.join(dir, 'bench.db'), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const schema = `zt_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

function fieldOf(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' && k in o ? (o as Record<string, unknown>)[k] : undefined), obj);
}

for (const dialect of DIALECTS) {
  describe(`benchmark harness, tiny run (${dialect})`, () => {
    let db: { url: string; drop(): Promise<void> };
    beforeAll(async () => {
      db = await benchDatabase(dialect);
    });
    afterAll(async () => {
      await db.drop();
    });

    it('measures every figure and the report shows them', async () => {
      const r = await runBenchmark({ size: 'S', requests: 300, db: dialect, databaseUrl: db.url, seconds: 1, connections: 10, reps: 2, importRows: 50 });
      for (const f of RESULT_FIELDS) expect(fieldOf(r, f), f).not.toBeUndefined();
      expect(r.requests).toBeGreaterThanOrEqual(300 + 50);
      expect(r.intake.limit_rps).toBeGreaterThan(0);
      expect(r.intake.rps).toBeGreaterThan(0);
      expect(r.intake.ratio).toBeCloseTo(r.intake.rps / r.intake.limit_rps, 2);
      expect(r.import.rows).toBe(50);
      expect(r.kpi.resolution.all).not.toBeNull();
      expect(r.search.queries).toBe(50);
      expect(r.rss_peak_mb).toBeGreaterThan(0);
      const md = renderBenchmarks([r]);
      expect(md).toContain(`| S | ${dialect} |`);
      expect(md).toContain('Scale curve');
    }, 180_000);
  });
}
