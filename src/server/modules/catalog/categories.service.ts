import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { lockKey, type Tx } from '../../core/db/database';
import type { Actor } from '../../core/http/access';
import { fieldError, notFound } from '../../core/http/errors';
import * as repo from './catalog.repository';
import { buildXlsx } from '../../core/xlsx';
import type { Urgency } from './catalog.tables';
import { URGENCY_NAMES } from './catalog.tables';
import { checkCategoryName, checkCategoryPath, normaliseCategoryName, parseCategoryFile, type CategoryImportError } from './category-file';

/** Serialises writers of the category tree on PostgreSQL: sibling codes are numbered from what exists. */
const CATEGORY_LOCK_KEY = 72_210;
const CATEGORY = { zh: '分类', en: 'Category' };

export async function listCategories(ctx: AppContext, filter: Parameters<typeof repo.listCategories>[1]) {
  return (await repo.listCategories(ctx.db, filter)).map(repo.toCategory);
}

export async function getCategory(ctx: AppContext, id: number) {
  const row = await repo.findCategory(ctx.db, id);
  if (!row) throw notFound(CATEGORY);
  return repo.toCategory(row);
}

/** The next sibling code: one more than the largest sequence among the siblings, two digits at least. */
export function nextCategoryCode(parentCode: string | null, siblingCodes: string[]): string {
  let max = 0;
  for (const c of siblingCodes) {
    const n = Number(c.slice(c.lastIndexOf('.') + 1));
    if (Number.isInteger(n) && n > max) max = n;
  }
  const seq = String(max + 1).padStart(2, '0');
  return parentCode ? `${parentCode}.${seq}` : seq;
}

function checkName(raw: string, field = 'name'): string {
  const name = normaliseCategoryName(raw);
  const problem = checkCategoryName(name);
  if (problem) throw fieldError(field, problem);
  return name;
}

/** Creates a category under a parent (a first-level class when parentId is null). */
export async function createCategory(ctx: AppContext, actor: Actor, input: { parentId: number | null; name: string; sortOrder?: number; defaultUrgency?: Urgency | null }) {
  const name = checkName(input.name);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockKey(trx, ctx.dialect, CATEGORY_LOCK_KEY);
    let parent: repo.CategoryRow | undefined;
    if (input.parentId !== null) {
      parent = await repo.findCategory(trx, input.parentId);
      if (!parent) throw fieldError('parentId', { zh: '上级分类不存在', en: 'no such parent category' });
      if (parent.level >= 3) throw fieldError('parentId', { zh: '三级分类下不能再建分类', en: 'a level-3 category cannot have children' });
      if (!parent.active) throw fieldError('parentId', { zh: '上级分类已停用', en: 'the parent category is inactive' });
    }
    if (await repo.findSibling(trx, input.parentId, name)) throw fieldError('name', { zh: '同级已有同名分类', en: 'a sibling already has this name' }, 'CONFLICT');
    const siblings = await repo.childCodes(trx, input.parentId);
    const code = nextCategoryCode(parent?.code ?? null, siblings);
    const row = await repo.insertCategory(trx, {
      parent_id: input.parentId, level: (parent?.level ?? 0) + 1, code, name, path: parent ? `${parent.path}/${name}` : name,
      active: 1, sort_order: input.sortOrder ?? siblings.length + 1, default_urgency: input.defaultUrgency ?? null,
      created_at: now.toISOString(), updated_at: now.toISOString(),
    });
    const category = repo.toCategory(row);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'category.create', entity: 'category', entityId: row.id, after: category });
    return category;
  });
}

/**
 * Renames, reorders, sets the default urgency, or (de)activates. Deactivation carries down to the
 * descendants; nothing is ever deleted, because requests keep pointing at their category.
 */
