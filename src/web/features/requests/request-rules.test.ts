import { describe, expect, it } from 'vitest';
import { buildCategoryOptions, categoryPathIds, creditCodeCheckChar, isLookupPhone, isValidCreditCode, normalisePhone } from './request-rules';
import type { Category } from './requests.api';

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts codes whose last character is the check character', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('911100001000044477')).toBe(true);
    // Case and surrounding spaces do not matter; the server upper-cases too.
    expect(isValidCreditCode(' 91350100m000100y43 ')).toBe(true);
  });
  it('rejects a wrong check character, a wrong length and letters outside the set (I O S V Z)', () => {
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y4')).toBe(false);
    expect(isValidCreditCode('91350100M00010OY43')).toBe(false);
    expect(creditCodeCheckChar('9135010OM000100Y4')).toBeNull();
  });
});

const cat = (id: number, parentId: number | null, name: string, sortOrder: number, active = true): Category => ({
  id, parentId, level: 0, code: String(id).padStart(2, '0'), name, path: name, active, sortOrder, defaultUrgency: null,
});

describe('category cascader options', () => {
  const items = [cat(3, 1, '物业管理', 2), cat(1, null, '城乡建设', 1), cat(2, 1, '住房保障', 1), cat(4, 3, '物业服务质量', 1), cat(5, 3, '已停用', 2, false), cat(6, null, '停用类', 2, false), cat(7, 6, '孤儿', 1)];
  it('nests active categories in catalogue order and leaves out inactive ones and what hangs under them', () => {
    expect(buildCategoryOptions(items)).toEqual([
      { value: 1, label: '城乡建设', children: [{ value: 2, label: '住房保障' }, { value: 3, label: '物业管理', children: [{ value: 4, label: '物业服务质量' }] }] },
    ]);
  });
  it('gives the cascader value (ids from the root) of a category', () => {
    expect(categoryPathIds(items, 4)).toEqual([1, 3, 4]);
    expect(categoryPathIds(items, undefined)).toEqual([]);
  });
});

describe('caller phone lookup', () => {
  it('looks up numbers of 7+ digits once spaces and dashes are gone', () => {
    expect(normalisePhone('139 1234-5678')).toBe('13912345678');
    expect(isLookupPhone('139 1234 5678')).toBe(true);
    expect(isLookupPhone('12345')).toBe(false);
    expect(isLookupPhone('')).toBe(false);
  });
});
