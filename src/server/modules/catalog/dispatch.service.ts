import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Tx } from '../../core/db/database';
import type { Actor } from '../../core/http/access';
import { fieldError, notFound } from '../../core/http/errors';
import { toPageRequest } from '../../core/http/paging';
import * as repo from './catalog.repository';
import { buildXlsx } from '../../core/xlsx';
import { categoryChain } from './categories.service';

/**
 * 派单目录 the dispatch catalogue: (category × district) → lead unit (主办) and co-units (协办).
 * A rule on a category covers its descendants; null means "any" on either axis.
 */

const RULE = { zh: '派单规则', en: 'Dispatch rule' };

export interface DispatchResolution {
  leadUnitId: number;
  coUnitIds: number[];
  /** The rule that matched; null for the fallback. */
  ruleId: number | null;
  /** True when no rule matched and the order goes to the district government (兜底). */
  fallback: boolean;
}

async function assertDistrict(db: Tx, districtId: number, field: string) {
  const [unit] = await repo.unitsByIds(db, [districtId]);
  if (!unit || unit.kind !== 'district') throw fieldError(field, { zh: '不是区县单位', en: 'is not a district' });
  return unit;
}

/**
 * Chooses the units for a request. The most specific rule wins: the deepest category first (the leaf,
 * then its parent, then the first-level class, then rules for any category), and for the same category
 * a rule for the request's district beats one for any district. Rules naming a disabled lead unit are
 * passed over. No rule at all → the district government itself (兜底, `fallback`); with no district
 * either there is nobody to send it to, and the caller is told to name the district.
 */
export async function resolveDispatch(db: Tx, input: { categoryId: number | null; districtUnitId: number | null }): Promise<DispatchResolution> {
  const { categoryId, districtUnitId } = input;
  if (districtUnitId !== null) await assertDistrict(db, districtUnitId, 'districtId');
  let chainIds: number[] = [];
  if (categoryId !== null) {
    const chain = await categoryChain(db, categoryId);
    if (!chain.length) throw fieldError('categoryId', { zh: '分类不存在', en: 'no such category' });
    chainIds = chain.map((c) => c.id);
  }
  const rules = await repo.candidateRules(db, chainIds, districtUnitId);
  const rank = (r: repo.DispatchRuleRow) => {
    const depth = r.category_id === null ? chainIds.length : chainIds.indexOf(r.category_id);
    return depth * 2 + (r.district_unit_id === null ? 1 : 0);
  };
  const best = rules.sort((a, b) => rank(a) - rank(b) || a.id - b.id)[0];
  if (!best) {
    if (districtUnitId === null) {
      throw fieldError('districtId', { zh: '派单目录中没有匹配的承办单位，请指定所属区县', en: 'no dispatch rule matches; name the district so the order can go to its government' });
    }
    return { leadUnitId: districtUnitId, coUnitIds: [], ruleId: null, fallback: true };
  }
  const wanted = parseIds(best.co_unit_ids);
  if (best.district_co_unit && districtUnitId !== null) wanted.push(districtUnitId);
  const activeUnits = new Set((await repo.unitsByIds(db, wanted)).filter((u) => u.active).map((u) => u.id));
  const coUnitIds = [...new Set(wanted)].filter((id) => id !== best.lead_unit_id && activeUnits.has(id));
  return { leadUnitId: best.lead_unit_id, coUnitIds, ruleId: best.id, fallback: false };
}

function parseIds(json: string): number[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
  } catch {
    return [];
  }
}

