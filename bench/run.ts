// npm run bench -- --size S|M|L [--db sqlite|postgres] [--seconds 10] [--connections 50] [--reps 20] [--import-rows N] [--reuse]
// Runs one benchmark, writes bench/results/<size>-<db>.json and regenerates BENCHMARKS.md from every results file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/server/cli/progress';
import { freshPostgresDatabase, runBenchmark, SIZES } from './harness';
import { RESULTS_DIR, writeBenchmarks, writeResult } from './report';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'S' }, db: { type: 'string', default: 'sqlite' }, seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' }, reps: { type: 'string', default: '20' }, 'import-rows': { type: 'string' }, seed: { type: 'string' }, requests: { type: 'string' },
    reuse: { type: 'boolean', default: false }, 'report-only': { type: 'boolean', default: false },
  },
  strict: true,
});

if (values['report-only']) {
  writeBenchmarks();
  console.log('BENCHMARKS.md regenerated.');
  process.exit(0);
}

const size = String(values.size).toUpperCase();
// --requests N runs another size under the label given by --size (kept out of BENCHMARKS.md unless S, M or L).
const requests = values.requests !== undefined ? Number(values.requests) : SIZES[size];
if (!requests) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')} (or give --requests N)`);
const db = values.db === 'postgres' ? 'postgres' : values.db === 'sqlite' ? 'sqlite' : null;
if (!db) throw new Error('--db must be sqlite or postgres');

let databaseUrl: string;
if (db === 'sqlite') {
  const dir = path.join(os.tmpdir(), 'zhengtong-bench');
  fs.mkdirSync(dir, { recursive: true });
  databaseUrl = path.join(dir, `${size}.db`);
  if (!values.reuse) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(databaseUrl + suffix, { force: true });
} else {
  const base = process.env.DATABASE_URL && /^postgres/.test(process.env.DATABASE_URL) ? process.env.DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/test';
  const u = new URL(base);
  u.pathname = `/zt_bench_${size.toLowerCase()}`;
  databaseUrl = u.toString();
  if (!values.reuse) await freshPostgresDatabase(databaseUrl);
}

const bar: { p?: ReturnType<typeof createProgress> } = {};
const started = Date.now();
const result = await runBenchmark({
  size, requests, db, databaseUrl,
  seconds: Number(values.seconds), connections: Number(values.connections), reps: Number(values.reps),
  importRows: values['import-rows'] !== undefined ? Number(values['import-rows']) : Math.min(100_000, Math.max(10_000, Math.round(requests / 10))),
  reuse: values.reuse, seed: values.seed !== undefined ? Number(values.seed) : undefined,
  log: (line) => {
    bar.p?.done();
    bar.p = undefined;
    console.log(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`);
  },
  onGenerateProgress: (done, total) => (bar.p ??= createProgress('generating', total)).update(done),
});
// A --reuse run measures no generation (and, with --import-rows 0, no import): keep those figures from the run that did.
const previousFile = path.join(RESULTS_DIR, `${size}-${db}.json`);
if (values.reuse && fs.existsSync(previousFile)) {
  const previous = JSON.parse(fs.readFileSync(previousFile, 'utf8')) as typeof result;
  if (!result.generate && previous.generate) result.generate = { ...previous.generate, measured_at: previous.generate.measured_at ?? previous.date };
  if (result.import.rows_per_s === null && previous.import.rows_per_s !== null) result.import = { ...previous.import, measured_at: previous.import.measured_at ?? previous.date };
}
const file = writeResult(result);
writeBenchmarks();
console.log(JSON.stringify(result, null, 2));
console.log(`Results: ${file}; BENCHMARKS.md regenerated.`);
