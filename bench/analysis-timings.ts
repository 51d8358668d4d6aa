/**
 * How long the request-analysis paths take on generated history (requests.generate, profile h1-2024: six
 * months to 2024-06-30, the city's real mix), on SQLite or PostgreSQL:
 *
 *   npx tsx bench/analysis-timings.ts --requests 100000 [--db postgres] [--queries 50]
 *
 * Prints: analysing every request (words, daily counts), related requests while typing (p50/p95 of
 * --queries drafts taken from the last 30 days), hotspots of a week and of a month, a monthly briefing
 * (three job steps) and the month's topic candidates.
 */
import { parseArgs } from 'node:util';
import { runDueJobs } from '../src/server/core/jobs';
import { systemActor } from '../src/server/core/http/access';
import { indexAllRequests } from '../src/server/modules/intelligence/analysis.index';
import { requestBriefing } from '../src/server/modules/intelligence/briefings.service';
import { findRelatedForDraft } from '../src/server/modules/intelligence/duplicates.service';
import { findHotspots } from '../src/server/modules/intelligence/hotspots.service';
import { topicCandidates } from '../src/server/modules/intelligence/topics.service';
import { generateRequests } from '../src/server/modules/requests/requests.generate';
import { createTestContext, FakeClock } from '../src/server/test/harness';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100000' }, db: { type: 'string', default: 'sqlite' }, queries: { type: 'string', default: '50' } } });

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function main() {
  const dialect = values.db === 'postgres' ? 'postgres' : 'sqlite';
  if (dialect === 'postgres' && !process.env.TEST_DATABASE_URL) process.env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const clock = new FakeClock('2024-07-01T02:00:00.000Z');
  const ctx = await createTestContext(dialect, { clock });
  try {
    const n = Number(values.requests);
    await timed(`generate ${n} requests (${dialect})`, () => generateRequests(ctx, { profile: 'h1-2024', requests: n, seed: 7 }));
    const indexed = await timed('analyse every request (words, term days)', () => indexAllRequests(ctx, 5000));
    console.log(`  ${indexed} requests analysed`);
    const drafts = await ctx.db.selectFrom('requests').select(['title', 'content', 'address', 'district_unit_id', 'requester_phone'])
      .where('local_date', '>=', '2024-06-01').orderBy('id').limit(Number(values.queries)).execute();
    const actor = { ...systemActor('bench'), permissions: new Set(['requests.accept', 'requests.dispatch', 'requests.personal', 'requests.confidential']) };
    const ms: number[] = [];
    let hits = 0;
    for (const d of drafts) {
      const t0 = performance.now();
      const r = await findRelatedForDraft(ctx, actor, { title: d.title, content: d.content, address: d.address, districtId: d.district_unit_id, phone: d.requester_phone });
      ms.push(performance.now() - t0);
      hits += r.items.length;
    }
    console.log(`related while typing: ${drafts.length} drafts, p50 ${quantile(ms, 0.5).toFixed(1)} ms, p95 ${quantile(ms, 0.95).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms, ${(hits / drafts.length).toFixed(1)} items each`);
    const week = await timed('hotspots 2024-06-24..30 (a week)', () => findHotspots(ctx, { from: '2024-06-24', to: '2024-06-30' }));
    console.log(`  ${week.hotspots.length} hotspots`);
    const month = await timed('hotspots 2024-06-01..30 (a month)', () => findHotspots(ctx, { from: '2024-06-01', to: '2024-06-30' }));
    console.log(`  ${month.hotspots.length} hotspots`);
    await timed('monthly briefing 2024-06 (three job steps)', async () => {
      await requestBriefing(ctx, systemActor('bench'), { period: 'month', start: '2024-06-01' });
      await runDueJobs(ctx);
    });
    const topics = await timed('topic candidates 2024-06', () => topicCandidates(ctx, '2024-06'));
    console.log(`  ${topics.candidates.length} candidates; first: ${topics.candidates[0]?.label} (${topics.candidates[0]?.score.total})`);
  } finally {
    await ctx.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
