import { describe, expect, it } from 'vitest';
import { ancestorIds, buildUnitTree, matchUnits } from './unit-tree';
import type { Unit } from './units.api';

const u = (id: number, parentId: number | null, name: string, sortOrder = 0): Unit => ({
  id, parentId, name, code: `C${id}`, kind: 'department', sortOrder, active: true,
});

describe('buildUnitTree', () => {
  it('nests children under parents and sorts siblings by sortOrder then code', () => {
    const tree = buildUnitTree([u(3, 1, '乙', 2), u(1, null, '市政府'), u(2, 1, '甲', 1), u(4, 2, '子')]);
    expect(tree.map((n) => n.id)).toEqual([1]);
    expect(tree[0].children.map((n) => n.id)).toEqual([2, 3]);
    expect(tree[0].children[0].children[0]).toMatchObject({ id: 4, depth: 2 });
  });

  it('makes a unit whose parent is not visible a root', () => {
    const tree = buildUnitTree([u(5, 1, '区'), u(6, 5, '街道')]);
    expect(tree.map((n) => n.id)).toEqual([5]);
    expect(tree[0].children.map((n) => n.id)).toEqual([6]);
  });

  it('does not loop on a cycle in bad data', () => {
    const tree = buildUnitTree([u(1, 2, 'a'), u(2, 1, 'b')]);
    const count = (ns: typeof tree): number => ns.reduce((s, n) => s + 1 + count(n.children), 0);
    expect(count(tree)).toBe(2);
  });
});

describe('ancestorIds and matchUnits', () => {
  const units = [u(1, null, '市政府'), u(2, 1, '市城管局'), u(3, 2, '市容科')];
  it('lists ancestors from the root down', () => {
    expect(ancestorIds(units, 3)).toEqual([1, 2]);
  });
  it('matches by name or code and includes the path', () => {
    expect([...matchUnits(units, '市容')].sort()).toEqual([1, 2, 3]);
    expect([...matchUnits(units, 'c2')].sort()).toEqual([1, 2]);
    expect(matchUnits(units, '  ').size).toBe(0);
  });
});
