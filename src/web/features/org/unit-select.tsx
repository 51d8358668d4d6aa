import { useMemo } from 'react';
import { defineMessages, useT } from '../../shared/i18n';
import { TreeNodeSelect, toTreeOptions, type TreePickerProps } from '../../shared/tree-node-select';
import { buildUnitTree } from './unit-tree';
import { useUnits } from './units.api';

const m = defineMessages({
  placeholder: { zh: '选择单位', en: 'Choose a unit' },
});

/** A unit picker over the tree the caller can see; searchable by name; inactive units greyed out when `onlyActive`. */
export function UnitSelect(props: TreePickerProps<undefined>) {
  const { t } = useT();
  const units = useUnits();
  const treeData = useMemo(() => toTreeOptions(buildUnitTree(units.data?.items ?? []), props.onlyActive ? 'disable' : 'show'), [units.data, props.onlyActive]);
  return <TreeNodeSelect {...props} treeData={treeData} loading={units.isPending} empty={undefined} placeholder={props.placeholder ?? t(m.placeholder)} expandTopLevel />;
}
