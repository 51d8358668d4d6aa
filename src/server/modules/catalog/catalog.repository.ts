import type { Selectable } from 'kysely';
import type { Tx } from '../../core/db/database';
import type { PageRequest } from '../../core/http/paging';
import type { CategoriesTable, ChannelsTable, DispatchRulesTable, RequestTypesTable, TimeLimitsTable } from './catalog.tables';

export type ChannelRow = Selectable<ChannelsTable>;
export type RequestTypeRow = Selectable<RequestTypesTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type DispatchRuleRow = Selectable<DispatchRulesTable>;
export type TimeLimitRow = Selectable<TimeLimitsTable>;

// ── channels ──────────────────────────────────────────────────────────────────────────────────────

export function toChannel(r: ChannelRow) {
  return { id: r.id, code: r.code, name: r.name, family: r.family, active: !!r.active, sortOrder: r.sort_order };
}
export type Channel = ReturnType<typeof toChannel>;

export function findChannel(db: Tx, id: number): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findChannelByCode(db: Tx, code: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('code', '=', code).executeTakeFirst();
}

export function listChannels(db: Tx, f: { family?: string; active?: boolean; q?: string } = {}): Promise<ChannelRow[]> {
  let q = db.selectFrom('channels').selectAll();
  if (f.family) q = q.where('family', '=', f.family as ChannelRow['family']);
  if (f.active !== undefined) q = q.where('active', '=', f.active ? 1 : 0);
  if (f.q) q = q.where((eb) => eb.or([eb('name', 'like', `%${f.q}%`), eb('code', 'like', `%${f.q}%`)]));
  return q.orderBy('sort_order').orderBy('id').execute();
}

export function insertChannel(db: Tx, v: Omit<ChannelRow, 'id'>): Promise<ChannelRow> {
  return db.insertInto('channels').values(v).returningAll().executeTakeFirstOrThrow();
}

export async function updateChannel(db: Tx, id: number, patch: Partial<Omit<ChannelRow, 'id' | 'created_at'>>): Promise<void> {
  await db.updateTable('channels').set(patch).where('id', '=', id).execute();
}

// ── request types ─────────────────────────────────────────────────────────────────────────────────

export function toRequestType(r: RequestTypeRow) {
  return { code: r.code, name: r.name, nameEn: r.name_en, sortOrder: r.sort_order, active: !!r.active };
}

export function listRequestTypes(db: Tx): Promise<RequestTypeRow[]> {
  return db.selectFrom('request_types').selectAll().orderBy('sort_order').execute();
}

// ── categories ────────────────────────────────────────────────────────────────────────────────────

export function toCategory(r: CategoryRow) {
  return {
    id: r.id, parentId: r.parent_id, level: r.level, code: r.code, name: r.name, path: r.path,
    active: !!r.active, sortOrder: r.sort_order, defaultUrgency: r.default_urgency,
  };
}
export type Category = ReturnType<typeof toCategory>;

export function findCategory(db: Tx, id: number): Promise<CategoryRow | undefined> {
  return db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findCategoriesByIds(db: Tx, ids: number[]): Promise<CategoryRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('categories').selectAll().where('id', 'in', ids).execute();
}

export function findSibling(db: Tx, parentId: number | null, name: string): Promise<CategoryRow | undefined> {
  let q = db.selectFrom('categories').selectAll().where('name', '=', name);
  q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
  return q.executeTakeFirst();
}

export function listCategories(db: Tx, f: { q?: string; level?: number; parentId?: number; active?: boolean } = {}): Promise<CategoryRow[]> {
  let q = db.selectFrom('categories').selectAll();
  if (f.level) q = q.where('level', '=', f.level);
  if (f.parentId) q = q.where('parent_id', '=', f.parentId);
  if (f.active !== undefined) q = q.where('active', '=', f.active ? 1 : 0);
  if (f.q) q = q.where((eb) => eb.or([eb('path', 'like', `%${f.q}%`), eb('code', 'like', `${f.q}%`)]));
  return q.orderBy('code').execute();
}

/** Every category, for an import that merges in memory. */
export function allCategories(db: Tx): Promise<CategoryRow[]> {
  return db.selectFrom('categories').selectAll().orderBy('code').execute();
}

