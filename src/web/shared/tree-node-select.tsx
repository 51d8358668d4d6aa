import { TreeSelect } from 'antd';

/** A node of a reference tree (units, categories) as the pickers need it. */
export interface PickerNode {
  id: number;
  name: string;
  active: boolean;
  children: PickerNode[];
}

interface Option {
  value: number;
  title: string;
  disabled?: boolean;
  children?: Option[];
}

/** Inactive nodes are shown greyed out (`disable`) or left out with their subtree (`hide`). */
export type InactiveMode = 'disable' | 'hide' | 'show';

export function toTreeOptions(nodes: PickerNode[], inactive: InactiveMode): Option[] {
  return nodes
    .filter((n) => inactive !== 'hide' || n.active)
    .map((n) => ({
      value: n.id,
      title: n.name,
      ...(inactive === 'disable' && !n.active ? { disabled: true } : {}),
      children: n.children.length ? toTreeOptions(n.children, inactive) : undefined,
    }));
}

export interface TreePickerProps<Empty extends null | undefined> {
  value?: number | null;
  onChange?: (v: number | Empty) => void;
  placeholder?: string;
  allowClear?: boolean;
  onlyActive?: boolean;
  style?: React.CSSProperties;
  id?: string;
  'data-testid'?: string;
}

/**
 * The one searchable tree picker behind UnitSelect and CategorySelect: any level can be chosen, the
 * name is what the search matches. `empty` is what a cleared picker reports (forms differ).
 */
export function TreeNodeSelect<Empty extends null | undefined>(props: TreePickerProps<Empty> & {
  treeData: Option[];
  loading: boolean;
  empty: Empty;
  placeholder: string;
  expandTopLevel?: boolean;
}) {
  return (
    <TreeSelect<number>
      id={props.id}
      data-testid={props['data-testid']}
      value={props.value ?? undefined}
      onChange={(v) => props.onChange?.(v ?? props.empty)}
      treeData={props.treeData}
      loading={props.loading}
      showSearch={{ treeNodeFilterProp: 'title' }}
      allowClear={props.allowClear}
      placeholder={props.placeholder}
      treeDefaultExpandedKeys={props.expandTopLevel ? props.treeData.map((o) => o.value) : undefined}
      style={props.style}
      popupMatchSelectWidth={false}
      listHeight={360}
    />
  );
}
