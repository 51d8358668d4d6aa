import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/server/config';
import type { AppContext } from '../src/server/context';
import type { Tx } from '../src/server/core/db/database';
import { systemActor } from '../src/server/core/http/access';
import { bootstrap } from '../src/server/server';
import { createApiToken } from '../src/server/modules/auth/auth.service';
import { importHistoryFile, trainSuggester } from '../src/server/modules/intelligence';
import { postgresForeignKeys } from '../src/server/modules/requests/requests.bulk';
import { GENERATE_PROFILES, generateRequests } from '../src/server/modules/requests/requests.generate';
import { fetchJson, percentile, round, runAutocannon, timeConcurrent, timeSequential } from './load';
import { startBareServer, startZhengtong, type ChildServer } from './servers';

/** Benchmark sizes: requests in the database (scale = size ÷ the half-year's 3,017,800). */
export const SIZES: Record<string, number> = { S: 30_000, M: 300_000, L: 3_017_800 };
export const PROFILE = 'h1-2024';

export interface BenchOptions {
  size: string;
  requests: number;
  db: 'sqlite' | 'postgres';
  databaseUrl: string;
  /** Seconds of each intake load, and of the classification load. */
  seconds: number;
  connections: number;
  /** Measured calls per KPI grouping and per list. */
  reps: number;
  /** Rows in the generated import file (0: no import measurement). */
  importRows: number;
  /** Keep a database already generated at this size instead of generating again. */
  reuse?: boolean;
  seed?: number;
  log?: (line: string) => void;
  onGenerateProgress?: (done: number, total: number) => void;
}

/** What is missing, and why, instead of a figure. */
export interface NotAvailable { available: false; reason: string }

export interface BenchResult {
  size: string;
  db: 'sqlite' | 'postgres';
  date: string;
  machine: { cores: number; memory_gb: number; cpu: string; node: string; load_avg_start: number[]; load_avg_end: number[] };
  requests: number;
  /** PostgreSQL: the server's version and the settings that bear on the figures. */
  database_server?: Record<string, string>;
  /** measured_at: when reused from an earlier run of the same size (--reuse). */
  generate: { seconds: number; rows_per_s: number; measured_at?: string } | null;
  intake: { limit_rps: number; rps: number; ratio: number; p50_ms: number; p99_ms: number; limit_p50_ms: number; limit_p99_ms: number; errors: number; connections: number; seconds: number };
  import: { rows_per_s: number | null; rows: number; reason?: string; measured_at?: string };
  kpi: { p50_ms: number; p95_ms: number; by_group: Record<string, { p50_ms: number; p95_ms: number }>; resolution: { all: string | null; enterprise: string | null } };
  lists: { p95_ms: number; by_list: Record<string, { p50_ms: number; p95_ms: number; total: number }>; all_time_overdue?: { p50_ms: number; p95_ms: number; total: number } };
  search: { p50_ms: number | null; p95_ms: number | null; queries: number; second_pass?: { p50_ms: number; p95_ms: number }; reason?: string };
  classify: { per_s: number | null; p95_ms: number | null; reason?: string };
  train: { seconds: number; rows: number } | null;
  rss_peak_mb: number | null;
}

/** 50 searches a hotline agent types: objects, problems, places, and a few two-word queries. */
export const SEARCH_QUERIES = [
  '楼道灯', '电梯故障', '噪音扰民', '油烟', '拖欠工资', '停水', '暖气不热', '占道经营', '共享单车', '预付卡退费',
  '路灯不亮', '井盖', '垃圾清运', '违章搭建', '物业费', '公交线路', '网约车', '医保报销', '养老金', '入学划片',
  '幼儿园收费', '燃气泄漏', '停电', '水压不足', '渣土车', '扬尘', '河道污染', '广场舞', '施工噪音', '过期食品',
  '虚假宣传', '低保', '高龄补贴', '疫苗接种', '专家号', '树木修剪', '排水不畅', '小广告', '延期交房', '公租房',
  '幸福小区', '解放路', '东湖区 停电', '阳光花园 物业', '人民路 噪音', '健身房 退费', '工地 夜间施工', '出租车 拒载', '餐馆 油烟', '社保 缴纳',
];

// How many different request bodies the intake loads send in turn.
const INTAKE_BODY_COUNT = 500;

/**
 * The request bodies the intake loads send in turn: the titles, contents and addresses of generated requests
 * spread over the half-year (what a day's calls look like: the search figures measure afterwards among these
 * rows, the newest), with the ids of this database's phone channel, a category, a district and its street.
 */