/** Rules with the names a person reads: category path, district, lead and co-units. */
async function describeRules(db: Tx, rows: repo.DispatchRuleRow[]) {
  const unitIds = new Set<number>();
  for (const r of rows) {
    unitIds.add(r.lead_unit_id);
    if (r.district_unit_id) unitIds.add(r.district_unit_id);
    for (const id of parseIds(r.co_unit_ids)) unitIds.add(id);
  }
  const units = new Map((await repo.unitsByIds(db, [...unitIds])).map((u) => [u.id, u]));
  const categories = new Map((await repo.findCategoriesByIds(db, [...new Set(rows.map((r) => r.category_id).filter((id): id is number => id !== null))])).map((c) => [c.id, c]));
  return rows.map((r) => {
    const category = r.category_id ? categories.get(r.category_id) : undefined;
    const coUnitIds = parseIds(r.co_unit_ids);
    return {
      id: r.id,
      categoryId: r.category_id, categoryCode: category?.code ?? null, categoryPath: category?.path ?? null,
      districtId: r.district_unit_id, districtName: r.district_unit_id ? units.get(r.district_unit_id)?.name ?? null : null,
      leadUnitId: r.lead_unit_id, leadUnitName: units.get(r.lead_unit_id)?.name ?? '',
      coUnitIds, coUnits: coUnitIds.map((id) => ({ id, name: units.get(id)?.name ?? '' })),
      districtCoUnit: !!r.district_co_unit, note: r.note, active: !!r.active,
    };
  });
}
export type DispatchRule = Awaited<ReturnType<typeof describeRules>>[number];

const SORTABLE = { id: 'dispatch_rules.id', category: 'categories.code' } as const;

export async function listDispatchRules(ctx: AppContext, q: repo.DispatchRuleFilter & { page?: number; pageSize?: number; sort?: string }) {
  const page = toPageRequest(q, SORTABLE, 'category');
  const { total, rows } = await repo.pageDispatchRules(ctx.db, q, page);
  return { items: await describeRules(ctx.db, rows), total, page: page.page, pageSize: page.pageSize };
}

export async function getDispatchRule(ctx: AppContext, id: number) {
  const row = await repo.findDispatchRule(ctx.db, id);
  if (!row) throw notFound(RULE);
  return (await describeRules(ctx.db, [row]))[0];
}

interface RuleInput {
  categoryId: number | null;
  districtId: number | null;
  leadUnitId: number;
  coUnitIds: number[];
  districtCoUnit: boolean;
  note: string | null;
  active: boolean;
}

/** Checks a rule as a whole: every id names something real, and no other active rule has the same key. */
async function checkRule(db: Tx, v: RuleInput, exceptId?: number): Promise<void> {
  if (v.categoryId !== null && !(await repo.findCategory(db, v.categoryId))) throw fieldError('categoryId', { zh: '分类不存在', en: 'no such category' });
  if (v.districtId !== null) await assertDistrict(db, v.districtId, 'districtId');
  const [lead] = await repo.unitsByIds(db, [v.leadUnitId]);
  if (!lead) throw fieldError('leadUnitId', { zh: '单位不存在', en: 'no such unit' });
  if (!lead.active) throw fieldError('leadUnitId', { zh: '单位已停用', en: 'the unit is inactive' });
  if (new Set(v.coUnitIds).size !== v.coUnitIds.length) throw fieldError('coUnitIds', { zh: '协办单位重复', en: 'lists a unit twice' });
  if (v.coUnitIds.includes(v.leadUnitId)) throw fieldError('coUnitIds', { zh: '协办单位不能与主办单位相同', en: 'must not include the lead unit' });
  const co = await repo.unitsByIds(db, v.coUnitIds);
  if (co.length !== v.coUnitIds.length) throw fieldError('coUnitIds', { zh: '协办单位不存在', en: 'names a unit that does not exist' });
  if (co.some((u) => !u.active)) throw fieldError('coUnitIds', { zh: '协办单位已停用', en: 'names an inactive unit' });
  if (v.active && (await repo.findActiveRuleFor(db, v.categoryId, v.districtId, exceptId))) {
    throw fieldError('categoryId', { zh: '该分类与区县已有启用的派单规则', en: 'an active rule for this category and district already exists' }, 'CONFLICT');
  }
}

function toRow(v: RuleInput) {
  return {
    category_id: v.categoryId, district_unit_id: v.districtId, lead_unit_id: v.leadUnitId, co_unit_ids: JSON.stringify(v.coUnitIds),
    district_co_unit: v.districtCoUnit ? 1 : 0, note: v.note, active: v.active ? 1 : 0,
  };
}

