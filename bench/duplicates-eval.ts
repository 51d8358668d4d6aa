/**
 * Duplicate detection on generated requests with planted repeats (paraphrases: another wording, clauses
 * reordered, synonyms, details added or missing, other callers' phones) and near misses (the same problem in
 * the next building, at the other end of the road, at another shop of the same kind).
 *
 *   npx tsx bench/duplicates-eval.ts                       # every method, precision/recall per threshold
 *   npx tsx bench/duplicates-eval.ts --seed 7 --repeated 300 --single 1500
 *
 * Two views of the same scores:
 *   pairs  — every pair (earlier, later) above the threshold is a predicted duplicate; precision and recall
 *            over the planted pairs;
 *   lists  — what an agent sees: for each request, the earlier ones above the threshold, best 5. "found" =
 *            share of requests with an earlier report whose list shows one; "quiet" = share of first reports
 *            whose list is empty; "list precision" = share of listed requests that are reports of the same problem.
 *
 * `evaluateDuplicates()` is what a bench harness calls; `atServiceThreshold` is the service's rule.
 */
import { fileURLToPath } from 'node:url';
import { cosine, normalizeText, segmenterFor, tfidfVector, unitNameWords, type DocumentFrequencies, type Segmenter, type TermVector, type UserWord } from '../src/server/core/search';
import { DEPARTMENTS, DISTRICTS } from '../src/server/demo/demo-city';
import { DEMO_TAXONOMY } from '../src/server/modules/catalog/catalog.demo';
import { generateRequestCorpus, pairKey, plantedPairs, type CorpusOptions, type GeneratedRequest } from '../src/server/modules/intelligence/analysis.test-data';
import {
  addressKey, charShingles, compareRequests, countTerms, minhashSignature, minhashSimilarity, requestTerms, TEXT_SIMILARITY_THRESHOLD, type SimilarityInput,
} from '../src/server/modules/intelligence/duplicates.similarity';

export interface Prf { precision: number; recall: number; f1: number; predicted: number }
export interface ListMetrics { found: number; quiet: number; listPrecision: number }

export interface MethodResult {
  method: string;
  curve: Array<{ threshold: number } & Prf & ListMetrics>;
  /** The threshold with the best pair F1. */
  best: { threshold: number } & Prf & ListMetrics;
  ms: number;
}

export interface DuplicatesEvaluation {
  requests: number;
  plantedPairs: number;
  methods: MethodResult[];
  /** The service's rule (TF-IDF cosine with the place rule) at TEXT_SIMILARITY_THRESHOLD: the text reason alone, and with phone and address. */
  atServiceThreshold: { threshold: number; text: Prf & ListMetrics; anyReason: Prf & ListMetrics };
}

const THRESHOLDS = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
const LIST_SIZE = 5;

type Scores = Array<Array<[number, number]>>; // for each request j: [earlier i, score] above the floor

function scoreAll(n: number, score: (i: number, j: number) => number, floor = 0.15): Scores {
  const out: Scores = [];
  for (let j = 0; j < n; j++) {
    const row: Array<[number, number]> = [];
    for (let i = 0; i < j; i++) {
      const s = score(i, j);
      if (s >= floor) row.push([i, s]);
    }
    out.push(row.sort((a, b) => b[1] - a[1]));
  }
  return out;
}

function measure(scores: Scores, truth: Set<string>, threshold: number): Prf & ListMetrics {
  let tp = 0;
  let predicted = 0;
  let withEarlier = 0;
  let found = 0;
  let firsts = 0;
  let quiet = 0;
  let listed = 0;
  let listedTrue = 0;
  const hasEarlier = new Set<number>();
  for (const k of truth) hasEarlier.add(Number(k.split(':')[1]));
  scores.forEach((row, j) => {
    const above = row.filter(([, s]) => s >= threshold);
    predicted += above.length;
    tp += above.filter(([i]) => truth.has(pairKey(i, j))).length;
    const list = above.slice(0, LIST_SIZE);
    listed += list.length;
    listedTrue += list.filter(([i]) => truth.has(pairKey(i, j))).length;
    if (hasEarlier.has(j)) {
      withEarlier++;
      if (list.some(([i]) => truth.has(pairKey(i, j)))) found++;
    } else {
      firsts++;
      if (!list.length) quiet++;
    }
  });
  const precision = predicted ? tp / predicted : 1;
  const recall = truth.size ? tp / truth.size : 1;
  return {
    precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, predicted,
    found: withEarlier ? found / withEarlier : 1, quiet: firsts ? quiet / firsts : 1, listPrecision: listed ? listedTrue / listed : 1,
  };
}

function documentFrequencies(docs: Array<Map<string, number>>): DocumentFrequencies {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  return { docs: docs.length, df };
}

function methodResult(method: string, scores: Scores, truth: Set<string>, ms: number): MethodResult {
  const curve = THRESHOLDS.map((threshold) => ({ threshold, ...measure(scores, truth, threshold) }));
  return { method, curve, best: curve.reduce((a, b) => (b.f1 > a.f1 ? b : a)), ms };
}

