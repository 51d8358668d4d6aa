/**
 * The spike test of hotspots, pure.
 *
 * The statistic: a count is a spike when it is improbably high for its own baseline. The baseline is the
 * same series' 28 days before the period (four whole weeks). The expected count follows the day's volume: the
 * series' share of all requests in the baseline, s = Σxᵢ / ΣTᵢ (Tᵢ: all requests of day i), times the period's
 * total T: μ = s·T. So a Monday's or a holiday's volume does not look like a spike or a lull of every series.
 * Over-dispersion is Pearson's φ = Σ (xᵢ − s·Tᵢ)² / (s·Tᵢ) / (n − 1) over the baseline days. The tail
 * probability p = P(X ≥ observed) is taken from
 *   - a Poisson(μ) distribution when φ ≤ 1 (counts as random as independent calls can be), or
 *   - a negative binomial with mean μ and variance φ·μ when φ > 1 (earlier bursts, a noisy series), which widens
 *     the tail so that a busy, noisy cell does not alarm every day.
 * A hotspot needs p below the period's threshold, at least MIN_COUNT requests and at least MIN_RATIO × μ: the
 * last two keep a rare cell's "0 → 3" out, however improbable. A series never seen in the baseline is taken
 * as seen once (s ≥ 1 / ΣTᵢ), so a new problem is judged against "almost never", not against "never".
 *
 * The threshold is Bonferroni over the series that could have raised one in that period (those reaching
 * MIN_COUNT: category × district cells and words): α = FAMILY_ALPHA / m. So whatever the city's size, the chance
 * that a day (or a week) raises any hotspot when nothing unusual happened stays at most 5 %. A fixed per-series α
 * would not: a city testing 2 000 words a day at α = 0.001 would see two false alarms a day. (Measured on six
 * generated months without planted bursts: bench/analysis-timings.ts lists what remains.)
 *
 * Why not a z-score: the counts are small integers. (x − μ)/σ treats them as normal, so its tail is far too
 * thin for small μ, and with a flat baseline (σ → 0) any +1 becomes infinite; a variance floor would fix that
 * only by a constant nobody can interpret. The Poisson/negative-binomial tail is a probability at every size,
 * which is also what lets the threshold be shared out over many series.
 */

export const BASELINE_DAYS = 28;
/** Chance per period (day or week) of any false hotspot, shared out over the series tested (Bonferroni). */
export const FAMILY_ALPHA = 0.05;
/** The threshold of a single series tested alone. */
export const ALPHA = FAMILY_ALPHA;
export const MIN_COUNT = { day: 5, week: 10 } as const;
export const MIN_RATIO = 2;

export type Granularity = keyof typeof MIN_COUNT;

// Lanczos approximation (g = 7, n = 9): log Γ(x) to about 15 digits for x > 0.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Sums a distribution's probabilities from k upwards, starting from log P(k) and the ratio P(j+1)/P(j). */
function upperTail(k: number, logFirst: number, ratio: (j: number) => number): number {
  let term = Math.exp(logFirst);
  let sum = 0;
  for (let j = k; j < k + 100_000; j++) {
    sum += term;
    term *= ratio(j);
    if (term <= sum * 1e-15 || term === 0) break;
  }
  return Math.min(1, sum);
}

/** P(X ≥ k) for X ~ Poisson(mean). */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (k <= mean) return 1 - poissonCdf(k - 1, mean);
  return upperTail(k, k * Math.log(mean) - mean - logGamma(k + 1), (j) => mean / (j + 1));
}

function poissonCdf(k: number, mean: number): number {
  let term = Math.exp(-mean);
  let sum = term;
  for (let j = 1; j <= k; j++) {
    term *= mean / j;
    sum += term;
  }
  return Math.min(1, sum);
}

