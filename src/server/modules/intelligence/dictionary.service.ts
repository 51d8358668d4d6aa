import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Tx } from '../../core/db/database';
import type { Actor } from '../../core/http/access';
import { fieldError } from '../../core/http/errors';
import { registerJobHandler, scheduleJob } from '../../core/jobs';
import { getSegmenter, loadCityWords, MAX_ADMIN_WORDS, normalizeText, readAdminWords, reindexRequests, writeAdminWords } from '../../core/search';
import { readSetting, writeSetting } from '../../core/settings';

/**
 * The administrator's side of the city dictionary (core/search/dictionary.ts keeps the segmenter in
 * step), and keeping the search index in step with the dictionary: documents indexed with an older
 * dictionary are re-segmented by a chunked durable job.
 */

const WORD_MAX = 30;
/** The dictionary the whole index was last built with (its hash). */
const INDEX_DICTIONARY_KEY = 'search.index.dictionary';
export const REINDEX_JOB = 'search.reindex';
const REINDEX_KEY = 'search:reindex';
const REINDEX_CHUNK = 2000;

export async function getDictionary(ctx: AppContext) {
  const [{ words, version }, city, segmenter] = await Promise.all([readAdminWords(ctx.db), loadCityWords(ctx.db), getSegmenter(ctx)]);
  const byTag = (tag: string) => city.filter((w) => w.tag === tag).length;
  return {
    version, words,
    /** Words the platform takes from its own data (not editable here). */
    builtIn: { places: byTag('ns'), organisations: byTag('nt'), categoryTerms: byTag('n') },
    totalWords: segmenter.userWords,
  };
}

/** Cleans an administrator's list: trimmed, full-width folded, no spaces, 1–30 characters, no duplicates. */
export function checkDictionaryWords(raw: string[]): string[] {
  if (raw.length > MAX_ADMIN_WORDS) throw fieldError('words', { zh: `最多 ${MAX_ADMIN_WORDS} 个词`, en: `at most ${MAX_ADMIN_WORDS} words` });
  const out = new Set<string>();
  raw.forEach((w, i) => {
    const word = normalizeText(w.trim());
    if (!word) return;
    if (/\s/.test(word)) throw fieldError(`words.${i}`, { zh: '词中不能有空格', en: 'must not contain spaces' });
    if (word.length > WORD_MAX) throw fieldError(`words.${i}`, { zh: `不能超过 ${WORD_MAX} 个字`, en: `must have at most ${WORD_MAX} characters` });
    out.add(word);
  });
  return [...out];
}

/** Replaces the administrator's words; every instance rebuilds its segmenter, and the index is re-segmented in the background. */
export async function setDictionary(ctx: AppContext, actor: Actor, raw: string[]) {
  const words = checkDictionaryWords(raw);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await readAdminWords(trx);
    const version = await writeAdminWords(trx, words, now, actor.userId);
    const added = words.filter((w) => !before.words.includes(w));
    const removed = before.words.filter((w) => !words.includes(w));
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'search.dictionary', entity: 'settings', entityId: 'search.dictionary', note: { version, added: added.slice(0, 200), removed: removed.slice(0, 200), words: words.length } });
    await scheduleReindex(trx, now);
  });
  return getDictionary(ctx);
}

/** Starts (or restarts from the beginning) the re-indexing of every request. */
export async function scheduleReindex(trx: Tx, now: Date): Promise<void> {
  await scheduleJob(trx, { kind: REINDEX_JOB, runAt: now, payload: { afterId: 0 }, dedupeKey: REINDEX_KEY, now });
}

/** Whether requests were indexed with another dictionary than the current one (the nightly job asks). */
export async function isIndexStale(ctx: AppContext, db: Tx): Promise<boolean> {
  const seg = await getSegmenter(ctx, db);
  return (await readSetting<string | null>(db, INDEX_DICTIONARY_KEY, null)) !== seg.dictionaryHash;
}

/** One chunk of the re-indexing, in the job's transaction; the job comes back for the next one at once. */
registerJobHandler(REINDEX_JOB, async (ctx, trx, payload: { afterId: number }) => {
  const now = ctx.clock.now();
  const seg = await getSegmenter(ctx, trx);
  const { lastId } = await reindexRequests(ctx, trx, payload.afterId, REINDEX_CHUNK);
  if (lastId !== null) await scheduleJob(trx, { kind: REINDEX_JOB, runAt: now, payload: { afterId: lastId }, dedupeKey: REINDEX_KEY, now });
  else await writeSetting(trx, INDEX_DICTIONARY_KEY, seg.dictionaryHash, now, null);
});

/** The CLI's re-index: every request, chunk by chunk, each chunk its own transaction. */
export async function reindexAll(ctx: AppContext, onProgress?: (done: number) => void): Promise<number> {
  let afterId = 0;
  let done = 0;
  for (;;) {
    const { lastId, count } = await ctx.db.transaction().execute((trx) => reindexRequests(ctx, trx, afterId, REINDEX_CHUNK));
    if (lastId === null) break;
    afterId = lastId;
    done += count;
    onProgress?.(done);
  }
  const seg = await getSegmenter(ctx);
  await writeSetting(ctx.db, INDEX_DICTIONARY_KEY, seg.dictionaryHash, ctx.clock.now(), null);
  return done;
}

/** Segmentation and keywords of a text with the current dictionary: lets an administrator check a word. */
export async function previewSegmentation(ctx: AppContext, text: string) {
  const seg = await getSegmenter(ctx);
  return { words: seg.cut(text, false).filter((w) => w.trim()), searchTokens: seg.searchTokens(text), keywords: seg.keywords(text, 8) };
}
