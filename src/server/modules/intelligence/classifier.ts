import { hanBigrams, normalizeText, STOP_WORDS, type Segmenter } from '../../core/search';

/**
 * The suggester's learning method, pure (no database): complement naive Bayes (Rennie et al. 2003) over
 * TF-IDF features — jieba search tokens and Chinese character pairs, the title counted three times —
 * with the taxonomy's own names as extra small documents. Chosen by measurement on the real labelled
 * messages (see `intelligence eval`): it beat multinomial NB and a softmax regression trained by SGD
 * there, and it trains in one pass, so the nightly retraining on a city's whole history stays cheap.
 * Scores become probabilities through a softmax whose temperature is fitted on held-out requests.
 */

export type Features = Map<string, number>;

const TITLE_WEIGHT = 3;
const NUMERIC = /^[\d.]+$/;

/** Features of a request from its tokens (as stored in the search index) and its raw text (for character pairs). */
export function featuresFromTokens(input: { titleTokens: string[]; bodyTokens: string[]; titleText: string; bodyText: string }): Features {
  const f: Features = new Map();
  const add = (key: string, n: number) => f.set(key, (f.get(key) ?? 0) + n);
  for (const t of input.titleTokens) if (t.length > 1 && !NUMERIC.test(t) && !STOP_WORDS.has(t)) add(t, TITLE_WEIGHT);
  for (const t of input.bodyTokens) if (t.length > 1 && !NUMERIC.test(t) && !STOP_WORDS.has(t)) add(t, 1);
  // '~' keeps a character pair apart from a two-character word that happens to be spelled the same.
  for (const b of hanBigrams(normalizeText(input.titleText))) add(`~${b}`, TITLE_WEIGHT);
  for (const b of hanBigrams(normalizeText(input.bodyText))) add(`~${b}`, 1);
  return f;
}

/** Features of a text that is not indexed (classify, eval): segmented here. */
export function featuresFromText(seg: Segmenter, input: { title?: string | null; content: string }): Features {
  const title = input.title ?? '';
  return featuresFromTokens({ titleTokens: title ? seg.searchTokens(title) : [], bodyTokens: seg.searchTokens(input.content), titleText: title, bodyText: input.content });
}

export interface TrainingDoc {
  features: Features;
  /** Index into the head's labels. */
  label: number;
}

/** The vocabulary and IDF every head shares. */
export interface FeatureSpace {
  features: string[];
  idf: number[];
}

/** One classifier over the shared features: for each feature the classes it pulls towards, and by how much. */
export interface CnbHead {
  labels: string[];
  /** Per feature index: flattened [class, weight, class, weight, …]; omitted weights are 0. */
  postings: number[][];
  /** Per class: log of the complement's total mass (smoothed). */
  logZ: number[];
  /** Softmax temperature fitted on held-out documents (1 when there were too few). */
  temperature: number;
  /**
   * Where the head learns from the district too (units: a district government handles its own district),
   * how often each class was seen per district: the text's odds are multiplied by P(district | class) ÷ P(district).
   */
  district?: DistrictStats;
}

export interface DistrictStats {
  /** Per class: district id → documents. */
  byClass: Array<Record<string, number>>;
  /** Per class: documents with a district. */
  classTotals: number[];
  /** District id → documents, over all classes. */
  totals: Record<string, number>;
  documents: number;
}

const DISTRICT_SMOOTHING = 1;

/** log P(district | class) − log P(district) per class (0 for all when the district is unknown or unseen). */
export function districtOffsets(stats: DistrictStats | undefined, classes: number, district: number | null | undefined): Float64Array {
  const out = new Float64Array(classes);
  if (!stats || district == null) return out;
  const key = String(district);
  const seen = stats.totals[key];
  if (!seen) return out;
  const kinds = Object.keys(stats.totals).length;
  const prior = Math.log((seen + DISTRICT_SMOOTHING) / (stats.documents + DISTRICT_SMOOTHING * kinds));
  for (let y = 0; y < classes; y++) {
    out[y] = Math.log(((stats.byClass[y]?.[key] ?? 0) + DISTRICT_SMOOTHING) / ((stats.classTotals[y] ?? 0) + DISTRICT_SMOOTHING * kinds)) - prior;
  }
  return out;
}

function countDistricts(labels: number[], districts: Array<number | null>, classes: number): DistrictStats {
  const stats: DistrictStats = { byClass: Array.from({ length: classes }, () => ({})), classTotals: new Array(classes).fill(0), totals: {}, documents: 0 };
  labels.forEach((y, i) => {
    const d = districts[i];
    if (d == null) return;
    const key = String(d);
    stats.byClass[y][key] = (stats.byClass[y][key] ?? 0) + 1;
    stats.classTotals[y]++;
    stats.totals[key] = (stats.totals[key] ?? 0) + 1;
    stats.documents++;
  });
  return stats;
}

export interface TrainOptions {
  alpha?: number;
  /** Features kept, most frequent first. */
  maxFeatures?: number;
  /** Features seen in fewer documents are dropped (1 keeps all). */
  minDf?: number;
}

