/**
 * Pure rules the screens share with the server, so the user hears about a mistake while typing rather
 * than after submitting (the server checks them again).
 */
import type { Category } from './requests.api';

/** 统一社会信用代码 GB 32100-2015: 18 characters from this set, the last a check character. */
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARS.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * CREDIT_WEIGHTS[i];
  }
  return CREDIT_CHARS[(31 - (sum % 31)) % 31];
}

export function isValidCreditCode(code: string): boolean {
  const c = code.trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(c)) return false;
  return creditCodeCheckChar(c.slice(0, 17)) === c[17];
}

export interface CategoryOption {
  value: number;
  label: string;
  children?: CategoryOption[];
}

/** The 3-level category tree for a Cascader, active categories only, in catalogue order. */
export function buildCategoryOptions(items: Category[]): CategoryOption[] {
  const active = items.filter((c) => c.active);
  const byParent = new Map<number | null, Category[]>();
  for (const c of active) {
    const list = byParent.get(c.parentId) ?? [];
    list.push(c);
    byParent.set(c.parentId, list);
  }
  const build = (parent: number | null, seen: Set<number>): CategoryOption[] =>
    (byParent.get(parent) ?? [])
      .sort((a, b) => a.sortOrder - b.sortOrder || a.code.localeCompare(b.code))
      .filter((c) => !seen.has(c.id))
      .map((c) => {
        const children = build(c.id, new Set([...seen, c.id]));
        return children.length ? { value: c.id, label: c.name, children } : { value: c.id, label: c.name };
      });
  // A category under an inactive parent is unreachable, as the server deactivates whole subtrees.
  return build(null, new Set());
}

/** The Cascader value (ids from the root) of a category id. */
export function categoryPathIds(items: Category[], id: number | null | undefined): number[] {
  if (!id) return [];
  const byId = new Map(items.map((c) => [c.id, c]));
  const out: number[] = [];
  let cur = byId.get(id);
  const seen = new Set<number>();
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    out.unshift(cur.id);
    cur = cur.parentId == null ? undefined : byId.get(cur.parentId);
  }
  return out;
}

/** Phone numbers worth looking up in the caller history: 7+ digits once spaces and dashes are gone. */
export function normalisePhone(raw: string | undefined | null): string {
  return (raw ?? '').replace(/[\s-]/g, '');
}

export function isLookupPhone(raw: string | undefined | null): boolean {
  return /^\+?\d{7,20}$/.test(normalisePhone(raw));
}
