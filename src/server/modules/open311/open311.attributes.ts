import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Actor } from '../../core/http/access';
import { AppError, notFound, type FieldError } from '../../core/http/errors';
import { writeSetting } from '../../core/settings';
import { REQUEST_TYPES } from '../catalog';
import { parseIsoInstant, type ParamReader } from './open311.params';
import * as repo from './open311.repository';
import type { AttributeDatatype } from './open311.tables';

/**
 * An attribute with this code chooses the request type (咨询 求助 投诉 …) instead of the default
 * complaint; its list keys must be request type codes.
 */
export const REQUEST_TYPE_ATTRIBUTE = 'request_type';
/** Settings key: when an attribute list last changed (discovery's changeset). */
export const DEFINITIONS_CHANGED_KEY = 'open311.definitionsChangedAt';
const LIST_TYPES: AttributeDatatype[] = ['singlevaluelist', 'multivaluelist'];
const CATEGORY = { zh: '分类', en: 'Category' };

export interface AttributeValue {
  key: string;
  name: string;
}

/** An attribute as the admin API reads and writes it. */
export interface AttributeInput {
  code: string;
  variable?: boolean;
  datatype: AttributeDatatype;
  required?: boolean;
  datatypeDescription?: string | null;
  order?: number;
  description: string;
  values?: AttributeValue[];
}

export function toAttribute(r: repo.AttributeRow) {
  return {
    code: r.code, variable: !!r.variable, datatype: r.datatype, required: !!r.required, datatypeDescription: r.datatype_description,
    order: r.sort_order, description: r.description, values: JSON.parse(r.values_json) as AttributeValue[],
  };
}

/** The same attribute as GeoReport v2's service definition names its fields. */
export function toOpen311Attribute(r: repo.AttributeRow) {
  const a = toAttribute(r);
  return {
    variable: a.variable, code: a.code, datatype: a.datatype, required: a.required, datatype_description: a.datatypeDescription,
    order: a.order, description: a.description, values: a.values.map((v) => ({ key: v.key, name: v.name })),
  };
}

async function categoryOrThrow(ctx: AppContext, categoryId: number) {
  const c = await ctx.db.selectFrom('categories').select(['id', 'code', 'path']).where('id', '=', categoryId).executeTakeFirst();
  if (!c) throw notFound(CATEGORY);
  return c;
}

export async function getCategoryAttributes(ctx: AppContext, categoryId: number) {
  const c = await categoryOrThrow(ctx, categoryId);
  return { categoryId: c.id, serviceCode: c.code, categoryPath: c.path, attributes: (await repo.attributesOf(ctx.db, c.id)).map(toAttribute) };
}

/** Checks a whole attribute list: codes and list keys unique, list values exactly where a list datatype needs them. */
function checkAttributeList(items: AttributeInput[]): FieldError[] {
  const errors: FieldError[] = [];
  const codes = new Set<string>();
  items.forEach((a, i) => {
    const at = `attributes.${i}`;
    if (codes.has(a.code)) errors.push({ field: `${at}.code`, message: { zh: '同一分类下编码不能重复', en: 'is used twice in this category' } });
    codes.add(a.code);
    const isList = LIST_TYPES.includes(a.datatype);
    const values = a.values ?? [];
    if (isList && !values.length) errors.push({ field: `${at}.values`, message: { zh: '列表类型至少需要一个选项', en: 'a list datatype needs at least one value' } });
    if (!isList && values.length) errors.push({ field: `${at}.values`, message: { zh: '只有列表类型才有选项', en: 'only list datatypes have values' } });
    const keys = new Set<string>();
    values.forEach((v, j) => {
      if (keys.has(v.key)) errors.push({ field: `${at}.values.${j}.key`, message: { zh: '选项键不能重复', en: 'is used twice' } });
      keys.add(v.key);
    });
    if (a.code === REQUEST_TYPE_ATTRIBUTE) {
      if (a.datatype !== 'singlevaluelist') errors.push({ field: `${at}.datatype`, message: { zh: 'request_type 必须是单选列表', en: 'request_type must be a singlevaluelist' } });
      values.forEach((v, j) => {
        if (!(REQUEST_TYPES as readonly string[]).includes(v.key)) {
          errors.push({ field: `${at}.values.${j}.key`, message: { zh: `应为诉求类型编码：${REQUEST_TYPES.join(', ')}`, en: `must be a request type code: ${REQUEST_TYPES.join(', ')}` } });
        }
      });
    }
  });
  return errors;
}

