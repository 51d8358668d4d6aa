import type { Tx } from './db/database';

/** Admin-editable configuration values, stored as JSON: nothing a second instance needs lives in memory. */
export async function readSetting<T>(db: Tx, key: string, fallback: T): Promise<T> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : fallback;
}

export async function writeSetting(db: Tx, key: string, value: unknown, at: Date, userId: number | null): Promise<void> {
  const v = { value: JSON.stringify(value), updated_at: at.toISOString(), updated_by: userId };
  await db.insertInto('settings').values({ key, ...v }).onConflict((oc) => oc.column('key').doUpdateSet(v)).execute();
}
