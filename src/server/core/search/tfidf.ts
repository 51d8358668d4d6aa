/**
 * TF-IDF over the city's own documents (not jieba's general-corpus IDF): sparse term vectors and cosine
 * similarity, for duplicate detection, hot topics and the classifiers. Pure: the caller chooses the
 * words (Segmenter.contentWords, searchTokens, bigrams, …).
 */

export type TermVector = Map<string, number>;

/** How many of `docs` documents contain each term. */
export interface DocumentFrequencies {
  docs: number;
  df: Map<string, number>;
}

/** Term counts of one document. */
export function countTerms(words: Iterable<string>): Map<string, number> {
  const tf = new Map<string, number>();
  for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
  return tf;
}

/** Document frequencies of a collection (each document counted once per term). */
export function documentFrequencies(docs: Iterable<Iterable<string>>): DocumentFrequencies {
  const df = new Map<string, number>();
  let n = 0;
  for (const doc of docs) {
    n++;
    for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return { docs: n, df };
}

/** Smoothed inverse document frequency: a term no document has gets the highest weight, never infinity. */
export function idfOf(stats: DocumentFrequencies, term: string): number {
  return Math.log((stats.docs + 1) / ((stats.df.get(term) ?? 0) + 1)) + 1;
}

/** Sublinear TF (1 + ln tf) × IDF, scaled to unit length so that a dot product is the cosine. */
export function tfidfVector(tf: Map<string, number>, stats: DocumentFrequencies): TermVector {
  const v: TermVector = new Map();
  let norm = 0;
  for (const [t, n] of tf) {
    if (n <= 0) continue;
    const w = (1 + Math.log(n)) * idfOf(stats, t);
    v.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

/** Cosine of two unit vectors. */
export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) {
    const o = large.get(t);
    if (o !== undefined) dot += w * o;
  }
  return Math.min(1, dot);
}

/** The `k` heaviest terms, heaviest first (ties by the term, so the order is stable). */
export function topTerms(v: TermVector, k: number): Array<[string, number]> {
  return [...v.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
}
