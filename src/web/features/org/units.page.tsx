import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Drawer, Input, Popconfirm, Row, Skeleton, Space, Tag, Tree } from 'antd';
import type { GetRef, TreeDataNode } from 'antd';
import { ApartmentOutlined, EditOutlined, PlusOutlined, StopOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { errorMessage } from '../../shared/api';
import { common, defineMessages, useT } from '../../shared/i18n';
import { EmptyState, QueryError } from '../../shared/list/query-state';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { ancestorIds, buildUnitTree, matchUnits, type UnitNode } from './unit-tree';
import { UnitFormModal, unitFormMessages, type UnitFormTarget } from './unit-form.modal';
import { unitKindLabels, useUnits, useUpdateUnit, type Unit } from './units.api';

const m = defineMessages({
  tree: { zh: '机构树', en: 'Organisation tree' },
  search: { zh: '按名称或编码查找', en: 'Find by name or code' },
  count: { zh: '共 {n} 个单位', en: '{n} units' },
  pick: { zh: '请在左侧选择一个单位查看详情', en: 'Choose a unit on the left to see its details' },
  details: { zh: '单位信息', en: 'Unit details' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '启用', en: 'Active' },
  inactive: { zh: '已停用', en: 'Inactive' },
  children: { zh: '下级单位', en: 'Child units' },
  childrenCount: { zh: '{n} 个', en: '{n}' },
  deactivate: { zh: '停用', en: 'Deactivate' },
  activate: { zh: '启用', en: 'Activate' },
  deactivateConfirm: { zh: '停用后该单位不能再接收派单，已有数据保留。确定停用“{name}”吗？', en: 'A deactivated unit receives no new work; its data stays. Deactivate "{name}"?' },
  activated: { zh: '已启用', en: 'Activated' },
  deactivated: { zh: '已停用', en: 'Deactivated' },
  noMatch: { zh: '没有找到匹配的单位', en: 'No unit matches' },
  addRoot: { zh: '新增顶级单位', en: 'New top-level unit' },
});

function toTreeData(nodes: UnitNode[], visible: Set<number> | null, t: ReturnType<typeof useT>['t']): TreeDataNode[] {
  const out: TreeDataNode[] = [];
  for (const n of nodes) {
    if (visible && !visible.has(n.id)) continue;
    out.push({
      key: n.id,
      title: (
        <span className="zt-unit-node" data-testid={`unit-node-${n.code}`}>
          <span className={n.active ? undefined : 'zt-unit-inactive'}>{n.name}</span>
          {!n.active ? <Tag>{t(m.inactive)}</Tag> : null}
        </span>
      ),
      children: n.children.length ? toTreeData(n.children, visible, t) : undefined,
    });
  }
  return out;
}

export default function UnitsPage() {
  const { t } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const canWrite = can('units.write');
  const units = useUnits();
  const update = useUpdateUnit();
  const [search, setSearch] = useSearchParams();
  const [filter, setFilter] = useState('');
  const [expanded, setExpanded] = useState<number[] | null>(null);
  const [formTarget, setFormTarget] = useState<UnitFormTarget | null>(null);
  const treeRef = useRef<GetRef<typeof Tree>>(null);

  const list = units.data?.items ?? [];
  const tree = useMemo(() => buildUnitTree(list), [list]);
  const byId = useMemo(() => new Map(list.map((u) => [u.id, u])), [list]);
  const matches = useMemo(() => (filter.trim() ? matchUnits(list, filter) : null), [list, filter]);
  const selectedId = Number(search.get('unit')) || null;
  const selected = selectedId ? (byId.get(selectedId) ?? null) : null;

  // Expanded: what the user opened, else the top two levels; a search opens every match's path.
  const defaultExpanded = useMemo(() => tree.flatMap((r) => [r.id, ...r.children.filter((c) => c.children.length).map((c) => c.id)]), [tree]);
  const expandedKeys = matches ? [...matches] : (expanded ?? [...defaultExpanded, ...(selectedId ? ancestorIds(list, selectedId) : [])]);

  // Bring the selected unit into view (the tree is virtual: rows out of view do not exist).
  useEffect(() => {
    if (selectedId && units.data) requestAnimationFrame(() => treeRef.current?.scrollTo({ key: selectedId, align: 'auto' }));
  }, [selectedId, units.data]);

  const select = (id: number | null) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id) next.set('unit', String(id));
        else next.delete('unit');
        return next;
      },
      { replace: true },
    );

  const toggleActive = (u: Unit) =>
    update.mutate(
      { id: u.id, active: !u.active },
      {
        onSuccess: () => message.success(t(u.active ? m.deactivated : m.activated)),
        onError: (e) => message.error(errorMessage(e)),
      },
    );

  if (units.isError && !units.data) return <QueryError error={units.error} onRetry={() => void units.refetch()} />;

  const childCount = selected ? list.filter((u) => u.parentId === selected.id).length : 0;
  const details = selected ? (
    <div data-testid="unit-details">
      <Descriptions column={1} size="middle" bordered={!isPhone}>
        <Descriptions.Item label={t(unitFormMessages.name)}>{selected.name}</Descriptions.Item>
        <Descriptions.Item label={t(unitFormMessages.code)}>{selected.code}</Descriptions.Item>
        <Descriptions.Item label={t(unitFormMessages.kind)}>{t(unitKindLabels[selected.kind] ?? { zh: selected.kind, en: selected.kind })}</Descriptions.Item>
        <Descriptions.Item label={t(unitFormMessages.parent)}>{selected.parentId ? (byId.get(selected.parentId)?.name ?? '—') : '—'}</Descriptions.Item>
        <Descriptions.Item label={t(m.children)}>{t(m.childrenCount, { n: childCount })}</Descriptions.Item>
        <Descriptions.Item label={t(unitFormMessages.sortOrder)}>{selected.sortOrder}</Descriptions.Item>
        <Descriptions.Item label={t(m.status)}>{selected.active ? <Tag color="green">{t(m.active)}</Tag> : <Tag>{t(m.inactive)}</Tag>}</Descriptions.Item>
      </Descriptions>
      {canWrite ? (
        <Space wrap style={{ marginTop: 16 }}>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setFormTarget({ mode: 'create', parent: selected })} data-testid="unit-add-child">
            {t(unitFormMessages.createTitle)}
          </Button>
          <Button icon={<EditOutlined />} onClick={() => setFormTarget({ mode: 'edit', unit: selected })} data-testid="unit-edit">
            {t(common.edit)}
          </Button>
          {selected.active ? (
            <Popconfirm title={t(m.deactivateConfirm, { name: selected.name })} onConfirm={() => toggleActive(selected)} okText={t(common.ok)} cancelText={t(common.cancel)}>
              <Button danger icon={<StopOutlined />}>
                {t(m.deactivate)}
              </Button>
            </Popconfirm>
          ) : (
            <Button icon={<CheckCircleOutlined />} onClick={() => toggleActive(selected)}>
              {t(m.activate)}
            </Button>
          )}
        </Space>
      ) : null}
    </div>
  ) : null;

  const treeData = toTreeData(tree, matches, t);
  const treePanel = (
    <Card
      title={
        <Space>
          <ApartmentOutlined />
          {t(m.tree)}
        </Space>
      }
      extra={units.data ? <span style={{ color: '#6b7280', fontSize: 13 }}>{t(m.count, { n: units.data.total ?? list.length })}</span> : null}
    >
      <Input.Search allowClear placeholder={t(m.search)} value={filter} onChange={(e) => setFilter(e.target.value)} style={{ marginBottom: 12 }} data-testid="unit-search" />
      {units.isPending ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : list.length === 0 ? (
        <EmptyState />
      ) : treeData.length === 0 ? (
        <EmptyState description={t(m.noMatch)} />
      ) : (
        <Tree
          ref={treeRef}
          blockNode
          showLine
          treeData={treeData}
          expandedKeys={expandedKeys}
          onExpand={(keys) => setExpanded(keys.map(Number))}
          selectedKeys={selectedId ? [selectedId] : []}
          onSelect={(keys) => select(keys.length ? Number(keys[0]) : null)}
          data-testid="unit-tree"
          // Virtual scrolling keeps a city's few hundred units smooth; the phone scrolls the page.
          height={isPhone ? undefined : 560}
        />
      )}
      {canWrite && !units.isPending && list.length === 0 ? (
        <Button type="dashed" block icon={<PlusOutlined />} onClick={() => setFormTarget({ mode: 'create', parent: null })}>
          {t(m.addRoot)}
        </Button>
      ) : null}
    </Card>
  );

  const modal = (
    <UnitFormModal
      target={formTarget}
      onClose={() => setFormTarget(null)}
      onSaved={(u) => {
        setFormTarget(null);
        // Show the saved unit even if a search was hiding it.
        setFilter('');
        if (u.parentId) setExpanded((prev) => [...new Set([...(prev ?? expandedKeys), ...ancestorIds([...list, u], u.id)])]);
        select(u.id);
      }}
    />
  );

  if (isPhone) {
    return (
      <>
        {treePanel}
        <Drawer placement="bottom" size="70%" open={!!selected} onClose={() => select(null)} title={selected?.name ?? t(m.details)} data-testid="unit-drawer">
          {details}
        </Drawer>
        {modal}
      </>
    );
  }

  return (
    <>
      <Row gutter={16}>
        <Col xs={24} lg={10} xl={9}>
          {treePanel}
        </Col>
        <Col xs={24} lg={14} xl={15}>
          <Card title={t(m.details)} style={{ position: 'sticky', top: 76 }}>
            {details ?? <EmptyState description={t(m.pick)} />}
          </Card>
        </Col>
      </Row>
      {modal}
    </>
  );
}
