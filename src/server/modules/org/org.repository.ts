import type { Selectable } from 'kysely';
import { containsText, type Tx } from '../../core/db/database';
import type { UnitsTable } from './org.tables';

export type UnitRow = Selectable<UnitsTable>;

export function toUnit(r: UnitRow) {
  return { id: r.id, parentId: r.parent_id, code: r.code, name: r.name, kind: r.kind, sortOrder: r.sort_order, active: !!r.active };
}
export type Unit = ReturnType<typeof toUnit>;

export function findUnit(db: Tx, id: number): Promise<UnitRow | undefined> {
  return db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUnitByCode(db: Tx, code: string): Promise<UnitRow | undefined> {
  return db.selectFrom('units').selectAll().where('code', '=', code).executeTakeFirst();
}

export function listUnits(db: Tx, filter: { kind?: string; parentId?: number; q?: string; active?: boolean } = {}): Promise<UnitRow[]> {
  let q = db.selectFrom('units').selectAll();
  if (filter.kind) q = q.where('kind', '=', filter.kind as UnitRow['kind']);
  if (filter.parentId) q = q.where('parent_id', '=', filter.parentId);
  if (filter.active !== undefined) q = q.where('active', '=', filter.active ? 1 : 0);
  if (filter.q) q = q.where((eb) => eb.or([containsText('name', filter.q!), containsText('code', filter.q!)]));
  return q.orderBy('path').orderBy('sort_order').execute();
}

/** Inserts a unit and fills its path from the parent's, in the caller's transaction. */
export async function insertUnit(db: Tx, v: { parentId: number | null; parentPath: string; code: string; name: string; kind: UnitRow['kind']; sortOrder: number; now: string }): Promise<UnitRow> {
  const row = await db.insertInto('units').values({
    parent_id: v.parentId, code: v.code, name: v.name, kind: v.kind, path: '', sort_order: v.sortOrder, active: 1, created_at: v.now, updated_at: v.now,
  }).returningAll().executeTakeFirstOrThrow();
  const path = `${v.parentPath || '/'}${row.id}/`;
  await db.updateTable('units').set({ path }).where('id', '=', row.id).execute();
  return { ...row, path };
}

export async function updateUnit(db: Tx, id: number, patch: Partial<Pick<UnitRow, 'code' | 'name' | 'kind' | 'sort_order' | 'active' | 'parent_id'>>, now: string): Promise<void> {
  await db.updateTable('units').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
}

/** Moves a subtree: every descendant's path gets the new prefix. */
export async function rewriteSubtreePaths(db: Tx, oldPrefix: string, newPrefix: string): Promise<void> {
  const rows = await db.selectFrom('units').select(['id', 'path']).where('path', 'like', `${oldPrefix}%`).execute();
  for (const r of rows) await db.updateTable('units').set({ path: newPrefix + r.path.slice(oldPrefix.length) }).where('id', '=', r.id).execute();
}
