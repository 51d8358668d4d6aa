import type { Kysely } from 'kysely';
import type { Database, Tx } from '../db/database';
import { runPrepared } from '../db/prepared';
import { sharedRead } from '../db/shared-read';
import type { DB } from '../db/tables';
import { readSetting, writeSetting } from '../settings';
import { segmenterFor, type Segmenter, type UserWord } from './segmenter';

/**
 * The city's user dictionary: names the database already knows (districts, streets, every unit, every
 * category) plus the words an administrator adds. It lives in the database, so every instance segments
 * alike; each instance keeps its segmenter and rebuilds it when the stored dictionary changes (the
 * pattern of getWorkingCalendar).
 */

export const DICTIONARY_WORDS_KEY = 'search.dictionary.words';
export const DICTIONARY_VERSION_KEY = 'search.dictionary.version';
export const MAX_ADMIN_WORDS = 20_000;

interface DictionarySource {
  database: Database;
  db: Kysely<DB>;
}

const cache = new WeakMap<Database, { signature: string; segmenter: Segmenter }>();

const SIGNATURE_SQL = `select (select count(*) from units) as units, (select max(updated_at) from units) as units_at,
  (select count(*) from categories) as categories, (select max(updated_at) from categories) as categories_at,
  (select value from settings where key = ?) as version`;

/**
 * What the dictionary is built from, in one cheap query: a renamed unit or category, a new one, or an
 * administrator's edit changes it. Every accept reads it, so it runs prepared (runPrepared); outside a
 * transaction it takes a connection of its own for that, and the accepts arriving together share one read.
 */
async function dictionarySignature(source: DictionarySource, db: Tx): Promise<string> {
  const read = (conn: Tx) => runPrepared<Record<string, unknown>>(conn, source.database, SIGNATURE_SQL, [DICTIONARY_VERSION_KEY]);
  const [r = {}] = db === source.db ? await sharedRead(source.database, 'dictionary.signature', () => source.db.connection().execute(read)) : await read(db);
  return [r.units, r.units_at, r.categories, r.categories_at, r.version].map((v) => String(v ?? '')).join('|');
}

/**
 * The segmenter for this database's current dictionary. Pass the open transaction as `db` when inside
 * one (on SQLite the pool has one connection: a second query outside the transaction would wait for it).
 */
export async function getSegmenter(source: DictionarySource, db: Tx = source.db): Promise<Segmenter> {
  const signature = await dictionarySignature(source, db);
  const hit = cache.get(source.database);
  if (hit && hit.signature === signature) return hit.segmenter;
  const segmenter = segmenterFor(await loadCityWords(db));
  cache.set(source.database, { signature, segmenter });
  return segmenter;
}

/** The words an administrator added (GET/PUT /intelligence/dictionary). */
export async function readAdminWords(db: Tx): Promise<{ words: string[]; version: number }> {
  const [words, version] = await Promise.all([readSetting<string[]>(db, DICTIONARY_WORDS_KEY, []), readSetting<number>(db, DICTIONARY_VERSION_KEY, 0)]);
  return { words, version };
}

/** Replaces the administrator's words and moves the version, so every instance rebuilds its segmenter. */
export async function writeAdminWords(trx: Tx, words: string[], at: Date, userId: number | null): Promise<number> {
  const version = (await readSetting<number>(trx, DICTIONARY_VERSION_KEY, 0)) + 1;
  await writeSetting(trx, DICTIONARY_WORDS_KEY, words, at, userId);
  await writeSetting(trx, DICTIONARY_VERSION_KEY, version, at, userId);
  return version;
}

const GOVERNMENT_SUFFIX = /(人民政府|办事处)$/;

/** Unit names as people write them: the full name, without 人民政府/办事处 (东湖区, 花园街道), without the leading 市. */
export function unitNameWords(name: string, kind: string): UserWord[] {
  const tag: UserWord['tag'] = kind === 'district' || kind === 'street' ? 'ns' : 'nt';
  const out: UserWord[] = [{ word: name, tag: 'nt' }];
  const short = name.replace(GOVERNMENT_SUFFIX, '');
  if (short !== name && short.length >= 2) out.push({ word: short, tag });
  if (name.startsWith('市') && name.length > 3) out.push({ word: name.slice(1), tag: 'nt' });
  return out;
}

/** Every word of the city's dictionary: unit names (districts and streets as places), category names, the administrator's words. */
export async function loadCityWords(db: Tx): Promise<UserWord[]> {
  const [units, categories, admin] = await Promise.all([
    db.selectFrom('units').select(['name', 'kind']).execute(),
    db.selectFrom('categories').select('name').execute(),
    readSetting<string[]>(db, DICTIONARY_WORDS_KEY, []),
  ]);
  return [
    ...units.flatMap((u) => unitNameWords(u.name, u.kind)),
    ...categories.map((c) => ({ word: c.name, tag: 'n' as const })),
    ...admin.map((word) => ({ word, tag: 'nz' as const })),
  ];
}
