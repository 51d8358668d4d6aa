import { useMemo } from 'react';
import { Select } from 'antd';
import { defineMessages, useT } from '../../shared/i18n';
import { useUnits } from '../org/units.api';
import { useCategories } from './catalog.api';
import { TreeNodeSelect, toTreeOptions, type TreePickerProps } from '../../shared/tree-node-select';
import { buildCategoryTree } from './category-tree';

const m = defineMessages({
  category: { zh: '选择分类', en: 'Choose a category' },
  district: { zh: '选择区县', en: 'Choose a district' },
});

/** A category picker over the tree, searchable by name; any level can be chosen; inactive ones left out when `onlyActive`. */
export function CategorySelect(props: TreePickerProps<null>) {
  const { t } = useT();
  const categories = useCategories();
  const treeData = useMemo(() => toTreeOptions(buildCategoryTree(categories.data?.items ?? []), props.onlyActive ? 'hide' : 'show'), [categories.data, props.onlyActive]);
  return <TreeNodeSelect {...props} treeData={treeData} loading={categories.isPending} empty={null} placeholder={props.placeholder ?? t(m.category)} />;
}

/** The district governments (区县), the second axis of the dispatch catalogue. */
export function useDistricts() {
  const units = useUnits();
  const items = useMemo(() => (units.data?.items ?? []).filter((u) => u.kind === 'district'), [units.data]);
  return { ...units, districts: items };
}

export function DistrictSelect(props: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
  'data-testid'?: string;
}) {
  const { t } = useT();
  const { districts, isPending } = useDistricts();
  return (
    <Select<number>
      id={props.id}
      data-testid={props['data-testid']}
      value={props.value ?? undefined}
      onChange={(v) => props.onChange?.(v ?? null)}
      loading={isPending}
      allowClear={props.allowClear}
      showSearch={{ optionFilterProp: 'label' }}
      placeholder={props.placeholder ?? t(m.district)}
      style={props.style}
      options={districts.map((d) => ({ value: d.id, label: d.name, disabled: !d.active }))}
    />
  );
}