/** Replaces a category's attribute list (the Open311 service definition) in one audited transaction. */
export async function replaceCategoryAttributes(ctx: AppContext, actor: Actor, categoryId: number, items: AttributeInput[]) {
  await categoryOrThrow(ctx, categoryId);
  const errors = checkAttributeList(items);
  if (errors.length) throw new AppError('VALIDATION_FAILED', { details: errors });
  const now = ctx.clock.now();
  const iso = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await repo.attributesOf(trx, categoryId);
    await repo.replaceAttributes(trx, categoryId, items.map((a, i) => ({
      code: a.code, variable: a.variable === false ? 0 : 1, datatype: a.datatype, required: a.required ? 1 : 0,
      datatype_description: a.datatypeDescription?.trim() || null, sort_order: a.order ?? i + 1, description: a.description.trim(),
      values_json: JSON.stringify((a.values ?? []).map((v) => ({ key: v.key, name: v.name }))), created_at: iso, updated_at: iso,
    })));
    // Discovery's changeset moves with the service definitions, even when a list is emptied.
    await writeSetting(trx, DEFINITIONS_CHANGED_KEY, iso, now, actor.userId);
    await recordAudit(trx, ctx.dialect, now, {
      actor, action: 'open311.attributes-replace', entity: 'category', entityId: categoryId,
      before: { attributes: before.map((a) => `${a.code}:${a.datatype}${a.required ? '*' : ''}`) },
      after: { attributes: items.map((a) => `${a.code}:${a.datatype}${a.required ? '*' : ''}`) },
    });
  });
  return getCategoryAttributes(ctx, categoryId);
}

export type SubmittedAttributes = Record<string, string | number | string[]>;

/**
 * Checks what a partner sent as `attribute[code]` against the service definition: every required
 * attribute present, values of the right datatype, list values among the keys. Problems go to the reader.
 */
export function checkSubmittedAttributes(defs: repo.AttributeRow[], reader: ParamReader, timeZone: string): SubmittedAttributes {
  const submitted = reader.attributes();
  const out: SubmittedAttributes = {};
  const byCode = new Map(defs.map((d) => [d.code, d]));
  for (const code of submitted.keys()) {
    const def = byCode.get(code);
    if (!def) reader.fail(`attribute[${code}]`, { zh: '该服务没有这个属性', en: 'is not an attribute of this service' });
  }
  for (const def of defs) {
    if (!def.variable) continue;
    const field = `attribute[${def.code}]`;
    const given = submitted.get(def.code);
    const values = given?.values ?? [];
    if (!values.length) {
      if (def.required) reader.fail(field, { zh: '必填', en: 'is required' });
      continue;
    }
    const keys = (JSON.parse(def.values_json) as AttributeValue[]).map((v) => v.key);
    if (def.datatype === 'multivaluelist') {
      const unique = [...new Set(values)];
      const bad = unique.filter((v) => !keys.includes(v));
      if (bad.length) reader.fail(field, { zh: `不在可选值中：${bad.join(', ')}`, en: `not among the allowed values: ${bad.join(', ')}` });
      else out[def.code] = unique;
      continue;
    }
    if (values.length > 1 || given?.asList) {
      reader.fail(field, { zh: '只能有一个值', en: 'takes one value' });
      continue;
    }
    const v = values[0];
    switch (def.datatype) {
      case 'singlevaluelist':
        if (!keys.includes(v)) reader.fail(field, { zh: `应为以下之一：${keys.join(', ')}`, en: `must be one of: ${keys.join(', ')}` });
        else out[def.code] = v;
        break;
      case 'number': {
        const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : Number.NaN;
        if (!Number.isFinite(n)) reader.fail(field, { zh: '应为数字', en: 'must be a number' });
        else out[def.code] = n;
        break;
      }
      case 'datetime':
        if (!parseIsoInstant(v, timeZone)) reader.fail(field, { zh: '应为 ISO 8601 日期时间', en: 'must be an ISO 8601 date-time' });
        else out[def.code] = v;
        break;
      case 'string':
        if ([...v].length > 500) reader.fail(field, { zh: '长度不能超过 500 个字符', en: 'must have at most 500 characters' });
        else out[def.code] = v;
        break;
      case 'text':
        if ([...v].length > 4000) reader.fail(field, { zh: '长度不能超过 4000 个字符', en: 'must have at most 4000 characters' });
        else out[def.code] = v;
        break;
    }
  }
  return out;
}

/** Submitted attribute values as staff read them in the request detail: the question, and the answer's names. */
export function describeSubmittedAttributes(defs: repo.AttributeRow[], values: SubmittedAttributes) {
  const byCode = new Map(defs.map((d) => [d.code, d]));
  return Object.entries(values).map(([code, value]) => {
    const def = byCode.get(code);
    const names = new Map(def ? (JSON.parse(def.values_json) as AttributeValue[]).map((v) => [v.key, v.name]) : []);
    const list = Array.isArray(value) ? value : [value];
    return { code, description: def?.description ?? code, value, display: list.map((v) => names.get(String(v)) ?? String(v)).join('、') };
  });
}
