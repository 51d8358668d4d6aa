import { createHash } from 'node:crypto';
import { Jieba, TfIdf } from '@node-rs/jieba';
import { dict, idf } from '@node-rs/jieba/dict.js';
import { isContentWord, normalizeText, tokenPieces } from './text';

/**
 * Chinese segmentation with jieba (@node-rs/jieba) and the city's own dictionary: district, street and
 * unit names, category terms and words an administrator adds, so that 花园街道 or 市住房和城乡建设局 stay
 * one token instead of falling apart. One Segmenter per distinct dictionary, shared by every database
 * that has the same words (building one loads jieba's 350 000-word dictionary: about 0.7 s).
 */

/** A dictionary entry: `tag` is jieba's part of speech (ns place, nt organisation, n noun, nz other proper noun). */
export interface UserWord {
  word: string;
  tag: 'ns' | 'nt' | 'n' | 'nz';
}

// High enough that a city name beats the split into common words, not so high that it swallows
// neighbouring characters; about the frequency of an everyday noun in jieba's dictionary.
const USER_WORD_FREQ = 20_000;
// A token that is one searchable piece as it stands (the characters of tokenPieces).
const WHOLE_TOKEN = /^[\p{L}\p{N}\p{Co}]+$/u;
// Punctuation and spaces that jieba never keeps inside a word (they are outside its word-character class
// of Han, ASCII letters and digits and +#&._%-) and that the index drops (not a letter or digit): jieba
// segments the text between two of them on its own, so each clause can be segmented apart — and
// remembered, since hotline texts repeat their clauses (已持续一周, 请尽快处理) — with the same tokens.
const CLAUSE_BREAK = /[\s,，。:：;；!！?？、()（）“”"'《》【】/]+/u;
// Clauses remembered per segmenter: enough for the phrases that repeat, bounded for the ones that do not.
const MAX_CACHED_CLAUSES = 200_000;

/** The query of a search: every term must match; a term matches through any of its alternatives, an alternative when all its tokens are there. */
export type SearchQuery = string[][][];

export interface Keyword {
  word: string;
  weight: number;
}

let tfidf: TfIdf | null = null;
/** jieba's own IDF table (a general Chinese corpus), loaded on first use. */
function sharedTfIdf(): TfIdf {
  tfidf ??= TfIdf.withDict(idf);
  return tfidf;
}

export class Segmenter {
  private constructor(
    private readonly jieba: Jieba,
    /** A dictionary word → the base dictionary's words it is made of (物业服务质量 → 物业 服务 质量 服务质量 …). */
    private readonly expansions: ReadonlyMap<string, string[]>,
    /** sha256 of the sorted dictionary: equal hashes segment identically. */
    readonly dictionaryHash: string,
    readonly userWords: number,
  ) {}

  /** Builds a segmenter with these extra words; prefer `segmenterFor`, which shares instances. */
  static build(words: UserWord[]): Segmenter {
    const clean = normalizeUserWords(words);
    const jieba = Jieba.withDict(dict);
    // What each city word is made of in the plain dictionary, computed before the word is added: the
    // index keeps those parts too, so a search for 服务质量 still finds 物业服务质量, and documents indexed
    // before an administrator added a word are still found by it.
    // City words inside a longer one count as its parts too (花园街道 in 花园街道办事处): jieba's search mode
    // only adds the dictionary's two- and three-character words.
    const known = new Set(clean.map((w) => w.word));
    const expansions = new Map<string, string[]>();
    for (const { word } of clean) {
      const parts = new Set(jieba.cutForSearch(word, false).flatMap(tokenPieces));
      for (let len = 2; len < word.length; len++) {
        for (let i = 0; i + len <= word.length; i++) if (known.has(word.slice(i, i + len))) parts.add(word.slice(i, i + len));
      }
      parts.delete(word);
      if (parts.size) expansions.set(word, [...parts]);
    }
    if (clean.length) jieba.loadDict(Buffer.from(clean.map((w) => `${w.word} ${USER_WORD_FREQ} ${w.tag}`).join('\n')));
    return new Segmenter(jieba, expansions, hashUserWords(clean), clean.length);
  }

  /**
   * Tokens for the search index: jieba's search mode (each word and the dictionary words inside it), HMM
   * off so that documents and queries split the same text the same way, only letters and digits; a city
   * word also brings its parts.
   */
  searchTokens(text: string): string[] {
    const out: string[] = [];
    for (const clause of normalizeText(text).split(CLAUSE_BREAK)) {
      if (!clause) continue;
      for (const t of this.clauseTokens(clause).tokens) out.push(t);
    }
    return out;
  }

  /** searchTokens(text) joined by spaces, as the index stores it (cheaper: clauses are joined once). */
  searchText(text: string): string {
    let out = '';
    for (const clause of normalizeText(text).split(CLAUSE_BREAK)) {
      if (!clause) continue;
      const { joined } = this.clauseTokens(clause);
      if (joined) out = out ? `${out} ${joined}` : joined;
    }
    return out;
  }

  private readonly clauses = new Map<string, { tokens: string[]; joined: string }>();

  /** The search tokens of one normalised clause (no CLAUSE_BREAK character inside), remembered. */
  private clauseTokens(clause: string): { tokens: string[]; joined: string } {
    const hit = this.clauses.get(clause);
    if (hit) return hit;
    const tokens: string[] = [];
    for (const t of this.jieba.cutForSearch(clause, false)) {
      // Most tokens are whole words of letters or digits; the rest are split (or dropped, as punctuation).
      if (!WHOLE_TOKEN.test(t)) {
        for (const p of tokenPieces(t)) tokens.push(p);
        continue;
      }
      tokens.push(t);
      const parts = this.expansions.get(t);
      if (parts) for (const p of parts) tokens.push(p);
    }
    const entry = { tokens, joined: tokens.join(' ') };
    if (this.clauses.size >= MAX_CACHED_CLAUSES) this.clauses.clear();
    this.clauses.set(clause, entry);
    return entry;
  }

  /**
   * The query for a search box text: every word must be there. A city word may also be matched by its
   * parts (花园街道 or 花园 + 街道), so documents indexed before the word entered the dictionary are found.
   */
  searchQuery(text: string): SearchQuery {
    const terms: SearchQuery = [];
    const seen = new Set<string>();
    for (const t of this.jieba.cut(normalizeText(text), false)) {
      const pieces = tokenPieces(t);
      if (pieces.length === 1 && this.expansions.has(t)) {
        if (!seen.has(t)) terms.push([[t], this.expansions.get(t)!]);
        seen.add(t);
        continue;
      }
      for (const p of pieces) {
        if (!seen.has(p)) terms.push([[p]]);
        seen.add(p);
      }
    }
    return terms;
  }

  /** jieba's words in order (normalised text), unfiltered: for callers with their own rules. */
  cut(text: string, hmm = true): string[] {
    return this.jieba.cut(normalizeText(text), hmm);
  }

  /** Content words in order (stop words, numbers and single characters left out), repeats kept. */
  contentWords(text: string, hmm = true): string[] {
    return this.cut(text, hmm).filter(isContentWord);
  }

  /** The `topK` keywords of a text by jieba's TF-IDF, stop words left out, heaviest first. */
  keywords(text: string, topK = 8): Keyword[] {
    const found = sharedTfIdf().extractKeywords(this.jieba, normalizeText(text), topK * 3 + 10);
    return found.filter((k) => isContentWord(k.keyword)).slice(0, topK).map((k) => ({ word: k.keyword, weight: Math.round(k.weight * 1000) / 1000 }));
  }
}

/** Trims, drops empty and over-long words and those with spaces (a dictionary line is "word freq tag"), dedupes. */
export function normalizeUserWords(words: UserWord[]): UserWord[] {
  const byWord = new Map<string, UserWord>();
  for (const w of words) {
    const word = normalizeText(w.word.trim());
    if (!word || word.length > 40 || /\s/.test(word)) continue;
    if (!byWord.has(word)) byWord.set(word, { word, tag: w.tag });
  }
  return [...byWord.values()].sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
}

export function hashUserWords(words: UserWord[]): string {
  return createHash('sha256').update(words.map((w) => `${w.word}\t${w.tag}`).join('\n')).digest('hex');
}

// A few live dictionaries at most (each is a full jieba instance): the current one and the one before.
const MAX_SEGMENTERS = 3;
const segmenters = new Map<string, Segmenter>();

/** The shared segmenter for a dictionary, built on first use. */
export function segmenterFor(words: UserWord[]): Segmenter {
  const hash = hashUserWords(normalizeUserWords(words));
  const hit = segmenters.get(hash);
  if (hit) {
    // Most recently used last.
    segmenters.delete(hash);
    segmenters.set(hash, hit);
    return hit;
  }
  const built = Segmenter.build(words);
  segmenters.set(hash, built);
  while (segmenters.size > MAX_SEGMENTERS) segmenters.delete(segmenters.keys().next().value!);
  return built;
}