export async function intakeBodies(ctx: AppContext): Promise<string[]> {
  const channel = await ctx.db.selectFrom('channels').select('id').where('code', '=', 'phone').executeTakeFirstOrThrow();
  const category = await ctx.db.selectFrom('categories').select('id').where('path', '=', '城乡建设/物业管理/物业服务质量').executeTakeFirst()
    ?? await ctx.db.selectFrom('categories').select('id').where('level', '=', 3).orderBy('id').executeTakeFirstOrThrow();
  const district = await ctx.db.selectFrom('units').select('id').where('kind', '=', 'district').orderBy('id').executeTakeFirstOrThrow();
  const street = await ctx.db.selectFrom('units').select('id').where('parent_id', '=', district.id).where('kind', '=', 'street').orderBy('id').executeTakeFirst();
  const { max } = await ctx.db.selectFrom('requests').select((eb) => eb.fn.max('id').as('max')).where('source', '=', 'generated').executeTakeFirstOrThrow();
  const step = Math.max(1, Math.floor(Number(max ?? 0) / INTAKE_BODY_COUNT));
  const texts = await ctx.db.selectFrom('requests').select(['title', 'content', 'address', 'type'])
    .where('source', '=', 'generated').where('kind', '=', 'citizen').where(sql<boolean>`id % ${step} = 0`).orderBy('id').limit(INTAKE_BODY_COUNT).execute();
  if (!texts.length) throw new Error('no generated requests to take the intake bodies from');
  return texts.map((t, i) => JSON.stringify({
    channelId: channel.id, type: t.type === 'consult' ? 'consult' : 'complaint', title: t.title ?? undefined, content: t.content,
    categoryId: category.id, districtId: district.id, ...(street ? { streetId: street.id } : {}), ...(t.address ? { address: t.address } : {}),
    requester: { name: '张先生', phone: `1380000${String(1000 + (i % 9000)).padStart(4, '0')}` },
  }));
}

// The PostgreSQL settings a reader needs to reproduce the figures (the server's own, not set by the bench).
const POSTGRES_SETTINGS = ['server_version', 'shared_buffers', 'effective_cache_size', 'work_mem', 'max_parallel_workers_per_gather', 'autovacuum', 'jit'];

async function postgresSettings(ctx: AppContext): Promise<Record<string, string>> {
  const { rows } = await sql<{ name: string; setting: string }>`select name, current_setting(name) as setting from unnest(${POSTGRES_SETTINGS}::text[]) as name`.execute(ctx.db);
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

export async function openBench(databaseUrl: string): Promise<AppContext> {
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, ZT_DEMO: 'true', LOG_LEVEL: 'warn', NODE_ENV: 'test' });
  return bootstrap(config);
}

/** `requests.source` of the rows the bare route inserts (written out in bench/bare-server.ts, which stays free of the application's modules). */
export const BARE_SOURCE = 'bench-bare';

/**
 * Deletes the bare route's rows, and whatever came to refer to them (a server that ran on reused data may have
 * analysed them). A table that refers to requests without an index on the reference (the analysis index's terms,
 * keyed by term) is read whole for every request deleted: on reused S data that a server had analysed, deleting
 * 48,000 bare rows had not ended after three minutes. So the referring rows go first, one statement per table, and
 * the requests are deleted with the references set aside: SQLite stops enforcing them on this connection for the
 * delete; PostgreSQL drops the unindexed ones and adds them back in the same transaction, checked by one join each.
 */
export async function removeBareRows(ctx: AppContext): Promise<void> {
  const ids = (await ctx.db.selectFrom('requests').select('id').where('source', '=', BARE_SOURCE).execute()).map((r) => Number(r.id));
  if (!ids.length) return;
  // By the ids themselves: a table with an index on the reference is then probed, not read whole.
  const removeReferring = async (trx: Tx, refs: Array<{ table: string; column: string }>) => {
    for (const r of refs) {
      for (let i = 0; i < ids.length; i += 5000) await sql`delete from ${sql.table(r.table)} where ${sql.ref(r.column)} in (${sql.join(ids.slice(i, i + 5000))})`.execute(trx);
    }
  };
  const sqlite = ctx.database.sqlite;
  if (sqlite) {
    const refs = (await sql<{ table: string; column: string }>`select m.name as "table", f."from" as "column" from sqlite_master m, pragma_foreign_key_list(m.name) f
      where m.type = 'table' and f."table" = 'requests'`.execute(ctx.db)).rows;
    // Outside a transaction: SQLite ignores the pragma inside one.
    sqlite.pragma('foreign_keys = off');
    try {
      await ctx.db.transaction().execute(async (trx) => {
        await removeReferring(trx, refs);
        await sql`delete from requests where source = ${BARE_SOURCE}`.execute(trx);
      });
    } finally {
      sqlite.pragma('foreign_keys = on');
    }
    return;
  }
  await ctx.db.transaction().execute(async (trx) => {
    const refs = await postgresForeignKeys(trx, sql`c.confrelid = 'requests'::regclass`);
    await removeReferring(trx, refs);
    // Only where no index leads with the reference: elsewhere the check is a lookup, and adding the key back
    // would read the whole table (all of them at L: 6.7 s).
    const unindexed = refs.filter((r) => !r.indexed);
    for (const r of unindexed) await sql.raw(r.drop).execute(trx);
    await sql`delete from requests where source = ${BARE_SOURCE}`.execute(trx);
    for (const r of unindexed) await sql.raw(r.add).execute(trx);
  });
}

