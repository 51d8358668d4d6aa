// npx tsx bench/intake-probe.ts --db FILE_OR_URL [--rounds 3] [--seconds 10] [--connections 50]
// The bench's intake figure alone, on a database already generated: the bare limit server and Zhengtong's
// POST /api/v1/requests take turns under the same autocannon load, `rounds` times, so that each ratio
// compares two loads measured minutes apart at most. Prints per round req/s, p99, and the CPU seconds the
// server process and the database server (PostgreSQL's processes; none on SQLite) used per 1,000 accepts:
// where an accept's time goes. The bare rows are deleted afterwards; Zhengtong's accepts stay, as in a run.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { intakeBodies, openBench, removeBareRows, token } from './harness';
import { round, runAutocannon, type LoadResult } from './load';
import { startBareServer, startZhengtong, type ChildServer } from './servers';

const { values } = parseArgs({
  options: { db: { type: 'string' }, rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } },
  strict: true,
});
if (!values.db) throw new Error('--db is required');
const databaseUrl = values.db;

const ticks = (pid: number): number => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 per second)
  } catch {
    return 0;
  }
};
const postgresTicks = (): number => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).reduce((sum, d) => {
  try {
    return fs.readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('postgres') ? sum + ticks(Number(d)) : sum;
  } catch {
    return sum;
  }
}, 0);

const ctx = await openBench(databaseUrl);
const bodies = await intakeBodies(ctx);
const dispatcherToken = await token(ctx, 'dispatcher1');
await ctx.database.close();

async function measure(start: () => Promise<ChildServer>, path: string, headers?: Record<string, string>) {
  const server = await start();
  try {
    const [s0, p0] = [ticks(server.pid), postgresTicks()];
    const r: LoadResult = await runAutocannon({ url: server.url, path, headers, bodies, connections: Number(values.connections), seconds: Number(values.seconds) });
    const [s1, p1] = [ticks(server.pid), postgresTicks()];
    const perK = (t: number) => (r.ok ? round((t / 100 / r.ok) * 1000, 2) : 0);
    return { ...r, serverCpu: perK(s1 - s0), dbCpu: perK(p1 - p0) };
  } finally {
    await server.stop();
  }
}

for (let i = 1; i <= Number(values.rounds); i++) {
  const bare = await measure(() => startBareServer(databaseUrl), '/bare/requests');
  const real = await measure(() => startZhengtong(databaseUrl), '/api/v1/requests', { authorization: `Bearer ${dispatcherToken}` });
  const line = (name: string, r: typeof bare) => `${name} ${r.rps} req/s p99 ${r.p99_ms} ms, CPU s per 1,000: server ${r.serverCpu}, database ${r.dbCpu}${r.errors ? `, ${r.errors} errors` : ''}`;
  console.log(`round ${i}: ratio ${round((real.rps / bare.rps) * 100)} %\n  ${line('bare', bare)}\n  ${line('Zhengtong', real)}`);
}
const clean = await openBench(databaseUrl);
await removeBareRows(clean);
await clean.database.close();