export async function createDispatchRule(ctx: AppContext, actor: Actor, input: Partial<RuleInput> & { leadUnitId: number }) {
  const v: RuleInput = {
    categoryId: input.categoryId ?? null, districtId: input.districtId ?? null, leadUnitId: input.leadUnitId, coUnitIds: input.coUnitIds ?? [],
    districtCoUnit: input.districtCoUnit ?? false, note: input.note?.trim() || null, active: input.active ?? true,
  };
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await checkRule(trx, v);
    const row = await repo.insertDispatchRule(trx, { ...toRow(v), created_at: now.toISOString(), updated_at: now.toISOString() });
    const rule = (await describeRules(trx, [row]))[0];
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'dispatch_rule.create', entity: 'dispatch_rule', entityId: row.id, after: rule });
    return rule;
  });
}

export async function updateDispatchRule(ctx: AppContext, actor: Actor, id: number, patch: Partial<RuleInput>) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findDispatchRule(trx, id);
    if (!before) throw notFound(RULE);
    const v: RuleInput = {
      categoryId: patch.categoryId !== undefined ? patch.categoryId : before.category_id,
      districtId: patch.districtId !== undefined ? patch.districtId : before.district_unit_id,
      leadUnitId: patch.leadUnitId ?? before.lead_unit_id,
      coUnitIds: patch.coUnitIds ?? parseIds(before.co_unit_ids),
      districtCoUnit: patch.districtCoUnit ?? !!before.district_co_unit,
      note: patch.note !== undefined ? patch.note?.trim() || null : before.note,
      active: patch.active ?? !!before.active,
    };
    await checkRule(trx, v, id);
    await repo.updateDispatchRule(trx, id, { ...toRow(v), updated_at: now.toISOString() });
    const [beforeRule, after] = await describeRules(trx, [before, (await repo.findDispatchRule(trx, id))!]);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'dispatch_rule.update', entity: 'dispatch_rule', entityId: id, before: beforeRule, after });
    return after;
  });
}

/** Rules are configuration, not records anyone refers to: they may be deleted (the audit row keeps them). */
export async function deleteDispatchRule(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findDispatchRule(trx, id);
    if (!before) throw notFound(RULE);
    await repo.deleteDispatchRule(trx, id);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'dispatch_rule.delete', entity: 'dispatch_rule', entityId: id, before: (await describeRules(trx, [before]))[0] });
  });
}

/** The resolution with unit names, for the dispatcher's screen. */
export async function previewDispatch(ctx: AppContext, q: { categoryId?: number; districtId?: number }) {
  const res = await resolveDispatch(ctx.db, { categoryId: q.categoryId ?? null, districtUnitId: q.districtId ?? null });
  const units = new Map((await repo.unitsByIds(ctx.db, [res.leadUnitId, ...res.coUnitIds])).map((u) => [u.id, u]));
  const named = (id: number) => ({ id, code: units.get(id)?.code ?? '', name: units.get(id)?.name ?? '' });
  return { lead: named(res.leadUnitId), coUnits: res.coUnitIds.map(named), ruleId: res.ruleId, fallback: res.fallback };
}

export async function exportDispatchRulesXlsx(ctx: AppContext): Promise<Buffer> {
  const rules = await describeRules(ctx.db, await repo.allDispatchRules(ctx.db));
  const ANY = '（任意）';
  return buildXlsx<DispatchRule>('派单目录 dispatch', [
    { header: '编号 id', width: 8, value: (r) => r.id },
    { header: '分类编码 categoryCode', width: 12, value: (r) => r.categoryCode ?? '' },
    { header: '分类 category', width: 30, value: (r) => r.categoryPath ?? ANY },
    { header: '区县 district', width: 16, value: (r) => r.districtName ?? ANY },
    { header: '主办单位 lead', width: 24, value: (r) => r.leadUnitName },
    { header: '协办单位 coUnits', width: 30, value: (r) => r.coUnits.map((u) => u.name).join('、') },
    { header: '属地协办 districtCoUnit', width: 12, value: (r) => (r.districtCoUnit ? '是' : '否') },
    { header: '备注 note', width: 24, value: (r) => r.note ?? '' },
    { header: '状态 active', width: 10, value: (r) => (r.active ? '是' : '否') },
  ], rules);
}
