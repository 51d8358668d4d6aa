// npx tsx bench/import-probe.ts --db FILE_OR_URL [--rows 30000] [--batch 2000]
// The bench's import figure alone, on a database already generated: writes an import file of `rows` generated
// requests under ids no earlier import used (so none is skipped), imports it as `requests import` does, and
// prints rows per second. The rows stay in the database, as after a run; the next probe dates its rows a year
// before them (the first rows of the half-year, each run on the same few days, would soon pass the 99,999
// numbers a day has).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemActor } from '../src/server/core/http/access';
import { importHistoryFile } from '../src/server/modules/intelligence';
import { openBench, writeImportFile } from './harness';

const { values } = parseArgs({ options: { db: { type: 'string' }, rows: { type: 'string', default: '30000' }, batch: { type: 'string', default: '2000' } }, strict: true });
if (!values.db) throw new Error('--db is required');

const ctx = await openBench(values.db);
const file = path.join(os.tmpdir(), `zhengtong-import-probe-${process.pid}.jsonl`);
const earliest = (source?: string) => ctx.db.selectFrom('requests').select((eb) => eb.fn.min('local_date').as('day'))
  .$if(!!source, (q) => q.where('source', '=', source!)).executeTakeFirst().then((r) => Date.parse(String(r?.day ?? '')) || 0);
const yearsEarlier = 1 + Math.floor(Math.max(0, (await earliest('generated')) - (await earliest())) / (366 * 86_400_000));
const written = await writeImportFile(ctx, Number(values.rows), file, `probe-${Date.now()}-`, yearsEarlier);
const res = await importHistoryFile(ctx, systemActor('bench'), fs.readFileSync(file), path.basename(file), { batchSize: Number(values.batch) });
fs.rmSync(file, { force: true });
console.log(`${written} rows in the file: ${res.imported} imported, ${res.skipped} skipped, ${res.errors.length} refused, in ${res.seconds.toFixed(1)} s: ${Math.round(res.imported / res.seconds)} rows/s`);
await ctx.database.close();
