import type { Unit } from './units.api';

export interface UnitNode extends Unit {
  children: UnitNode[];
  depth: number;
}

function byOrder(a: Unit, b: Unit): number {
  return a.sortOrder - b.sortOrder || a.code.localeCompare(b.code) || a.id - b.id;
}

/**
 * Builds the tree from the flat list the server returns. A unit whose parent the caller cannot see
 * (data scope) becomes a root, so a district user sees their district at the top.
 */
export function buildUnitTree(units: Unit[]): UnitNode[] {
  const nodes = new Map<number, UnitNode>();
  for (const u of units) nodes.set(u.id, { ...u, children: [], depth: 0 });
  const roots: UnitNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId == null ? undefined : nodes.get(n.parentId);
    if (parent && !createsCycle(n, parent, nodes)) parent.children.push(n);
    else roots.push(n);
  }
  const sortDeep = (list: UnitNode[], depth: number) => {
    list.sort(byOrder);
    for (const n of list) {
      n.depth = depth;
      sortDeep(n.children, depth + 1);
    }
  };
  sortDeep(roots, 0);
  return roots;
}

function createsCycle(child: UnitNode, parent: UnitNode, nodes: Map<number, UnitNode>): boolean {
  let p: UnitNode | undefined = parent;
  const seen = new Set<number>();
  while (p) {
    if (p.id === child.id || seen.has(p.id)) return true;
    seen.add(p.id);
    p = p.parentId == null ? undefined : nodes.get(p.parentId);
  }
  return false;
}

/** Ids of a unit's ancestors, nearest last, for expanding the tree to it. */
export function ancestorIds(units: Unit[], id: number): number[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const out: number[] = [];
  let cur = byId.get(id);
  const seen = new Set<number>();
  while (cur && cur.parentId != null && !seen.has(cur.parentId)) {
    seen.add(cur.parentId);
    out.unshift(cur.parentId);
    cur = byId.get(cur.parentId);
  }
  return out.filter((x) => byId.has(x));
}

/** Ids of units whose name or code contains the text, plus their ancestors (to show the path). */
export function matchUnits(units: Unit[], text: string): Set<number> {
  const q = text.trim().toLowerCase();
  const out = new Set<number>();
  if (!q) return out;
  for (const u of units) {
    if (u.name.toLowerCase().includes(q) || u.code.toLowerCase().includes(q)) {
      out.add(u.id);
      for (const a of ancestorIds(units, u.id)) out.add(a);
    }
  }
  return out;
}