const DEFAULTS = { alpha: 0.1, maxFeatures: 200_000, minDf: 1 };
// A posting whose pull changes a class score by less than this is left out of the stored model.
const MIN_POSTING = 0.002;

export function buildFeatureSpace(docs: Iterable<Features>, opts: TrainOptions = {}): FeatureSpace {
  const df = new Map<string, number>();
  let n = 0;
  for (const f of docs) {
    n++;
    for (const k of f.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  }
  const minDf = opts.minDf ?? DEFAULTS.minDf;
  const kept = [...df.entries()].filter(([, c]) => c >= minDf).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, opts.maxFeatures ?? DEFAULTS.maxFeatures);
  return { features: kept.map(([k]) => k), idf: kept.map(([, c]) => Math.log((1 + n) / (1 + c)) + 1) };
}

/**
 * Sublinear TF × IDF, L2-normalised, as sparse (index, value) pairs. Words the model never saw count in
 * the norm at the highest IDF: a text made mostly of unknown words carries little evidence, so the
 * suggestion is unsure rather than confidently wrong.
 */
export function vectorize(space: { index: Map<string, number>; idf: number[]; maxIdf?: number }, f: Features): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let norm = 0;
  const unknownIdf = space.maxIdf ?? 0;
  for (const [k, c] of f) {
    if (c <= 0) continue;
    const i = space.index.get(k);
    if (i === undefined) {
      norm += ((1 + Math.log(c)) * unknownIdf) ** 2;
      continue;
    }
    const v = (1 + Math.log(c)) * space.idf[i];
    out.push([i, v]);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (const e of out) e[1] /= norm;
  return out;
}

export function indexOf(space: FeatureSpace): Map<string, number> {
  return new Map(space.features.map((f, i) => [f, i]));
}

/** Trains one complement-NB head on vectors already built in the feature space. */
export function trainHead(vectors: Array<Array<[number, number]>>, labels: number[], labelNames: string[], featureCount: number, opts: TrainOptions = {}): CnbHead {
  const alpha = opts.alpha ?? DEFAULTS.alpha;
  const C = labelNames.length;
  // Per class sparse mass c[y][i]; all[i] over classes.
  const mass: Array<Map<number, number>> = Array.from({ length: C }, () => new Map());
  const all = new Float64Array(featureCount);
  const total = new Float64Array(C);
  vectors.forEach((x, d) => {
    const y = labels[d];
    const m = mass[y];
    for (const [i, v] of x) {
      m.set(i, (m.get(i) ?? 0) + v);
      all[i] += v;
      total[y] += v;
    }
  });
  const allTotal = total.reduce((a, b) => a + b, 0);
  const logZ = Array.from(total, (t) => Math.log(allTotal - t + alpha * featureCount));
  const postings: number[][] = Array.from({ length: featureCount }, () => []);
  mass.forEach((m, y) => {
    for (const [i, c] of m) {
      const w = Math.log(all[i] + alpha) - Math.log(all[i] - c + alpha);
      if (w >= MIN_POSTING) postings[i].push(y, round(w, 4));
    }
  });
  return { labels: labelNames, postings, logZ: logZ.map((z) => round(z, 6)), temperature: 1 };
}

/** Raw class scores (higher is better) for a vector. */
export function scoreHead(head: CnbHead, x: Array<[number, number]>): Float64Array {
  const s = new Float64Array(head.labels.length);
  let sum = 0;
  for (const [i, v] of x) {
    sum += v;
    const p = head.postings[i];
    if (!p) continue;
    for (let k = 0; k < p.length; k += 2) s[p[k]] += v * p[k + 1];
  }
  for (let y = 0; y < s.length; y++) s[y] += sum * head.logZ[y];
  return s;
}

/** Log-odds per class: the text's scores at a temperature, plus the district's offsets. */
export function logits(scores: Float64Array, temperature: number, offsets?: Float64Array): Float64Array {
  const out = new Float64Array(scores.length);
  for (let y = 0; y < scores.length; y++) out[y] = scores[y] * temperature + (offsets?.[y] ?? 0);
  return out;
}

/** Softmax of log-odds. */
export function softmax(values: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  const p = new Float64Array(values.length);
  let z = 0;
  for (let y = 0; y < values.length; y++) {
    p[y] = Math.exp(values[y] - max);
    z += p[y];
  }
  for (let y = 0; y < p.length; y++) p[y] /= z;
  return p;
}