/**
 * A request file for `requests import`: generated requests of the half-year, re-dated `yearsEarlier` years
 * (of 366 days) earlier with new ids (`idPrefix` + the generated id: another prefix makes rows an earlier
 * import of the file did not bring).
 */
export async function writeImportFile(ctx: AppContext, rows: number, file: string, idPrefix = 'bench-', yearsEarlier = 1): Promise<number> {
  const data = await ctx.db.selectFrom('requests')
    .leftJoin('categories', 'categories.id', 'requests.category_id')
    .leftJoin('units as d', 'd.id', 'requests.district_unit_id')
    .leftJoin('units as u', 'u.id', 'requests.lead_unit_id')
    .leftJoin('channels', 'channels.id', 'requests.channel_id')
    .select(['requests.id', 'requests.title', 'requests.content', 'requests.accepted_at', 'requests.replied_at', 'requests.reply_text', 'requests.type', 'requests.address',
      'categories.path as category', 'd.name as district', 'u.name as unit', 'channels.code as channel'])
    .where('requests.status', '=', 'closed').where('requests.source', '=', 'generated').orderBy('requests.id').limit(rows).execute();
  const yearEarlier = (iso: string | null) => (iso ? new Date(new Date(iso).getTime() - yearsEarlier * 366 * 86_400_000).toISOString() : undefined);
  const lines = data.map((r) => JSON.stringify({
    id: `${idPrefix}${r.id}`, title: r.title, content: r.content, time: yearEarlier(r.accepted_at), category: r.category, district: r.district?.replace(/人民政府$/, ''),
    unit: r.unit, status: 'closed', reply: r.reply_text, reply_time: yearEarlier(r.replied_at), type: r.type, channel: r.channel, address: r.address,
  }));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length;
}

/** The unit handler whose unit holds the most orders: the busiest inbox of the demo accounts. */
async function busiestHandler(ctx: AppContext): Promise<string> {
  const rows = await ctx.db.selectFrom('users').innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.username', (eb) => eb.selectFrom('request_orders').select((e) => e.fn.countAll<number>().as('n')).whereRef('request_orders.unit_id', '=', 'users.unit_id').as('orders')])
    .where('user_roles.role', '=', 'unit_handler').execute();
  rows.sort((a, b) => Number(b.orders) - Number(a.orders) || a.username.localeCompare(b.username));
  if (!rows.length) throw new Error('no unit handler account: the demo city is missing');
  return rows[0].username;
}

export async function token(ctx: AppContext, username: string): Promise<string> {
  const user = await ctx.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return (await createApiToken(ctx, systemActor('bench'), { name: `bench-${Date.now()}`, userId: user.id })).token;
}

const stats = (xs: number[]) => ({ p50_ms: round(percentile(xs, 50)), p95_ms: round(percentile(xs, 95)) });

