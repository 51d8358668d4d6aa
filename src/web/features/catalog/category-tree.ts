import type { Category } from './catalog.api';

export interface CategoryNode extends Category {
  children: CategoryNode[];
}

/** Builds the forest from the flat list (parents before or after children), siblings by sort order then code. */
export function buildCategoryTree(items: Category[]): CategoryNode[] {
  const nodes = new Map<number, CategoryNode>(items.map((c) => [c.id, { ...c, children: [] }]));
  const roots: CategoryNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId !== null ? nodes.get(n.parentId) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const sort = (list: CategoryNode[]) => {
    list.sort((a, b) => a.sortOrder - b.sortOrder || a.code.localeCompare(b.code));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

/**
 * The ids to show for a search: every category whose name, path or code contains the text, plus
 * their ancestors so each match is reachable in the tree. Null when there is nothing to search.
 */
export function matchCategories(items: Category[], text: string): Set<number> | null {
  const q = text.trim().toLowerCase();
  if (!q) return null;
  const byId = new Map(items.map((c) => [c.id, c]));
  const out = new Set<number>();
  for (const c of items) {
    if (!(c.name.toLowerCase().includes(q) || c.path.toLowerCase().includes(q) || c.code.startsWith(q))) continue;
    let cur: Category | undefined = c;
    while (cur && !out.has(cur.id)) {
      out.add(cur.id);
      cur = cur.parentId !== null ? byId.get(cur.parentId) : undefined;
    }
  }
  return out;
}

/** The ids of a category's ancestors, nearest last. */
export function ancestorsOf(items: Category[], id: number): number[] {
  const byId = new Map(items.map((c) => [c.id, c]));
  const out: number[] = [];
  let cur = byId.get(id);
  while (cur && cur.parentId !== null) {
    out.unshift(cur.parentId);
    cur = byId.get(cur.parentId);
  }
  return out;
}