/** Class indexes best first. */
export function ranking(scores: Float64Array): number[] {
  return [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * The temperature that makes held-out probabilities honest: the one (on a log grid, refined once) that
 * minimises the negative log-likelihood of the true classes.
 */
export function fitTemperature(held: Array<{ scores: Float64Array; offsets?: Float64Array; label: number }>): number {
  if (held.length < 10) return 1;
  const nll = (t: number) => {
    let sum = 0;
    for (const h of held) sum -= Math.log(Math.max(softmax(logits(h.scores, t, h.offsets))[h.label], 1e-12));
    return sum;
  };
  let best = 1;
  let bestLoss = Infinity;
  for (let k = -6; k <= 14; k++) {
    const t = 2 ** k;
    const loss = nll(t);
    if (loss < bestLoss) [best, bestLoss] = [t, loss];
  }
  for (const f of [0.6, 0.75, 0.9, 1.1, 1.3, 1.5]) {
    const loss = nll(best * f);
    if (loss < bestLoss) [best, bestLoss] = [best * f, loss];
  }
  return round(best, 4);
}

/** A deterministic shuffle (LCG seeded): the same seed gives the same folds on every machine. */
export function seededShuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(next() * (i + 1));
    [out[i], out[k]] = [out[k], out[i]];
  }
  return out;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface Suggestion {
  label: string;
  score: number;
}

/** A trained suggester: the shared feature space and its heads, ready to predict. */
export class Classifier {
  private readonly index: Map<string, number>;
  private readonly maxIdf: number;
  constructor(readonly space: FeatureSpace, readonly heads: Record<string, CnbHead>) {
    this.index = indexOf(space);
    this.maxIdf = space.idf.reduce((a, b) => Math.max(a, b), 0);
  }

  vector(f: Features): Array<[number, number]> {
    return vectorize({ index: this.index, idf: this.space.idf, maxIdf: this.maxIdf }, f);
  }

  /** The best `k` labels of a head with their probabilities, best first; the district weighs in where the head learnt it. */
  suggest(head: string, f: Features, k: number, district?: number | null): Suggestion[] {
    const h = this.heads[head];
    if (!h || !h.labels.length) return [];
    const z = logits(scoreHead(h, this.vector(f)), h.temperature, districtOffsets(h.district, h.labels.length, district));
    const p = softmax(z);
    return ranking(z).slice(0, k).map((y) => ({ label: h.labels[y], score: round(p[y], 4) }));
  }

  toJSON() {
    return { format: 'cnb-1', space: this.space, heads: this.heads };
  }

  static fromJSON(json: string): Classifier {
    const m = JSON.parse(json) as { format: string; space: FeatureSpace; heads: Record<string, CnbHead> };
    if (m.format !== 'cnb-1') throw new Error(`unknown model format ${m.format}`);
    return new Classifier(m.space, m.heads);
  }
}

export interface HeadData {
  docs: Features[];
  labels: string[];
  /** The district of each document, for heads that learn from it (null: unknown). */
  districts?: Array<number | null>;
  /** Documents used for training but never for calibration (taxonomy names, dispatch rules). */
  pseudo?: Array<{ features: Features; label: string; district?: number | null }>;
}

/**
 * Trains every head on its documents over one shared feature space. With enough documents, a seeded
 * 80/20 split first fits each head's temperature on the held-out fifth; the final heads use everything.
 */
export function trainClassifier(data: Record<string, HeadData>, opts: TrainOptions & { seed?: number } = {}): Classifier {
  const allDocs = Object.values(data).flatMap((d) => [...d.docs, ...(d.pseudo ?? []).map((p) => p.features)]);
  const space = buildFeatureSpace(allDocs, opts);
  const index = indexOf(space);
  const heads: Record<string, CnbHead> = {};
  for (const [name, d] of Object.entries(data)) {
    const labelNames = [...new Set([...d.labels, ...(d.pseudo ?? []).map((p) => p.label)])].sort();
    const labelIndex = new Map(labelNames.map((l, i) => [l, i]));
    const vectors = d.docs.map((f) => vectorize({ index, idf: space.idf }, f));
    const pseudoVectors = (d.pseudo ?? []).map((p) => vectorize({ index, idf: space.idf }, p.features));
    const y = d.labels.map((l) => labelIndex.get(l)!);
    const py = (d.pseudo ?? []).map((p) => labelIndex.get(p.label)!);
    const byDistrict = !!d.districts;
    const docDistricts = d.districts ?? [];
    const pseudoDistricts = (d.pseudo ?? []).map((p) => p.district ?? null);
    let temperature = 1;
    if (d.docs.length >= 50 && labelNames.length > 1) {
      const order = seededShuffle([...d.docs.keys()], opts.seed ?? 7);
      const cut = Math.floor(order.length * 0.8);
      const trainIdx = order.slice(0, cut);
      const heldIdx = order.slice(cut);
      const probe = trainHead([...trainIdx.map((i) => vectors[i]), ...pseudoVectors], [...trainIdx.map((i) => y[i]), ...py], labelNames, space.features.length, opts);
      const stats = byDistrict ? countDistricts([...trainIdx.map((i) => y[i]), ...py], [...trainIdx.map((i) => docDistricts[i]), ...pseudoDistricts], labelNames.length) : undefined;
      temperature = fitTemperature(heldIdx.map((i) => ({ scores: scoreHead(probe, vectors[i]), offsets: districtOffsets(stats, labelNames.length, docDistricts[i]), label: y[i] })));
    }
    const head = trainHead([...vectors, ...pseudoVectors], [...y, ...py], labelNames, space.features.length, opts);
    head.temperature = temperature;
    if (byDistrict) head.district = countDistricts([...y, ...py], [...docDistricts, ...pseudoDistricts], labelNames.length);
    heads[name] = head;
  }
  return new Classifier(space, heads);
}
