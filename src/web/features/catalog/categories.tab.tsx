import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Drawer, Form, Input, Modal, Popconfirm, Row, Select, Skeleton, Space, Switch, Tag, Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { CheckCircleOutlined, EditOutlined, PlusOutlined, StopOutlined, UploadOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { errorMessage } from '../../shared/api';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { EmptyState, QueryError } from '../../shared/list/query-state';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { URGENCIES, useCategories, useCreateCategory, useUpdateCategory, type Category, type Urgency } from './catalog.api';
import { urgencyLabels } from './catalog-labels';
import { CategoryImportModal } from './category-import.modal';
import { ancestorsOf, buildCategoryTree, matchCategories, type CategoryNode } from './category-tree';
import { ExportButton } from './export-button';

const m = defineMessages({
  tree: { zh: '分类树', en: 'Category tree' },
  search: { zh: '按名称、路径或编码查找', en: 'Find by name, path or code' },
  showInactive: { zh: '显示已停用', en: 'Show inactive' },
  count: { zh: '共 {n} 个分类（启用 {active} 个）', en: '{n} categories ({active} active)' },
  pick: { zh: '请在左侧选择一个分类', en: 'Choose a category on the left' },
  details: { zh: '分类信息', en: 'Category' },
  name: { zh: '分类名称', en: 'Name' },
  nameSlash: { zh: '名称不能包含“/”', en: 'The name must not contain "/"' },
  code: { zh: '编码', en: 'Code' },
  level: { zh: '层级', en: 'Level' },
  levelN: { zh: '{n} 级', en: 'Level {n}' },
  path: { zh: '完整路径', en: 'Path' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '启用', en: 'Active' },
  inactive: { zh: '已停用', en: 'Inactive' },
  urgency: { zh: '默认紧急程度', en: 'Default urgency' },
  urgencyNone: { zh: '（未设置：沿用上级分类，无则为“一般”）', en: '(not set: the parent\'s, else normal)' },
  addChild: { zh: '新增下级分类', en: 'New child category' },
  addRoot: { zh: '新增一级分类', en: 'New top-level category' },
  rename: { zh: '重命名', en: 'Rename' },
  renameTitle: { zh: '重命名分类', en: 'Rename category' },
  parent: { zh: '上级分类', en: 'Parent' },
  none: { zh: '（无，作为一级分类）', en: '(none: top level)' },
  deactivate: { zh: '停用', en: 'Deactivate' },
  activate: { zh: '启用', en: 'Activate' },
  deactivateConfirm: { zh: '停用“{name}”及其全部下级分类？已有诉求保留原分类，新诉求不能再选。', en: 'Deactivate "{name}" and everything under it? Existing requests keep it; new ones cannot choose it.' },
  created: { zh: '分类“{name}”已创建', en: 'Category "{name}" created' },
  import: { zh: '导入', en: 'Import' },
  noMatch: { zh: '没有找到匹配的分类', en: 'No category matches' },
  maxLevel: { zh: '三级分类下不能再建下级', en: 'A third-level category cannot have children' },
});

type NameTarget = { mode: 'create'; parent: Category | null } | { mode: 'rename'; category: Category };

function NameModal({ target, onClose, onSaved }: { target: NameTarget | null; onClose: () => void; onSaved: (c: Category) => void }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const create = useCreateCategory();
  const update = useUpdateCategory();
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!target) return;
    setFormError(null);
    form.resetFields();
    form.setFieldsValue({ name: target.mode === 'rename' ? target.category.name : '' });
  }, [target, form]);

  const onFinish = ({ name }: { name: string }) => {
    if (!target) return;
    const onError = (e: unknown) => setFormError(applyServerErrors(form, e).formMessage);
    const clean = name.trim();
    if (target.mode === 'create') {
      create.mutate(
        { parentId: target.parent?.id ?? null, name: clean },
        {
          onSuccess: (c) => {
            message.success(t(m.created, { name: c.name }));
            onSaved(c);
          },
          onError,
        },
      );
    } else if (clean === target.category.name) {
      onClose();
    } else {
      update.mutate(
        { id: target.category.id, name: clean },
        {
          onSuccess: (c) => {
            message.success(t(common.saved));
            onSaved(c);
          },
          onError,
        },
      );
    }
  };

  const parentName = target?.mode === 'create' ? (target.parent?.path ?? t(m.none)) : null;
  return (
    <Modal
      open={!!target}
      title={target?.mode === 'rename' ? t(m.renameTitle) : target?.parent ? t(m.addChild) : t(m.addRoot)}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      forceRender
      okButtonProps={{ 'data-testid': 'category-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} name="category" layout="vertical" onFinish={onFinish}>
        {parentName !== null ? (
          <Form.Item label={t(m.parent)}>
            <Input value={parentName} disabled />
          </Form.Item>
        ) : null}
        <Form.Item
          name="name"
          label={t(m.name)}
          rules={[
            { required: true, whitespace: true, message: t(common.required, { label: t(m.name) }) },
            { max: 50 },
            { pattern: /^[^/]*$/, message: t(m.nameSlash) },
          ]}
        >
          <Input maxLength={50} data-testid="category-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function toTreeData(nodes: CategoryNode[], visible: Set<number> | null, showInactive: boolean, inactiveLabel: string): TreeDataNode[] {
  const out: TreeDataNode[] = [];
  for (const n of nodes) {
    if (visible && !visible.has(n.id)) continue;
    if (!showInactive && !n.active) continue;
    out.push({
      key: n.id,
      title: (
        <span className="zt-cat-node" data-testid={`category-node-${n.code}`}>
          <span className={n.active ? undefined : 'zt-cat-inactive'}>{n.name}</span>
          <span className="zt-cat-code">{n.code}</span>
          {!n.active ? <Tag>{inactiveLabel}</Tag> : null}
        </span>
      ),
      children: n.children.length ? toTreeData(n.children, visible, showInactive, inactiveLabel) : undefined,
    });
  }
  return out;
}

/** 诉求分类: the three-level tree, with add, rename, (de)activate, import and export. */
export default function CategoriesTab() {
  const { t } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const canWrite = can('catalog.write');
  const categories = useCategories();
  const update = useUpdateCategory();
  const [search, setSearch] = useSearchParams();
  const [filter, setFilter] = useState('');
  const [showInactive, setShowInactive] = useState(true);
  const [expanded, setExpanded] = useState<number[] | null>(null);
  const [nameTarget, setNameTarget] = useState<NameTarget | null>(null);
  const [importOpen, setImportOpen] = useState(false);

  const list = useMemo(() => categories.data?.items ?? [], [categories.data]);
  const tree = useMemo(() => buildCategoryTree(list), [list]);
  const byId = useMemo(() => new Map(list.map((c) => [c.id, c])), [list]);
  const matches = useMemo(() => matchCategories(list, filter), [list, filter]);
  const selectedId = Number(search.get('category')) || null;
  const selected = selectedId ? (byId.get(selectedId) ?? null) : null;

  const expandedKeys = matches ? [...matches] : (expanded ?? [...(selectedId ? ancestorsOf(list, selectedId) : [])]);

  const select = (id: number | null) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id) next.set('category', String(id));
        else next.delete('category');
        return next;
      },
      { replace: true },
    );

  const patch = (c: Category, body: { active?: boolean; defaultUrgency?: Urgency | null }) =>
    update.mutate({ id: c.id, ...body }, { onSuccess: () => message.success(t(common.saved)), onError: (e) => message.error(errorMessage(e)) });

  if (categories.isError && !categories.data) return <QueryError error={categories.error} onRetry={() => void categories.refetch()} />;

  const details = selected ? (
    <div data-testid="category-details">
      <Descriptions column={1} size="middle" bordered={!isPhone}>
        <Descriptions.Item label={t(m.name)}>{selected.name}</Descriptions.Item>
        <Descriptions.Item label={t(m.path)}>{selected.path.split('/').join(' / ')}</Descriptions.Item>
        <Descriptions.Item label={t(m.code)}>
          <code>{selected.code}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t(m.level)}>{t(m.levelN, { n: selected.level })}</Descriptions.Item>
        <Descriptions.Item label={t(m.status)}>{selected.active ? <Tag color="green">{t(m.active)}</Tag> : <Tag>{t(m.inactive)}</Tag>}</Descriptions.Item>
        <Descriptions.Item label={t(m.urgency)}>
          {canWrite ? (
            <Select<Urgency | 'none'>
              value={selected.defaultUrgency ?? 'none'}
              style={{ minWidth: 200 }}
              onChange={(v) => patch(selected, { defaultUrgency: v === 'none' ? null : v })}
              options={[{ value: 'none', label: t(m.urgencyNone) }, ...URGENCIES.map((u) => ({ value: u, label: t(urgencyLabels[u]) }))]}
            />
          ) : selected.defaultUrgency ? (
            t(urgencyLabels[selected.defaultUrgency])
          ) : (
            t(m.urgencyNone)
          )}
        </Descriptions.Item>
      </Descriptions>
      {canWrite ? (
        <Space wrap style={{ marginTop: 16 }}>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            disabled={selected.level >= 3 || !selected.active}
            title={selected.level >= 3 ? t(m.maxLevel) : undefined}
            onClick={() => setNameTarget({ mode: 'create', parent: selected })}
            data-testid="category-add-child"
          >
            {t(m.addChild)}
          </Button>
          <Button icon={<EditOutlined />} onClick={() => setNameTarget({ mode: 'rename', category: selected })} data-testid="category-rename">
            {t(m.rename)}
          </Button>
          {selected.active ? (
            <Popconfirm title={t(m.deactivateConfirm, { name: selected.name })} onConfirm={() => patch(selected, { active: false })} okText={t(common.ok)} cancelText={t(common.cancel)}>
              <Button danger icon={<StopOutlined />} data-testid="category-deactivate">
                {t(m.deactivate)}
              </Button>
            </Popconfirm>
          ) : (
            <Button icon={<CheckCircleOutlined />} onClick={() => patch(selected, { active: true })} data-testid="category-activate">
              {t(m.activate)}
            </Button>
          )}
        </Space>
      ) : null}
    </div>
  ) : null;

  const treeData = toTreeData(tree, matches, showInactive, t(m.inactive));
  const activeCount = list.filter((c) => c.active).length;
  const treePanel = (
    <Card
      title={t(m.tree)}
      extra={categories.data ? <span className="zt-muted">{t(m.count, { n: list.length, active: activeCount })}</span> : null}
      className="zt-cat-tree-card"
    >
      <div className="zt-cat-tree-tools">
        <Input.Search allowClear placeholder={t(m.search)} value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="category-search" />
        <label className="zt-cat-switch">
          <Switch size="small" checked={showInactive} onChange={setShowInactive} /> {t(m.showInactive)}
        </label>
      </div>
      {categories.isPending ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : list.length === 0 ? (
        <EmptyState />
      ) : treeData.length === 0 ? (
        <EmptyState description={t(m.noMatch)} />
      ) : (
        <Tree
          blockNode
          showLine
          treeData={treeData}
          expandedKeys={expandedKeys}
          onExpand={(keys) => setExpanded(keys.map(Number))}
          selectedKeys={selectedId ? [selectedId] : []}
          onSelect={(keys) => select(keys.length ? Number(keys[0]) : null)}
          height={isPhone ? undefined : 520}
          data-testid="category-tree"
        />
      )}
    </Card>
  );

  const toolbar = (
    <div className="zt-toolbar zt-cat-toolbar">
      <span className="zt-toolbar-spacer" />
      <Space wrap>
        {canWrite ? (
          <>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setNameTarget({ mode: 'create', parent: null })} data-testid="category-add-root">
              {t(m.addRoot)}
            </Button>
            <Button icon={<UploadOutlined />} onClick={() => setImportOpen(true)} data-testid="category-import-open">
              {t(m.import)}
            </Button>
          </>
        ) : null}
        <ExportButton path="/catalog/categories/export.xlsx" fileName="categories.xlsx" testId="categories-export" />
      </Space>
    </div>
  );

  const modals = (
    <>
      <NameModal
        target={nameTarget}
        onClose={() => setNameTarget(null)}
        onSaved={(c) => {
          setNameTarget(null);
          if (c.parentId) setExpanded((prev) => [...new Set([...(prev ?? expandedKeys), ...ancestorsOf([...list, c], c.id)])]);
          select(c.id);
        }}
      />
      <CategoryImportModal open={importOpen} onClose={() => setImportOpen(false)} />
    </>
  );

  if (isPhone) {
    return (
      <div data-testid="categories-tab">
        {toolbar}
        {treePanel}
        <Drawer placement="bottom" size="70%" open={!!selected} onClose={() => select(null)} title={selected?.name ?? t(m.details)}>
          {details}
        </Drawer>
        {modals}
      </div>
    );
  }

  return (
    <div data-testid="categories-tab">
      {toolbar}
      <Row gutter={16}>
        <Col xs={24} lg={11} xl={10}>
          {treePanel}
        </Col>
        <Col xs={24} lg={13} xl={14}>
          <Card title={t(m.details)}>{details ?? <EmptyState description={t(m.pick)} />}</Card>
        </Col>
      </Row>
      {modals}
    </div>
  );
}
