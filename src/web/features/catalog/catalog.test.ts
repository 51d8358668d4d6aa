import { describe, expect, it } from 'vitest';
import type { Category } from './catalog.api';
import { formatDuration } from './catalog-labels';
import { ancestorsOf, buildCategoryTree, matchCategories } from './category-tree';
import { fileNameOf } from './transfer';

const cat = (id: number, parentId: number | null, code: string, path: string, sortOrder = 1): Category => ({
  id,
  parentId,
  level: path.split('/').length,
  code,
  name: path.split('/').pop()!,
  path,
  active: true,
  sortOrder,
  defaultUrgency: null,
});

const items = [
  cat(3, 2, '01.01.01', '城乡建设/物业管理/物业服务质量'),
  cat(1, null, '01', '城乡建设', 1),
  cat(2, 1, '01.01', '城乡建设/物业管理'),
  cat(4, null, '02', '环境保护', 2),
  cat(5, 4, '02.01', '环境保护/噪声污染'),
];

describe('category tree', () => {
  it('builds the forest whatever the order of the list', () => {
    const tree = buildCategoryTree(items);
    expect(tree.map((n) => n.name)).toEqual(['城乡建设', '环境保护']);
    expect(tree[0].children[0].children[0].code).toBe('01.01.01');
  });
  it('finds matches with their ancestors', () => {
    expect([...matchCategories(items, '服务质量')!].sort()).toEqual([1, 2, 3]);
    expect([...matchCategories(items, '02')!].sort()).toEqual([4, 5]);
    expect(matchCategories(items, '  ')).toBeNull();
    expect(ancestorsOf(items, 3)).toEqual([1, 2]);
  });
});

describe('labels and files', () => {
  it('writes durations and reads download names', () => {
    expect(formatDuration({ amount: 5, unit: 'working-days' }, 'zh')).toBe('5 个工作日');
    expect(formatDuration({ amount: 24, unit: 'calendar-hours' }, 'en')).toBe('24 calendar hours');
    expect(fileNameOf('attachment; filename="request-stats.xlsx"', 'x.xlsx')).toBe('request-stats.xlsx');
    expect(fileNameOf("attachment; filename*=UTF-8''%E5%88%86%E7%B1%BB.xlsx", 'x.xlsx')).toBe('分类.xlsx');
    expect(fileNameOf(null, 'x.xlsx')).toBe('x.xlsx');
  });
});
