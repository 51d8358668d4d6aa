import type { ComponentType, LazyExoticComponent, ReactNode } from 'react';
import type { Msg } from './i18n';

/**
 * What a feature contributes to the app: pages, menu entries and home-page cards, each guarded by a
 * permission string from /auth/me. A business module adds one FeatureDefinition in its folder and one
 * line in app/features.ts; the shell, router and dashboard read only these lists.
 */

export type PageComponent = LazyExoticComponent<ComponentType> | ComponentType;

export interface RouteEntry {
  /** Relative to the app root, without a leading slash: 'admin/users'. */
  path: string;
  /** Without it the page is open to every signed-in user. */
  permission?: string;
  /** Page title for the header and the browser tab. */
  title: Msg;
  /** Lazy-loaded so each page is its own chunk. */
  component: PageComponent;
}

export interface MenuGroup {
  key: string;
  label: Msg;
  icon?: ReactNode;
  order: number;
}

export interface MenuEntry {
  key: string;
  /** Absolute path: '/admin/users'. */
  path: string;
  label: Msg;
  icon?: ReactNode;
  permission?: string;
  /** Key of a MenuGroup; top level without it. */
  group?: string;
  order: number;
}

interface CardBase {
  id: string;
  /** The card shows only when the user holds this permission (so a missing module shows nothing). */
  permission?: string;
  order: number;
  title: Msg;
}

/** A single figure loaded from the API, e.g. a list endpoint's `total`. */
export interface StatCardDefinition extends CardBase {
  kind: 'stat';
  queryKey: readonly unknown[];
  load: (signal?: AbortSignal) => Promise<number>;
  icon?: ReactNode;
  suffix?: Msg;
  /** Where a click on the card goes. */
  link?: string;
}

/** Anything richer (a chart, a to-do list): a lazy component that loads its own data. */
export interface CustomCardDefinition extends CardBase {
  kind: 'custom';
  /** Grid columns out of 24 on a wide screen. */
  span?: number;
  component: LazyExoticComponent<ComponentType>;
}

export type DashboardCard = StatCardDefinition | CustomCardDefinition;

/** Words for the audit log viewer: the module's entity types and actions ('request.dispatch'). */
export interface AuditLabels {
  entities?: Record<string, Msg>;
  /** Whole action names; an action not listed is shown as verb + entity, or as sent. */
  actions?: Record<string, Msg>;
}

export interface FeatureDefinition {
  id: string;
  routes?: RouteEntry[];
  menuGroups?: MenuGroup[];
  menu?: MenuEntry[];
  dashboardCards?: DashboardCard[];
  auditLabels?: AuditLabels;
}

export function allowed<T extends { permission?: string }>(items: T[], can: (p: string | undefined) => boolean): T[] {
  return items.filter((i) => can(i.permission));
}

export interface MenuTreeNode {
  key: string;
  label: Msg;
  icon?: ReactNode;
  path?: string;
  children?: MenuTreeNode[];
}

/** Builds the visible menu: entries the user may open, grouped; a group with no visible entry is hidden. */
export function buildMenuTree(features: FeatureDefinition[], can: (p: string | undefined) => boolean): MenuTreeNode[] {
  const groups = new Map<string, MenuGroup>();
  for (const f of features) for (const g of f.menuGroups ?? []) groups.set(g.key, g);
  const entries = allowed(features.flatMap((f) => f.menu ?? []), can).sort((a, b) => a.order - b.order);

  const top: { order: number; node: MenuTreeNode }[] = [];
  const byGroup = new Map<string, MenuTreeNode[]>();
  for (const e of entries) {
    const node: MenuTreeNode = { key: e.key, label: e.label, icon: e.icon, path: e.path };
    if (e.group && groups.has(e.group)) {
      const list = byGroup.get(e.group) ?? [];
      list.push(node);
      byGroup.set(e.group, list);
    } else {
      top.push({ order: e.order, node });
    }
  }
  for (const [key, children] of byGroup) {
    const g = groups.get(key)!;
    top.push({ order: g.order, node: { key: g.key, label: g.label, icon: g.icon, children } });
  }
  return top.sort((a, b) => a.order - b.order).map((t) => t.node);
}

/** The flat list of reachable pages in menu order (the phone tab bar and drawer use it). */
export function flattenMenu(tree: MenuTreeNode[]): MenuTreeNode[] {
  return tree.flatMap((n) => (n.children ? n.children : [n]));
}

/** Menu groups shared by several modules (defined in app/features.ts). */
export const MENU_GROUP_ADMIN = 'admin';