/** P(X ≥ k) for a negative binomial with this mean and variance (variance > mean), by the method of moments. */
export function negativeBinomialUpperTail(k: number, mean: number, variance: number): number {
  if (variance <= mean) return poissonUpperTail(k, mean);
  if (k <= 0) return 1;
  const r = (mean * mean) / (variance - mean);
  const p = mean / variance; // P(success) in the "failures before r successes" form: mean = r(1-p)/p
  const logPmf = (j: number) => logGamma(j + r) - logGamma(r) - logGamma(j + 1) + r * Math.log(p) + j * Math.log(1 - p);
  if (k <= mean) {
    let cdf = 0;
    for (let j = 0; j < k; j++) cdf += Math.exp(logPmf(j));
    return Math.max(0, Math.min(1, 1 - cdf));
  }
  return upperTail(k, logPmf(k), (j) => ((j + r) / (j + 1)) * (1 - p));
}

export interface SpikeTest {
  count: number;
  /** Expected count for the period: the baseline share of all requests × the period's requests. */
  expected: number;
  /** Variance used for the period's count (φ·μ, at least μ). */
  variance: number;
  model: 'poisson' | 'negative-binomial';
  pValue: number;
  ratio: number;
  isSpike: boolean;
}

export interface SpikeInput {
  /** The series' requests in the period. */
  count: number;
  /** All requests in the period (every series together). */
  periodTotal: number;
  /** Each of the 28 days before: the series' requests and all requests. */
  baseline: Array<{ count: number; total: number }>;
}

/** The per-series threshold when `tested` series could have raised a hotspot in the same period. */
export function seriesAlpha(tested: number): number {
  return FAMILY_ALPHA / Math.max(1, tested);
}

/** Tests one period's count against the 28 days before it, at threshold `alpha`. */
export function testSpike(input: SpikeInput, granularity: Granularity, alpha = ALPHA): SpikeTest {
  const { count, periodTotal, baseline } = input;
  const seen = baseline.reduce((a, d) => a + d.count, 0);
  const volume = baseline.reduce((a, d) => a + d.total, 0);
  const periodDays = granularity === 'day' ? 1 : 7;
  // No requests at all before (a new system): one request in the 28 days, per day.
  const expected = volume > 0 ? (Math.max(seen, 1) / volume) * periodTotal : periodDays / BASELINE_DAYS;
  const share = volume > 0 ? seen / volume : 0;
  let chi = 0;
  let days = 0;
  for (const d of baseline) {
    if (d.total <= 0 || share <= 0) continue;
    chi += (d.count - share * d.total) ** 2 / (share * d.total);
    days++;
  }
  const phi = days > 1 ? chi / (days - 1) : 1;
  const model = phi > 1 ? 'negative-binomial' : 'poisson';
  const variance = Math.max(phi, 1) * expected;
  const pValue = model === 'poisson' ? poissonUpperTail(count, expected) : negativeBinomialUpperTail(count, expected, variance);
  const ratio = expected > 0 ? count / expected : Infinity;
  return {
    count, expected: round(expected, 3), variance: round(variance, 3), model, pValue, ratio: round(ratio, 2),
    isSpike: count >= MIN_COUNT[granularity] && ratio >= MIN_RATIO && pValue < alpha,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Plain-language statement of the rule, returned with every hotspot list. */
export const HOTSPOT_METHOD = {
  statistic: `Poisson / negative-binomial upper tail against the same series' trailing ${BASELINE_DAYS}-day share of all requests, Bonferroni over the series tested`,
  description: `基线：同一序列此前 ${BASELINE_DAYS} 天占全部诉求的比例 s；本时段（日或周）的期望 μ = s × 本时段诉求总量，`
    + `离散度 φ 取基线各日的 Pearson 统计量；φ ≤ 1 时按泊松分布、φ > 1 时按负二项分布（方差 φμ）计算 p = P(X ≥ 实际件数)。`
    + `p < ${FAMILY_ALPHA} ÷ 该时段参与检验的序列数（Bonferroni）、件数 ≥ ${MIN_COUNT.day}（日）/ ${MIN_COUNT.week}（周）且 ≥ ${MIN_RATIO} 倍期望时为热点；`
    + `基线中从未出现的按 ${BASELINE_DAYS} 天 1 件计。`,
  baselineDays: BASELINE_DAYS,
  familyAlpha: FAMILY_ALPHA,
  minCount: MIN_COUNT,
  minRatio: MIN_RATIO,
};
