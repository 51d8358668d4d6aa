// npx tsx bench/search-probe.ts --db FILE_OR_URL [--rounds 5] [--query 人民路 …] [--worst 8] [--walk-min-share 0.05] [--span-factor 2]
// Times the bench's 50 text searches (bench/harness.ts SEARCH_QUERIES) through listRequests, in this process
// (no HTTP): p50/p95 over every round, and the slowest queries with the terms they were searched by.
// The database is opened as it is, not migrated: two checkouts can take turns on one database (A/B in the
// same minutes, which is what makes figures comparable on a shared machine).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/server/config';
import type { AppContext } from '../src/server/context';
import { openDatabase } from '../src/server/core/db/database';
import { systemActor } from '../src/server/core/http/access';
import { getSegmenter } from '../src/server/core/search';
import { listRequests } from '../src/server/modules/requests/requests.query';
import { walkLimits } from '../src/server/core/search/request-index';
import { SEARCH_QUERIES } from './harness';
import { percentile, round } from './load';

const { values } = parseArgs({
  options: { db: { type: 'string' }, rounds: { type: 'string', default: '5' }, query: { type: 'string', multiple: true }, worst: { type: 'string', default: '8' }, 'walk-min-share': { type: 'string' }, 'span-factor': { type: 'string' } },
  strict: true,
});
if (!values.db) throw new Error('--db is required');

const config = loadConfig({ ...process.env, DATABASE_URL: values.db, LOG_LEVEL: 'warn', NODE_ENV: 'test' });
const database = await openDatabase(config.databaseUrl);
const ctx: AppContext = { config, database, db: database.db, dialect: database.dialect, clock: { now: () => new Date() }, log: pino({ level: 'warn' }) };
const actor = systemActor('probe');
// PostgreSQL: from which share of the requests a word is found by walking newest first, and how wide the first look is (walkLimits), to try others.
if (values['walk-min-share'] !== undefined) walkLimits.walkMinShare = Number(values['walk-min-share']);
if (values['span-factor'] !== undefined) walkLimits.spanFactor = Number(values['span-factor']);
const queries = values.query?.length ? values.query : SEARCH_QUERIES;
const seg = await getSegmenter(ctx);

const times = new Map<string, number[]>(queries.map((q) => [q, []]));
const totals = new Map<string, string>();
await listRequests(ctx, actor, { q: queries[0] }); // warm-up: the dictionary, the statement cache
for (let r = 0; r < Number(values.rounds); r++) {
  for (const q of queries) {
    const t = performance.now();
    const res = await listRequests(ctx, actor, { q });
    times.get(q)!.push(performance.now() - t);
    totals.set(q, `${res.total}${res.totalCapped ? '+' : ''}`);
  }
}

const all = [...times.values()].flat();
// The bench takes one sample per query: the p95 of per-query medians is its closest figure.
const medians = [...times.entries()].map(([q, xs]) => ({ q, ms: percentile(xs, 50) }));
console.log(`queries ${queries.length} × ${values.rounds}: all samples p50 ${round(percentile(all, 50))} ms, p95 ${round(percentile(all, 95))} ms; per-query medians p50 ${round(percentile(medians.map((m) => m.ms), 50))} ms, p95 ${round(percentile(medians.map((m) => m.ms), 95))} ms`);
medians.sort((a, b) => b.ms - a.ms);
for (const { q, ms } of medians.slice(0, Number(values.worst))) {
  console.log(`  ${round(ms).toString().padStart(7)} ms  ${q.padEnd(10)} total ${totals.get(q)!.padEnd(6)} terms ${JSON.stringify(seg.searchQuery(q))}`);
}
await ctx.database.close();