/** One benchmark run: generate (or reuse), import, the two intake loads, then reads against the real server. */
export async function runBenchmark(opts: BenchOptions): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const loadStart = os.loadavg().map((x) => round(x, 2));
  const profile = GENERATE_PROFILES[PROFILE];

  // 1. Data.
  let ctx = await openBench(opts.databaseUrl);
  let generate: BenchResult['generate'] = null;
  const existing = Number((await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).where('local_date', '>=', profile.from).where('local_date', '<=', profile.to).executeTakeFirstOrThrow()).n);
  if (opts.reuse && existing === opts.requests) log(`reusing ${existing} generated requests`);
  else {
    if (existing) throw new Error(`the database already holds ${existing} requests of the half-year; use a fresh one (or --reuse at the same size)`);
    log(`generating ${opts.requests} requests …`);
    const r = await generateRequests(ctx, { profile: PROFILE, requests: opts.requests, seed: opts.seed, onProgress: opts.onGenerateProgress });
    generate = { seconds: round(r.seconds, 1), rows_per_s: Math.round(r.requests / r.seconds) };
    log(`generated in ${generate.seconds} s (${generate.rows_per_s} rows/s)`);
  }

  // 2. Import of a generated file (rows of the half-year re-dated a year back, so the half-year's figures stay).
  let imported: BenchResult['import'] = { rows_per_s: null, rows: 0, reason: 'not measured (--import-rows 0)' };
  if (opts.importRows > 0) {
    const file = path.join(os.tmpdir(), `zhengtong-bench-import-${process.pid}.jsonl`);
    const rows = await writeImportFile(ctx, opts.importRows, file);
    log(`importing ${rows} rows …`);
    const res = await importHistoryFile(ctx, systemActor('bench'), fs.readFileSync(file), path.basename(file), { batchSize: 2000 });
    fs.rmSync(file, { force: true });
    // Rows already in the database (a --reuse run re-importing its file) are checked and skipped, not
    // written: they say nothing about import speed.
    imported = res.imported > 0
      ? { rows_per_s: Math.round(res.imported / res.seconds), rows: res.imported }
      : { rows_per_s: null, rows: 0, reason: `not measured: all ${res.skipped} rows were already in the database` };
    if (res.errors.length) imported.reason = `${res.errors.length} rows refused, e.g. line ${res.errors[0].line}: ${res.errors[0].message}`;
    log(`imported ${res.imported} rows at ${imported.rows_per_s} rows/s`);
  }

  // 3. The classifier learns from the closed requests (what a city does once after loading its history).
  let train: BenchResult['train'] = null;
  const outcome = await trainSuggester(ctx, ctx.db, 'bench', { force: true });
  if (outcome.trained) train = { seconds: outcome.seconds, rows: outcome.rows };
  log(`classifier: ${outcome.trained ? `trained on ${outcome.rows} rows in ${outcome.seconds} s` : `not trained (${outcome.reason})`}`);

  const requests = Number((await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const handler = await busiestHandler(ctx);
  const dispatcherToken = await token(ctx, 'dispatcher1');
  const handlerToken = await token(ctx, handler);
  const bodies = await intakeBodies(ctx);
  const databaseServer = ctx.dialect === 'postgres' ? await postgresSettings(ctx) : undefined;
  await ctx.database.close();

  // 4. The machine's limit: the bare route, then clean its rows away.
  log('intake: bare limit …');
  const bare = await startBareServer(opts.databaseUrl);
  let limit;
  try {
    limit = await runAutocannon({ url: bare.url, path: '/bare/requests', bodies, connections: opts.connections, seconds: opts.seconds });
  } finally {
    await bare.stop();
  }
  ctx = await openBench(opts.databaseUrl);
  await removeBareRows(ctx);
  await ctx.database.close();

  // 5. Zhengtong itself: intake, then the reads, with its memory watched.
  log('intake: Zhengtong …');
  const server: ChildServer = await startZhengtong(opts.databaseUrl);
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  try {
    const real = await runAutocannon({ url: server.url, path: '/api/v1/requests', headers: auth(dispatcherToken), bodies, connections: opts.connections, seconds: opts.seconds });
    const api = `${server.url}/api/v1`;
    const get = (url: string, t: string) => fetchJson(url, { headers: auth(t) });

    log('KPI …');
    const byGroup: BenchResult['kpi']['by_group'] = {};
    const all: number[] = [];
    const range = `from=${profile.from}&to=${profile.to}`;
    for (const g of ['unit', 'category', 'district', 'month']) {
      const xs = await timeSequential(async () => void (await get(`${api}/requests/stats?${range}&groupBy=${g}`, dispatcherToken)), opts.reps);
      byGroup[g] = stats(xs);
      all.push(...xs);
    }
    const rate = async (kind: string) => {
      const s = (await get(`${api}/requests/stats?${range}&groupBy=month&kind=${kind}`, dispatcherToken)) as { total: { rates: { resolutionRate: number | null } } };
      return s.total.rates.resolutionRate === null ? null : (s.total.rates.resolutionRate * 100).toFixed(2);
    };
    const kpi: BenchResult['kpi'] = { ...stats(all), by_group: byGroup, resolution: { all: await rate('all'), enterprise: await rate('enterprise') } };

    log(`lists (inbox of ${handler}) …`);
    const lists: BenchResult['lists'] = { p95_ms: 0, by_list: {} };
    const listCalls: Array<[string, string, string]> = [
      ['inbox to-sign', `${api}/requests?box=to-sign`, handlerToken],
      ['inbox handling', `${api}/requests?box=handling`, handlerToken],
      ['inbox overdue', `${api}/requests?box=overdue`, handlerToken],
      ['inbox counts', `${api}/requests/inbox-counts`, handlerToken],
      // The centre's overdue work list: open orders past their deadline (超期未办结).
      ['overdue list (centre)', `${api}/requests?overdue=true&status=dispatched,handling`, dispatcherToken],
    ];
    const listTimes: number[] = [];
    for (const [name, url, t] of listCalls) {
      let total = 0;
      const xs = await timeSequential(async () => {
        const body = (await get(url, t)) as { total?: number };
        total = body.total ?? 0;
      }, opts.reps);
      lists.by_list[name] = { ...stats(xs), total };
      listTimes.push(...xs);
    }
    lists.p95_ms = round(percentile(listTimes, 95));
    // Not a work list, so outside the target: every request that ever went overdue, closed ones included.
    {
      let total = 0;
      const xs = await timeSequential(async () => {
        total = ((await get(`${api}/requests?overdue=true`, dispatcherToken)) as { total: number }).total;
      }, Math.max(2, Math.round(opts.reps / 4)));
      lists.all_time_overdue = { ...stats(xs), total };
    }

    log('search …');
    let search: BenchResult['search'];
    try {
      // Each query once: the figure judged, read where the queries' rows are not cached yet. Then the same again
      // (second_pass): what the cache does for them, reported beside it.
      const pass = async () => {
        const xs: number[] = [];
        for (const q of SEARCH_QUERIES) {
          const t = performance.now();
          await get(`${api}/requests?q=${encodeURIComponent(q)}`, dispatcherToken);
          xs.push(performance.now() - t);
        }
        return xs;
      };
      await get(`${api}/requests?q=${encodeURIComponent(SEARCH_QUERIES[0])}`, dispatcherToken);
      const xs = await pass();
      search = { ...stats(xs), queries: xs.length, second_pass: stats(await pass()) };
    } catch (err) {
      search = { p50_ms: null, p95_ms: null, queries: 0, reason: `search failed: ${(err as Error).message.slice(0, 200)}` };
    }

    log('classification …');
    let classify: BenchResult['classify'];
    try {
      const sample = bodies.map((b) => JSON.parse(b) as { title: string; content: string });
      const first = (await fetchJson(`${api}/intelligence/classify`, { method: 'POST', headers: { ...auth(dispatcherToken), 'content-type': 'application/json' }, body: JSON.stringify({ title: sample[0].title, content: sample[0].content }) })) as { model: unknown };
      if (!first.model) classify = { per_s: null, p95_ms: null, reason: 'no trained model' };
      else {
        const r = await timeConcurrent(async (i) => {
          const s = sample[i % sample.length];
          await fetchJson(`${api}/intelligence/classify`, { method: 'POST', headers: { ...auth(dispatcherToken), 'content-type': 'application/json' }, body: JSON.stringify({ title: s.title, content: s.content }) });
        }, 4, Math.max(1, opts.seconds / 2));
        classify = { per_s: round(r.perSecond), p95_ms: round(percentile(r.latencies, 95)) };
      }
    } catch (err) {
      classify = { per_s: null, p95_ms: null, reason: `classification failed: ${(err as Error).message.slice(0, 200)}` };
    }

    const rss = server.peakRssMb();
    return {
      size: opts.size, db: opts.db, date: new Date().toISOString(),
      machine: { cores: os.cpus().length, memory_gb: round(os.totalmem() / 2 ** 30), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, load_avg_start: loadStart, load_avg_end: os.loadavg().map((x) => round(x, 2)) },
      requests, ...(databaseServer ? { database_server: databaseServer } : {}), generate,
      intake: {
        limit_rps: limit.rps, rps: real.rps, ratio: limit.rps > 0 ? round(real.rps / limit.rps, 3) : 0, p50_ms: real.p50_ms, p99_ms: real.p99_ms,
        limit_p50_ms: limit.p50_ms, limit_p99_ms: limit.p99_ms, errors: real.errors + limit.errors, connections: opts.connections, seconds: opts.seconds,
      },
      import: imported, kpi, lists, search, classify, train, rss_peak_mb: rss,
    };
  } finally {
    await server.stop();
  }
}

/** Drops and recreates a PostgreSQL database for a run (the URL names it). */
export async function freshPostgresDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
}
