import { segmenterFor, type Segmenter } from '../../core/search';
import { featuresFromText, featuresFromTokens, seededShuffle, trainClassifier, type Features } from './classifier';

/**
 * k-fold cross-validation of the suggester's method on a labelled JSONL file (title, content, and the
 * label in `category` — a name path — or `level1`), optionally helped by a taxonomy as the production
 * model is by the categories table. The folds come from a seeded shuffle: the same seed, the same folds.
 */

export interface LabeledRow {
  line: number;
  title: string;
  content: string;
  label: string;
}

export function readLabeledJsonl(text: string): { rows: LabeledRow[]; errors: Array<{ line: number; message: string }> } {
  const rows: LabeledRow[] = [];
  const errors: Array<{ line: number; message: string }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      const o = JSON.parse(raw) as Record<string, unknown>;
      const label = String(o.category ?? o.level1 ?? '').split(/\s*\/\s*/).filter(Boolean).join('/');
      const content = String(o.content ?? '').trim();
      if (!label) errors.push({ line: i + 1, message: 'no label (category or level1)' });
      else if (!content && !o.title) errors.push({ line: i + 1, message: 'no title or content' });
      else rows.push({ line: i + 1, title: String(o.title ?? '').trim(), content, label });
    } catch {
      errors.push({ line: i + 1, message: 'not valid JSON' });
    }
  });
  return { rows, errors };
}

/**
 * Name documents from a taxonomy (rows of level1, level2, level3 names): each row speaks for the
 * deepest label that is a prefix of it.
 */
export function taxonomyDocuments(seg: Segmenter, taxonomy: string[][], labels: Set<string>): Array<{ features: Features; label: string }> {
  const out: Array<{ features: Features; label: string }> = [];
  for (const names of taxonomy) {
    for (let depth = names.length; depth >= 1; depth--) {
      const label = names.slice(0, depth).join('/');
      if (!labels.has(label)) continue;
      const text = names.join(' ');
      out.push({ features: featuresFromTokens({ titleTokens: [], bodyTokens: seg.searchTokens(text), titleText: '', bodyText: text }), label });
      break;
    }
  }
  return out;
}

export interface EvalResult {
  rows: number;
  labels: number;
  folds: Array<{ n: number; top1: number; top3: number }>;
  /** Share of rows whose true label was first / among the first three, over all folds. */
  top1: number;
  top3: number;
  /** For choosing the auto-dispatch threshold: at each confidence, the share of rows at or above it and how often those were right. */
  confidence: Array<{ threshold: number; coverage: number; accuracy: number | null }>;
  seconds: number;
}

export function crossValidate(rows: LabeledRow[], opts: { folds: number; seed: number; taxonomy?: string[][] }): EvalResult {
  const started = performance.now();
  if (opts.folds < 2 || opts.folds > rows.length) throw new Error(`--folds must be between 2 and the number of rows (${rows.length})`);
  // The city dictionary of production holds the category names; the taxonomy's names play that part here.
  const seg = segmenterFor((opts.taxonomy ?? []).flat().map((word) => ({ word, tag: 'n' as const })));
  const labels = new Set(rows.map((r) => r.label));
  const features = rows.map((r) => featuresFromText(seg, { title: r.title, content: r.content }));
  const pseudo = opts.taxonomy ? taxonomyDocuments(seg, opts.taxonomy, labels) : [];
  const order = seededShuffle([...rows.keys()], opts.seed);
  const folds: EvalResult['folds'] = [];
  const predictions: Array<{ score: number; right: boolean }> = [];
  let top1 = 0;
  let top3 = 0;
  for (let f = 0; f < opts.folds; f++) {
    const test = order.filter((_, k) => k % opts.folds === f);
    const train = order.filter((_, k) => k % opts.folds !== f);
    const model = trainClassifier({ label: { docs: train.map((i) => features[i]), labels: train.map((i) => rows[i].label), pseudo } }, { seed: opts.seed });
    let f1 = 0;
    let f3 = 0;
    for (const i of test) {
      const best = model.suggest('label', features[i], 3);
      if (best[0]?.label === rows[i].label) f1++;
      if (best.some((b) => b.label === rows[i].label)) f3++;
      if (best[0]) predictions.push({ score: best[0].score, right: best[0].label === rows[i].label });
    }
    folds.push({ n: test.length, top1: f1 / test.length, top3: f3 / test.length });
    top1 += f1;
    top3 += f3;
  }
  const confidence = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95].map((threshold) => {
    const above = predictions.filter((p) => p.score >= threshold);
    return { threshold, coverage: above.length / rows.length, accuracy: above.length ? above.filter((p) => p.right).length / above.length : null };
  });
  return { rows: rows.length, labels: labels.size, folds, top1: top1 / rows.length, top3: top3 / rows.length, confidence, seconds: (performance.now() - started) / 1000 };
}