/** Codes of the children of a parent (or of the roots): the next code continues after the largest. */
export async function childCodes(db: Tx, parentId: number | null): Promise<string[]> {
  let q = db.selectFrom('categories').select('code');
  q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
  return (await q.execute()).map((r) => r.code);
}

export function insertCategory(db: Tx, v: Omit<CategoryRow, 'id'>): Promise<CategoryRow> {
  return db.insertInto('categories').values(v).returningAll().executeTakeFirstOrThrow();
}

export async function updateCategory(db: Tx, id: number, patch: Partial<Omit<CategoryRow, 'id' | 'created_at'>>): Promise<void> {
  await db.updateTable('categories').set(patch).where('id', '=', id).execute();
}

/** Descendants of a category: the tree is at most three levels deep, so two steps down reach them all. */
export async function descendantsOf(db: Tx, id: number): Promise<CategoryRow[]> {
  const children = await db.selectFrom('categories').selectAll().where('parent_id', '=', id).execute();
  if (!children.length) return [];
  const grandchildren = await db.selectFrom('categories').selectAll().where('parent_id', 'in', children.map((c) => c.id)).execute();
  return [...children, ...grandchildren];
}

/** The categories at the given paths (a leaf's ancestors are the prefixes of its path). */
export function categoriesByPaths(db: Tx, paths: string[]): Promise<CategoryRow[]> {
  if (!paths.length) return Promise.resolve([]);
  return db.selectFrom('categories').selectAll().where('path', 'in', paths).execute();
}

export async function setActive(db: Tx, ids: number[], active: boolean, now: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db.updateTable('categories').set({ active: active ? 1 : 0, updated_at: now }).where('id', 'in', ids.slice(i, i + 500)).execute();
  }
}

export function hasChildren(db: Tx, ids: number[]): Promise<Array<{ parent_id: number | null }>> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('categories').select('parent_id').where('parent_id', 'in', ids).groupBy('parent_id').execute();
}

// ── dispatch rules ────────────────────────────────────────────────────────────────────────────────

export interface DispatchRuleFilter {
  categoryId?: number;
  districtId?: number;
  leadUnitId?: number;
  active?: boolean;
}

