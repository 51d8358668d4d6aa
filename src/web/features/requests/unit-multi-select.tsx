import { useMemo } from 'react';
import { TreeSelect } from 'antd';
import { defineMessages, useT } from '../../shared/i18n';
import { buildUnitTree, type UnitNode } from '../org/unit-tree';
import { useUnits } from '../org/units.api';

const m = defineMessages({
  placeholder: { zh: '选择一个或多个单位', en: 'Choose one or more units' },
});

interface Option {
  value: number;
  title: string;
  disabled?: boolean;
  children?: Option[];
}

function toOptions(nodes: UnitNode[]): Option[] {
  return nodes.map((n) => ({ value: n.id, title: n.name, disabled: !n.active, children: n.children.length ? toOptions(n.children) : undefined }));
}

/** Several units from the tree (协办单位), searchable by name. */
export function UnitMultiSelect(props: { value?: number[]; onChange?: (v: number[]) => void; id?: string; placeholder?: string; 'data-testid'?: string }) {
  const { t } = useT();
  const units = useUnits();
  const treeData = useMemo(() => toOptions(buildUnitTree(units.data?.items ?? [])), [units.data]);
  return (
    <TreeSelect<number[]>
      id={props.id}
      data-testid={props['data-testid']}
      multiple
      value={props.value ?? []}
      onChange={(v) => props.onChange?.(v ?? [])}
      treeData={treeData}
      loading={units.isPending}
      showSearch={{ treeNodeFilterProp: 'title' }}
      allowClear
      placeholder={props.placeholder ?? t(m.placeholder)}
      treeDefaultExpandedKeys={treeData.map((o) => o.value)}
      popupMatchSelectWidth={false}
      listHeight={320}
      style={{ width: '100%' }}
    />
  );
}
