import { cosine, countTerms, tfidfVector, type DocumentFrequencies, type Segmenter, type TermVector } from '../../core/search';
import { analysisWords, normalizeText } from './analysis.text';

/**
 * How alike two requests are, without a database: the rule the related-requests service applies and the
 * benchmark (bench/duplicates-eval.ts) measures.
 *
 * Text similarity is the cosine of TF-IDF vectors over jieba words (core/search's segmenter with the city's
 * dictionary, analysis.text.ts's stop words and synonyms) plus building numbers ("3栋"), with IDF from the
 * requests of the last 30 days; a request in another district or at another estate/road counts half (the
 * place rule). Measured on 1 160 generated requests with 523 planted duplicate pairs (npx tsx
 * bench/duplicates-eval.ts), best pair F1 per method, the place rule applied to all:
 *   TF-IDF cosine words 0.599 (P 54.6 %, R 66.3 % at 0.45) · + character bigrams 0.544 · MinHash-128 word sets
 *   0.518 · MinHash-128 character 3-grams 0.399 · TF-IDF cosine without the place rule 0.176.
 * Rare words such as an estate's or a company's name weigh more than 小区 or 物业, which Jaccard counts alike.
 * Almost every remaining false pair is the same kind of problem in the same district (another building of
 * the estate, another shop on the road): "related" rather than wrong, and the merge is a person's decision.
 */

/** A text score at or above this makes a request "similar text". Chosen on the benchmark (best F1). */
export const TEXT_SIMILARITY_THRESHOLD = 0.45;

/** Building numbers and bus lines say which problem it is ("3栋" ≠ "7栋"); jieba would drop the digits. */
const NUMBERED_PLACE = /(\d+)\s*(号楼|栋|幢|座|路公交|路车|路)/g;

/** Words of a request for similarity: its content words and its numbered places. */
export function requestTerms(seg: Segmenter, title: string | null | undefined, content: string): string[] {
  const text = normalizeText(`${title ?? ''}。${content}`);
  return [...analysisWords(seg, text), ...numberedPlaces(text)];
}

/** "3号楼" → "3栋", "12路公交" → "12路": the numbers that tell one building or bus line from another. */
export function numberedPlaces(text: string): string[] {
  return [...text.matchAll(NUMBERED_PLACE)].map((m) => `${m[1]}${/号楼|栋|幢|座/.test(m[2]) ? '栋' : '路'}`);
}

export { countTerms };

/**
 * The part of an address that names a place, for "same address": administrative prefixes (city, district,
 * street) and the unit/room after the building are dropped, so "东湖区花园街道幸福小区3号楼2单元501" and
 * "幸福小区3栋" give the same key "幸福小区3栋". Null when too little is left to name a place.
 */