export function findDispatchRule(db: Tx, id: number): Promise<DispatchRuleRow | undefined> {
  return db.selectFrom('dispatch_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function pageDispatchRules(db: Tx, f: DispatchRuleFilter, page: PageRequest & { sortColumn: 'dispatch_rules.id' | 'categories.code' }) {
  let base = db.selectFrom('dispatch_rules').leftJoin('categories', 'categories.id', 'dispatch_rules.category_id');
  if (f.categoryId) base = base.where('dispatch_rules.category_id', '=', f.categoryId);
  if (f.districtId) base = base.where('dispatch_rules.district_unit_id', '=', f.districtId);
  if (f.leadUnitId) base = base.where('dispatch_rules.lead_unit_id', '=', f.leadUnitId);
  if (f.active !== undefined) base = base.where('dispatch_rules.active', '=', f.active ? 1 : 0);
  const [{ total }] = await base.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await base.selectAll('dispatch_rules')
    .orderBy(page.sortColumn, page.sortDir).orderBy('dispatch_rules.id')
    .limit(page.pageSize).offset(page.offset).execute();
  return { total: Number(total), rows };
}

export function allDispatchRules(db: Tx): Promise<DispatchRuleRow[]> {
  return db.selectFrom('dispatch_rules').leftJoin('categories', 'categories.id', 'dispatch_rules.category_id')
    .selectAll('dispatch_rules').orderBy('categories.code').orderBy('dispatch_rules.id').execute();
}

/** Another active rule for the same (category, district) pair: two would make resolution ambiguous. */
export function findActiveRuleFor(db: Tx, categoryId: number | null, districtId: number | null, exceptId?: number): Promise<DispatchRuleRow | undefined> {
  let q = db.selectFrom('dispatch_rules').selectAll().where('active', '=', 1);
  q = categoryId === null ? q.where('category_id', 'is', null) : q.where('category_id', '=', categoryId);
  q = districtId === null ? q.where('district_unit_id', 'is', null) : q.where('district_unit_id', '=', districtId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
}

/** Active rules whose category is one of `categoryIds` or any, and whose district is `districtId` or any. */
export function candidateRules(db: Tx, categoryIds: number[], districtId: number | null): Promise<DispatchRuleRow[]> {
  return db.selectFrom('dispatch_rules').innerJoin('units', 'units.id', 'dispatch_rules.lead_unit_id')
    .selectAll('dispatch_rules')
    .where('dispatch_rules.active', '=', 1)
    // A rule that names a disabled unit cannot receive orders: it is passed over, not obeyed.
    .where('units.active', '=', 1)
    .where((eb) => eb.or([
      eb('dispatch_rules.category_id', 'is', null),
      ...(categoryIds.length ? [eb('dispatch_rules.category_id', 'in', categoryIds)] : []),
    ]))
    .where((eb) => eb.or([
      eb('dispatch_rules.district_unit_id', 'is', null),
      ...(districtId !== null ? [eb('dispatch_rules.district_unit_id', '=', districtId)] : []),
    ]))
    .orderBy('dispatch_rules.id')
    .execute();
}

export function insertDispatchRule(db: Tx, v: Omit<DispatchRuleRow, 'id'>): Promise<DispatchRuleRow> {
  return db.insertInto('dispatch_rules').values(v).returningAll().executeTakeFirstOrThrow();
}

export async function updateDispatchRule(db: Tx, id: number, patch: Partial<Omit<DispatchRuleRow, 'id' | 'created_at'>>): Promise<void> {
  await db.updateTable('dispatch_rules').set(patch).where('id', '=', id).execute();
}

export async function deleteDispatchRule(db: Tx, id: number): Promise<void> {
  await db.deleteFrom('dispatch_rules').where('id', '=', id).execute();
}

export function unitsByIds(db: Tx, ids: number[]) {
  if (!ids.length) return Promise.resolve([] as Array<{ id: number; code: string; name: string; kind: string; active: number; parent_id: number | null }>);
  return db.selectFrom('units').select(['id', 'code', 'name', 'kind', 'active', 'parent_id']).where('id', 'in', ids).execute();
}

// ── time limits ───────────────────────────────────────────────────────────────────────────────────

export function toTimeLimits(r: TimeLimitRow) {
  return {
    id: r.id, requestType: r.request_type, urgency: r.urgency,
    sign: { amount: Number(r.sign_amount), unit: r.sign_unit },
    reply: { amount: Number(r.reply_amount), unit: r.reply_unit },
    extensionMax: { amount: Number(r.extension_max_amount), unit: r.extension_max_unit },
    pauseOnExtension: !!r.pause_on_extension,
  };
}

export function listTimeLimits(db: Tx): Promise<TimeLimitRow[]> {
  return db.selectFrom('time_limits').selectAll().orderBy('id').execute();
}

export function findTimeLimit(db: Tx, id: number): Promise<TimeLimitRow | undefined> {
  return db.selectFrom('time_limits').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The row for (type, urgency) and the row for (any type, urgency), whichever exist. */
export function timeLimitCandidates(db: Tx, type: string, urgency: string): Promise<TimeLimitRow[]> {
  return db.selectFrom('time_limits').selectAll()
    .where('urgency', '=', urgency as TimeLimitRow['urgency'])
    .where((eb) => eb.or([eb('request_type', '=', type), eb('request_type', 'is', null)]))
    .execute();
}

export function findTimeLimitFor(db: Tx, type: string | null, urgency: string): Promise<TimeLimitRow | undefined> {
  let q = db.selectFrom('time_limits').selectAll().where('urgency', '=', urgency as TimeLimitRow['urgency']);
  q = type === null ? q.where('request_type', 'is', null) : q.where('request_type', '=', type);
  return q.executeTakeFirst();
}

export function insertTimeLimit(db: Tx, v: Omit<TimeLimitRow, 'id'>): Promise<TimeLimitRow> {
  return db.insertInto('time_limits').values(v).returningAll().executeTakeFirstOrThrow();
}

export async function updateTimeLimit(db: Tx, id: number, patch: Partial<Omit<TimeLimitRow, 'id'>>): Promise<void> {
  await db.updateTable('time_limits').set(patch).where('id', '=', id).execute();
}

export async function deleteTimeLimit(db: Tx, id: number): Promise<void> {
  await db.deleteFrom('time_limits').where('id', '=', id).execute();
}