export async function updateCategory(ctx: AppContext, actor: Actor, id: number, patch: { name?: string; sortOrder?: number; active?: boolean; defaultUrgency?: Urgency | null }) {
  const name = patch.name !== undefined ? checkName(patch.name) : undefined;
  const now = ctx.clock.now();
  const iso = now.toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    await lockKey(trx, ctx.dialect, CATEGORY_LOCK_KEY);
    const before = await repo.findCategory(trx, id);
    if (!before) throw notFound(CATEGORY);
    const set: Parameters<typeof repo.updateCategory>[2] = { updated_at: iso };
    if (name !== undefined && name !== before.name) {
      if (await repo.findSibling(trx, before.parent_id, name)) throw fieldError('name', { zh: '同级已有同名分类', en: 'a sibling already has this name' }, 'CONFLICT');
      const newPath = before.parent_id === null ? name : `${before.path.slice(0, before.path.lastIndexOf('/'))}/${name}`;
      set.name = name;
      set.path = newPath;
      for (const d of await repo.descendantsOf(trx, id)) {
        await repo.updateCategory(trx, d.id, { path: newPath + d.path.slice(before.path.length), updated_at: iso });
      }
    }
    if (patch.sortOrder !== undefined) set.sort_order = patch.sortOrder;
    if (patch.defaultUrgency !== undefined) set.default_urgency = patch.defaultUrgency;
    if (patch.active !== undefined && patch.active !== !!before.active) {
      if (patch.active && before.parent_id !== null) {
        const parent = await repo.findCategory(trx, before.parent_id);
        if (parent && !parent.active) throw fieldError('active', { zh: '上级分类已停用，请先启用上级分类', en: 'the parent category is inactive; activate it first' });
      }
      set.active = patch.active ? 1 : 0;
      if (!patch.active) await repo.setActive(trx, (await repo.descendantsOf(trx, id)).filter((d) => d.active).map((d) => d.id), false, iso);
    }
    await repo.updateCategory(trx, id, set);
    const after = repo.toCategory((await repo.findCategory(trx, id))!);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'category.update', entity: 'category', entityId: id, before: repo.toCategory(before), after });
    return after;
  });
}

/** A category and its ancestors, the category itself first. */
export async function categoryChain(db: Tx, categoryId: number): Promise<repo.CategoryRow[]> {
  const leaf = await repo.findCategory(db, categoryId);
  if (!leaf) return [];
  const parts = leaf.path.split('/');
  const prefixes = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
  const ancestors = await repo.categoriesByPaths(db, prefixes);
  return [leaf, ...ancestors.sort((a, b) => b.level - a.level)];
}

/**
 * The urgency a new request in this category starts with: the category's own default, else the
 * nearest ancestor's (so a leaf imported later under 水电气热 is 'urgent' too); null when none is set.
 */
export async function resolveDefaultUrgency(db: Tx, categoryId: number): Promise<Urgency | null> {
  for (const c of await categoryChain(db, categoryId)) if (c.default_urgency) return c.default_urgency;
  return null;
}

export interface CategoryImportResult {
  /** Good rows read. */
  rows: number;
  /** Categories created (any level). */
  created: number;
  /** Categories the file names that were already there (each counted once). */
  existing: number;
  /** Of those, inactive ones the file brought back. */
  reactivated: number;
  /** Categories absent from the file that `replace` deactivated. */
  deactivated: number;
  /** True when `replace` was asked for but not applied, because the file had bad rows or none good. */
  replaceSkipped: boolean;
  errors: CategoryImportError[];
}

/**
 * Merges name paths into the tree: a path that exists is reused (never duplicated), a missing one
 * is created with generated codes. With `replace`, categories the file does not name are deactivated
 * (never deleted) — but only when every row was good, so a damaged file cannot switch off half the tree.
 */