export function evaluateDuplicates(opts: CorpusOptions = {}): DuplicatesEvaluation {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const corpus: GeneratedRequest[] = generateRequestCorpus({ repeatedProblems: 150, singleProblems: 700, ...defined });
  const truth = plantedPairs(corpus);
  const n = corpus.length;
  const methods: MethodResult[] = [];
  const texts = corpus.map((r) => `${r.title ?? ''}。${r.content}`);
  // The place rule (another district, or an address the other never names) is applied to every method alike.
  const places: SimilarityInput[] = corpus.map((r, i) => ({
    vector: new Map(), text: normalizeText(texts[i]), districtId: Number(r.districtCode.slice(-2)), addressKey: addressKey(r.address), phone: r.phone,
  }));
  const withPlaceRule = (raw: (i: number, j: number) => number) => (i: number, j: number) =>
    compareRequests({ ...places[i], phone: null }, { ...places[j], phone: null }, TEXT_SIMILARITY_THRESHOLD, raw(i, j)).textSimilarity;
  const timed = (name: string, build: () => (i: number, j: number) => number, rule = true) => {
    const t0 = Date.now();
    const raw = build();
    const scores = scoreAll(n, rule ? withPlaceRule(raw) : raw);
    methods.push(methodResult(rule ? `${name} + place rule` : name, scores, truth, Date.now() - t0));
    return scores;
  };

  const seg = demoSegmenter();
  const tfs = corpus.map((r) => countTerms(requestTerms(seg, r.title, r.content)));
  const df = documentFrequencies(tfs);
  const vectors: TermVector[] = tfs.map((tf) => tfidfVector(tf, df));
  const textScores = timed('tfidf-cosine words', () => (i, j) => cosine(vectors[i], vectors[j]));
  timed('tfidf-cosine words', () => (i, j) => cosine(vectors[i], vectors[j]), false);
  timed('tfidf-cosine words + char bigrams', () => {
    const tfs2 = corpus.map((_, i) => {
      const tf = new Map(tfs[i]);
      for (const g of charShingles(texts[i], 2)) tf.set(`#${g}`, (tf.get(`#${g}`) ?? 0) + 1);
      return tf;
    });
    const df2 = documentFrequencies(tfs2);
    const v2 = tfs2.map((tf) => tfidfVector(tf, df2));
    return (i, j) => cosine(v2[i], v2[j]);
  });
  timed('minhash-128 word sets', () => {
    const sigs = tfs.map((tf) => minhashSignature(tf.keys()));
    return (i, j) => minhashSimilarity(sigs[i], sigs[j]);
  });
  timed('minhash-128 char 3-grams', () => {
    const sigs = texts.map((t) => minhashSignature(charShingles(t, 3)));
    return (i, j) => minhashSimilarity(sigs[i], sigs[j]);
  });

  // The service's full rule: phone and address raise the score.
  const inputs = places.map((p, i) => ({ ...p, vector: vectors[i] }));
  const fullScores = scoreAll(n, (i, j) => compareRequests(inputs[i], inputs[j]).score);
  return {
    requests: n, plantedPairs: truth.size, methods,
    atServiceThreshold: { threshold: TEXT_SIMILARITY_THRESHOLD, text: measure(textScores, truth, TEXT_SIMILARITY_THRESHOLD), anyReason: measure(fullScores, truth, TEXT_SIMILARITY_THRESHOLD) },
  };
}

/** The segmenter the demo city's database would build: unit names and category names as dictionary words. */
export function demoSegmenter(): Segmenter {
  const words: UserWord[] = [];
  for (const d of DISTRICTS) {
    words.push(...unitNameWords(`${d.name}人民政府`, 'district'));
    for (const s of d.streets) words.push(...unitNameWords(s.endsWith('镇') ? `${s}人民政府` : `${s}办事处`, 'street'));
  }
  for (const [, name] of DEPARTMENTS) words.push(...unitNameWords(name, 'department'));
  const categoryNames = new Set<string>();
  for (const [l1, seconds] of Object.entries(DEMO_TAXONOMY)) {
    categoryNames.add(l1);
    for (const [l2, thirds] of Object.entries(seconds)) {
      categoryNames.add(l2);
      for (const l3 of thirds) categoryNames.add(l3);
    }
  }
  for (const c of categoryNames) words.push({ word: c, tag: 'n' });
  return segmenterFor(words);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function line(m: Prf & ListMetrics): string {
  return `${pct(m.precision).padEnd(9)}  ${pct(m.recall).padEnd(7)}  ${m.f1.toFixed(3).padEnd(6)}  ${String(m.predicted).padEnd(9)}  ${pct(m.found).padEnd(6)}  ${pct(m.quiet).padEnd(6)}  ${pct(m.listPrecision)}`;
}

function main() {
  const args = process.argv.slice(2);
  const num = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const started = Date.now();
  const r = evaluateDuplicates({ seed: num('seed'), repeatedProblems: num('repeated'), singleProblems: num('single') });
  console.log(`duplicates-eval: ${r.requests} generated requests, ${r.plantedPairs} planted duplicate pairs (${Date.now() - started} ms)\n`);
  const header = '  threshold  precision  recall   F1      predicted  found   quiet   list precision';
  for (const m of r.methods) {
    console.log(`${m.method}  (${m.ms} ms)\n${header}`);
    for (const c of m.curve) console.log(`  ${c.threshold.toFixed(2).padEnd(9)}  ${line(c)}`);
    console.log(`  best pair F1 at ${m.best.threshold}: ${line(m.best)}\n`);
  }
  const s = r.atServiceThreshold;
  console.log(`service rule at threshold ${s.threshold}:\n${header.replace('threshold', '         ')}`);
  console.log(`  text       ${line(s.text)}\n  any reason ${line(s.anyReason)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
