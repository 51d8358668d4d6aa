import type { FieldError } from './errors';

interface AjvLikeError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns schema-validation errors into field errors in both languages, naming the field by path. */
export function toFieldErrors(errors: AjvLikeError[], context: string | undefined): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of withoutUnionNoise(errors)) {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required') field = join(field, String(e.params.missingProperty));
    if (e.keyword === 'additionalProperties') field = join(field, String(e.params.additionalProperty));
    if (!field) field = context ?? 'body';
    const message = describe(e);
    const key = `${field}|${message.en}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

/**
 * A union (e.g. a nullable string) that fails reports every branch: "must be null", "wrong format",
 * "not one of the allowed values" for one phone number. Keep what the branch of the value's own type
 * said; when no branch came that far, keep the one "not one of the allowed values".
 */
function withoutUnionNoise(errors: AjvLikeError[]): AjvLikeError[] {
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  if (!unionPaths.size) return errors;
  const branchNoise = new Set(['anyOf', 'oneOf', 'type', 'const', 'enum']);
  const out: AjvLikeError[] = [];
  for (const e of errors) {
    if (!unionPaths.has(e.instancePath)) {
      out.push(e);
      continue;
    }
    const here = errors.filter((o) => o.instancePath === e.instancePath);
    if (here.some((o) => !branchNoise.has(o.keyword))) {
      if (!branchNoise.has(e.keyword)) out.push(e);
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      // Only type branches (e.g. integer or null): say which types would do.
      const types = here.filter((o) => o.keyword === 'type').map((o) => String(o.params.type));
      out.push(types.length && types.length === here.length - 1 ? { ...e, keyword: 'type', params: { type: types.join(',') } } : e);
    }
  }
  return out;
}

function join(a: string, b: string): string {
  return a ? `${a}.${b}` : b;
}

function describe(e: AjvLikeError): { zh: string; en: string } {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { zh: '必填', en: 'is required' };
    case 'additionalProperties':
      return { zh: '不允许的字段', en: 'is not an allowed field' };
    case 'type': {
      const types = String(p.type).split(',');
      return { zh: `类型应为 ${types.map(typeZh).join('或')}`, en: `must be ${types.join(' or ')}` };
    }
    case 'minLength':
      return Number(p.limit) === 1 ? { zh: '不能为空', en: 'must not be empty' } : { zh: `长度不能少于 ${p.limit} 个字符`, en: `must have at least ${p.limit} characters` };
    case 'maxLength':
      return { zh: `长度不能超过 ${p.limit} 个字符`, en: `must have at most ${p.limit} characters` };
    case 'minimum':
      return { zh: `不能小于 ${p.limit}`, en: `must be ≥ ${p.limit}` };
    case 'maximum':
      return { zh: `不能大于 ${p.limit}`, en: `must be ≤ ${p.limit}` };
    case 'minItems':
      return { zh: `至少需要 ${p.limit} 项`, en: `must have at least ${p.limit} items` };
    case 'maxItems':
      return { zh: `最多 ${p.limit} 项`, en: `must have at most ${p.limit} items` };
    case 'enum':
    case 'const':
    case 'anyOf':
      return { zh: '取值不在允许范围内', en: 'is not one of the allowed values' };
    case 'pattern':
      return { zh: '格式不正确', en: 'has the wrong format' };
    case 'format':
      return { zh: `格式不正确（应为 ${p.format}）`, en: `must be a valid ${p.format}` };
    default:
      return { zh: '取值无效', en: e.message ?? 'is invalid' };
  }
}

function typeZh(t: string): string {
  return ({ string: '文本', integer: '整数', number: '数字', boolean: '布尔值', object: '对象', array: '数组', null: '空值' } as Record<string, string>)[t] ?? t;
}