export function addressKey(address: string | null | undefined): string | null {
  if (!address) return null;
  let a = normalizeText(address).replace(/[\s,，。.、;；:：()（）\-—#]/g, '');
  a = a.replace(/^.{1,6}?市/, '');
  // A district or county, but not the 区 of 小区/社区/园区/校区/景区/片区.
  a = a.replace(/^.{1,6}?(?<![小社园校景片])(区|县)/, '');
  a = a.replace(/^.{1,8}?(街道|镇|乡)(办事处)?/, '');
  a = a.replace(/(\d+)(号楼|幢|座|栋)/, '$1栋');
  // Up to the building, or to the house number on a road; else up to the first number.
  const place = a.match(/^(.*?\d+栋)/) ?? a.match(/^(.*?(路|街|道|巷|弄)\d+号)/);
  a = place ? place[1] : a.replace(/\d.*$/, '');
  return a.length >= 3 ? a : null;
}

export interface SimilarityInput {
  vector: TermVector;
  /** The normalised title and content, to look for the other request's estate or road; null = not checked. */
  text: string | null;
  districtId: number | null;
  addressKey: string | null;
  phone: string | null;
}

export interface SimilarityResult {
  /** 0..1: the text similarity, raised by a shared phone or address (see `combineScore`). */
  score: number;
  textSimilarity: number;
  reasons: Array<'phone' | 'address' | 'text'>;
}

/**
 * The overall score: text similarity, plus 0.25 for the same phone and 0.15 for the same address, at most 1.
 * A request in another district, or at another estate or road (by address, or an address the other's text never
 * names), is a different place: its text similarity counts half.
 * `phone` is only compared when the caller may see phone numbers (the service passes null otherwise).
 */
export function compareRequests(a: SimilarityInput, b: SimilarityInput, threshold = TEXT_SIMILARITY_THRESHOLD, rawText?: number): SimilarityResult {
  let text = rawText ?? cosine(a.vector, b.vector);
  if (isDifferentPlace(a, b)) text /= 2;
  const reasons: SimilarityResult['reasons'] = [];
  const samePhone = !!a.phone && !!b.phone && normalizePhone(a.phone) === normalizePhone(b.phone);
  const sameAddress = !!a.addressKey && a.addressKey === b.addressKey && (a.districtId == null || b.districtId == null || a.districtId === b.districtId);
  if (samePhone) reasons.push('phone');
  if (sameAddress) reasons.push('address');
  if (text >= threshold) reasons.push('text');
  const score = Math.min(1, text + (samePhone ? 0.25 : 0) + (sameAddress ? 0.15 : 0));
  return { score: round3(score), textSimilarity: round3(text), reasons };
}

/** An address key without its building: the estate, or the road with its section. */
function estateOrRoad(key: string): string {
  return key.replace(/\d+栋$/, '');
}

/** What another request's text must mention to be at the same place: the estate, or the road without its section. */
export function placeOf(key: string): string {
  return estateOrRoad(key).replace(/\d+号$/, '').replace(/[东西南北中]段$/, '');
}

/**
 * Whether the two name different places: another district, their addresses name different estates or roads (or
 * road sections), or one has an
 * address whose estate or road the other's text never mentions. Another building of the same estate is not a
 * different place (a power cut is reported from every building). Unknown places never disagree.
 */
export function isDifferentPlace(a: Omit<SimilarityInput, 'vector' | 'phone'>, b: Omit<SimilarityInput, 'vector' | 'phone'>): boolean {
  if (a.districtId != null && b.districtId != null && a.districtId !== b.districtId) return true;
  if (a.addressKey && b.addressKey) return estateOrRoad(a.addressKey) !== estateOrRoad(b.addressKey);
  const [withKey, other] = a.addressKey ? [a, b] : b.addressKey ? [b, a] : [null, null];
  if (!withKey || !other) return false;
  const place = placeOf(withKey.addressKey!);
  return place.length >= 2 && other.text != null && !other.text.includes(place);
}

export function normalizePhone(phone: string): string {
  return phone.replace(/[^\d]/g, '').replace(/^86(?=1\d{10}$)/, '');
}

export function textVector(seg: Segmenter, title: string | null | undefined, content: string, df: DocumentFrequencies): TermVector {
  return tfidfVector(countTerms(requestTerms(seg, title, content)), df);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

// —— MinHash, kept for the benchmark's comparison ——

/** 32-bit FNV-1a of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** MinHash signature with `k` universal hash functions (a·x + b mod p) over the shingles' 32-bit hashes. */
export function minhashSignature(shingles: Iterable<string>, k = 128, seed = 7): Uint32Array {
  const sig = new Uint32Array(k).fill(0xffffffff);
  const P = 4294967311; // a prime above 2^32
  const coeffs: Array<[number, number]> = [];
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s;
  };
  for (let i = 0; i < k; i++) coeffs.push([(next() % 1_000_003) + 1, next() % 1_000_003]);
  for (const sh of shingles) {
    const x = hash32(sh);
    for (let i = 0; i < k; i++) {
      const v = (coeffs[i][0] * x + coeffs[i][1]) % P % 4294967296;
      if (v < sig[i]) sig[i] = v;
    }
  }
  return sig;
}

export function minhashSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Character n-grams of the Han/letter/digit characters of a text. */
export function charShingles(text: string, n = 3): Set<string> {
  const chars = [...normalizeText(text).replace(/[^\p{Script=Han}a-z0-9]/gu, '')];
  const out = new Set<string>();
  for (let i = 0; i + n <= chars.length; i++) out.add(chars.slice(i, i + n).join(''));
  return out;
}
