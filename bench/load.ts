import autocannon from 'autocannon';

/** Percentile of a sample (nearest rank); 0 for an empty sample. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ok: number;
  errors: number;
}

/**
 * Open-ended load from autocannon in this process: `connections` keep requests in flight for
 * `seconds`; bodies rotate through `bodies`. Only 2xx answers count as throughput.
 */
export async function runAutocannon(opts: { url: string; path: string; headers?: Record<string, string>; bodies: string[]; connections: number; seconds: number; warmup?: number }): Promise<LoadResult> {
  // Warm-up, unmeasured: JIT, statement caches, the segmenter's dictionary load on a first request.
  for (let i = 0; i < (opts.warmup ?? 20); i++) {
    await fetchJson(`${opts.url}${opts.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers }, body: opts.bodies[i % opts.bodies.length] });
  }
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests: [{
      method: 'POST', path: opts.path, headers: { 'content-type': 'application/json', ...opts.headers },
      setupRequest: (req) => ({ ...req, body: opts.bodies[n++ % opts.bodies.length] }),
    }],
  });
  const ok = result['2xx'];
  return {
    rps: round(ok / opts.seconds),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    ok,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** Calls `fn` one after another `times` times (after `warmup` unmeasured calls) and returns the latencies in ms. */
export async function timeSequential(fn: () => Promise<void>, times: number, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** `concurrency` workers call `fn` back to back for `seconds`: completed calls per second and their latencies. */
export async function timeConcurrent(fn: (i: number) => Promise<void>, concurrency: number, seconds: number): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await fn(i++);
      latencies.push(performance.now() - t);
    }
  }));
  return { perSecond: latencies.length / ((performance.now() - started) / 1000), latencies };
}

/** A JSON request that fails loudly: a benchmark of error pages measures nothing. */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}