export async function importCategories(
  ctx: AppContext, actor: Actor, rows: string[][],
  opts: { replace: boolean; lines?: number[]; errors?: CategoryImportError[]; source?: string },
): Promise<CategoryImportResult> {
  const now = ctx.clock.now();
  const iso = now.toISOString();
  const errors: CategoryImportError[] = [...(opts.errors ?? [])];
  const good: string[][] = [];
  rows.forEach((raw, i) => {
    const names = raw.map(normaliseCategoryName);
    if (names.length === 3 && !names[2]) names.pop();
    const problem = checkCategoryPath(names);
    if (problem) errors.push({ line: opts.lines?.[i] ?? i + 1, message: problem.zh, messageEn: problem.en });
    else good.push(names);
  });
  return ctx.db.transaction().execute(async (trx) => {
    await lockKey(trx, ctx.dialect, CATEGORY_LOCK_KEY);
    const all = await repo.allCategories(trx);
    const byPath = new Map(all.map((c) => [c.path, c]));
    const codesByParent = new Map<number | null, string[]>();
    for (const c of all) {
      const list = codesByParent.get(c.parent_id) ?? [];
      list.push(c.code);
      codesByParent.set(c.parent_id, list);
    }
    const named = new Set<number>();
    const toReactivate = new Set<number>();
    let created = 0;
    let existing = 0;
    for (const names of good) {
      let parent: repo.CategoryRow | null = null;
      for (let depth = 1; depth <= names.length; depth++) {
        const path = names.slice(0, depth).join('/');
        let node = byPath.get(path);
        if (!node) {
          const parentId = parent?.id ?? null;
          const siblings = codesByParent.get(parentId) ?? [];
          const code = nextCategoryCode(parent?.code ?? null, siblings);
          node = await repo.insertCategory(trx, {
            parent_id: parentId, level: depth, code, name: names[depth - 1], path, active: 1, sort_order: siblings.length + 1,
            default_urgency: null, created_at: iso, updated_at: iso,
          });
          siblings.push(code);
          codesByParent.set(parentId, siblings);
          byPath.set(path, node);
          created++;
        } else if (!named.has(node.id)) {
          existing++;
          if (!node.active) toReactivate.add(node.id);
        }
        named.add(node.id);
        parent = node;
      }
    }
    await repo.setActive(trx, [...toReactivate], true, iso);
    const replaceSkipped = opts.replace && (errors.length > 0 || good.length === 0);
    let deactivated = 0;
    if (opts.replace && !replaceSkipped) {
      const absent = all.filter((c) => c.active && !named.has(c.id)).map((c) => c.id);
      await repo.setActive(trx, absent, false, iso);
      deactivated = absent.length;
    }
    const result: CategoryImportResult = { rows: good.length, created, existing, reactivated: toReactivate.size, deactivated, replaceSkipped, errors };
    await recordAudit(trx, ctx.dialect, now, {
      actor, action: 'category.import', entity: 'category',
      note: { source: opts.source ?? null, replace: opts.replace, rows: good.length, created, existing, reactivated: toReactivate.size, deactivated, badRows: errors.length },
    });
    return result;
  });
}

/** Reads a .csv or .xlsx file and imports it: the one call the HTTP route and the CLI both make. */
export async function importCategoryFile(ctx: AppContext, actor: Actor, buffer: Buffer, filename: string, opts: { replace: boolean }): Promise<CategoryImportResult> {
  const parsed = await parseCategoryFile(buffer, filename);
  return importCategories(ctx, actor, parsed.rows, { replace: opts.replace, lines: parsed.lines, errors: parsed.errors, source: filename });
}

/**
 * The tree as an .xlsx in the import's own shape (one leaf per line, level1..level3), plus code,
 * status and default urgency. Read back in with `replace` it changes nothing, as inactive lines are
 * skipped (a first-level class with no children yet cannot be a line, though, and would be switched off).
 */
export async function exportCategoriesXlsx(ctx: AppContext): Promise<Buffer> {
  const all = await repo.allCategories(ctx.db);
  const parents = new Set(all.map((c) => c.parent_id).filter((id): id is number => id !== null));
  const leaves = all.filter((c) => !parents.has(c.id));
  return buildXlsx('分类 categories', [
    { header: '一级分类 level1', width: 18, value: (c) => c.path.split('/')[0] },
    { header: '二级分类 level2', width: 22, value: (c) => c.path.split('/')[1] ?? '' },
    { header: '三级分类 level3', width: 24, value: (c) => c.path.split('/')[2] ?? '' },
    { header: '编码 code', width: 12, value: (c) => c.code },
    { header: '状态 active', width: 10, value: (c) => (c.active ? '是' : '否') },
    { header: '默认紧急程度 defaultUrgency', width: 16, value: (c) => (c.default_urgency ? URGENCY_NAMES[c.default_urgency].zh : '') },
  ], leaves);
}
