import { useState } from 'react';
import { App, Button, Card, Descriptions, Form, Popconfirm, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CalculatorOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../../shared/api';
import { common, defineMessages, useT } from '../../shared/i18n';
import { ResponsiveList } from '../../shared/list/responsive-list';
import { hasAnyFilter, useListParams } from '../../shared/list/use-list-params';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { UnitSelect } from '../org/unit-select';
import { resolveDispatch, useDeleteDispatchRule, useDispatchRules, type DispatchResolution, type DispatchRule } from './catalog.api';
import { CategorySelect, DistrictSelect } from './catalog-pickers';
import { DispatchRuleModal, ruleMessages } from './dispatch-rule.modal';
import { ExportButton } from './export-button';

const m = defineMessages({
  intro: {
    zh: '派单目录按“诉求分类 × 所属区县”确定主办和协办单位：分类越具体越优先，同一分类下指定区县的规则优先于“全部区县”；都不匹配时由属地区政府兜底。',
    en: 'The catalogue maps category × district to the lead and co-units: the most specific category wins, and a rule for the district beats one for any district; with no match the district government takes it.',
  },
  create: { zh: '新增规则', en: 'New rule' },
  deleteConfirm: { zh: '删除这条派单规则？之后的派单将按其他规则或属地兜底。', en: 'Delete this rule? Later dispatches follow the other rules or the district fallback.' },
  delete: { zh: '删除', en: 'Delete' },
  deleted: { zh: '已删除', en: 'Deleted' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '启用', en: 'Active' },
  inactive: { zh: '已停用', en: 'Inactive' },
  none: { zh: '无', en: 'None' },
  filterCategory: { zh: '按分类筛选', en: 'Filter by category' },
  filterDistrict: { zh: '按区县筛选', en: 'Filter by district' },
  filterLead: { zh: '按主办单位筛选', en: 'Filter by lead unit' },
  preview: { zh: '派单试算', en: 'Try a dispatch' },
  previewHint: { zh: '选择分类和区县，查看诉求会派给哪些单位（与受理派单使用同一套规则）。', en: 'Pick a category and a district to see where a request would go (the same rules dispatch uses).' },
  run: { zh: '试算', en: 'Try' },
  result: { zh: '试算结果', en: 'Result' },
  rule: { zh: '命中规则', en: 'Matched rule' },
  ruleN: { zh: '第 {id} 号规则', en: 'Rule #{id}' },
  fallback: { zh: '未命中任何规则，由属地区政府兜底办理', en: 'No rule matched: the district government takes it' },
  id: { zh: '编号', en: 'No.' },
  sortCategory: { zh: '分类', en: 'Category' },
  sortId: { zh: '编号', en: 'Number' },
});

const FILTERS = ['ruleCategory', 'ruleDistrict', 'ruleLead'] as const;

function Preview() {
  const { t } = useT();
  const [form] = Form.useForm<{ categoryId: number | null; districtId: number | null }>();
  const run = useMutation({ mutationFn: resolveDispatch });
  const [result, setResult] = useState<DispatchResolution | null>(null);
  const isPhone = useIsPhone();
  return (
    <Card title={t(m.preview)} size="small" className="zt-cat-preview" data-testid="dispatch-preview">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t(m.previewHint)}
      </Typography.Paragraph>
      <Form
        form={form}
        name="preview"
        layout={isPhone ? 'vertical' : 'inline'}
        className="zt-toolbar"
        onFinish={(v) => {
          setResult(null);
          run.mutate({ categoryId: v.categoryId ?? undefined, districtId: v.districtId ?? undefined }, { onSuccess: setResult });
        }}
      >
        <Form.Item name="categoryId" label={isPhone ? t(ruleMessages.category) : undefined}>
          <CategorySelect allowClear onlyActive placeholder={t(ruleMessages.categoryAny)} style={{ width: isPhone ? '100%' : 260 }} data-testid="preview-category" />
        </Form.Item>
        <Form.Item name="districtId" label={isPhone ? t(ruleMessages.district) : undefined}>
          <DistrictSelect allowClear placeholder={t(ruleMessages.district)} style={{ width: isPhone ? '100%' : 180 }} data-testid="preview-district" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<CalculatorOutlined />} loading={run.isPending} data-testid="preview-run">
            {t(m.run)}
          </Button>
        </Form.Item>
      </Form>
      {run.isError ? (
        <Typography.Text type="danger" data-testid="preview-error">
          {errorMessage(run.error)}
        </Typography.Text>
      ) : null}
      {result ? (
        <Descriptions size="small" column={1} bordered style={{ marginTop: 12 }} data-testid="preview-result">
          <Descriptions.Item label={t(ruleMessages.lead)}>
            <strong>{result.lead.name}</strong>
          </Descriptions.Item>
          <Descriptions.Item label={t(ruleMessages.coUnits)}>{result.coUnits.length ? result.coUnits.map((u) => u.name).join('、') : t(m.none)}</Descriptions.Item>
          <Descriptions.Item label={t(m.rule)}>{result.fallback ? <Tag color="orange">{t(m.fallback)}</Tag> : t(m.ruleN, { id: result.ruleId ?? '' })}</Descriptions.Item>
        </Descriptions>
      ) : null}
    </Card>
  );
}

/** 派单目录: category × district → lead unit + co-units, with a preview of the matching. */
export default function DispatchTab() {
  const { t } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const canWrite = can('catalog.write');
  const list = useListParams(FILTERS, 'category');
  const f = list.filters;
  const rules = useDispatchRules({
    page: list.page,
    pageSize: list.pageSize,
    sort: list.sort,
    categoryId: f.ruleCategory ? Number(f.ruleCategory) : undefined,
    districtId: f.ruleDistrict ? Number(f.ruleDistrict) : undefined,
    leadUnitId: f.ruleLead ? Number(f.ruleLead) : undefined,
  });
  const remove = useDeleteDispatchRule();
  const [target, setTarget] = useState<{ rule: DispatchRule | null } | null>(null);
  const rm = ruleMessages;

  const category = (r: DispatchRule) => (r.categoryPath ? r.categoryPath.split('/').join(' / ') : <Typography.Text type="secondary">{t(rm.categoryAny)}</Typography.Text>);
  const district = (r: DispatchRule) => r.districtName ?? <Typography.Text type="secondary">{t(rm.districtAny)}</Typography.Text>;
  const coUnits = (r: DispatchRule) => (
    <Space size={4} wrap>
      {r.coUnits.map((u) => (
        <Tag key={u.id}>{u.name}</Tag>
      ))}
      {r.districtCoUnit ? <Tag color="blue">{t(rm.districtCoUnit)}</Tag> : null}
      {!r.coUnits.length && !r.districtCoUnit ? <Typography.Text type="secondary">{t(m.none)}</Typography.Text> : null}
    </Space>
  );
  const status = (r: DispatchRule) => (r.active ? <Tag color="green">{t(m.active)}</Tag> : <Tag>{t(m.inactive)}</Tag>);
  const actions = (r: DispatchRule) =>
    canWrite ? (
      <Space size={4}>
        <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setTarget({ rule: r })}>
          {t(common.edit)}
        </Button>
        <Popconfirm
          title={t(m.deleteConfirm)}
          okText={t(common.ok)}
          cancelText={t(common.cancel)}
          onConfirm={() => remove.mutate(r.id, { onSuccess: () => message.success(t(m.deleted)), onError: (e) => message.error(errorMessage(e)) })}
        >
          <Button size="small" type="link" danger icon={<DeleteOutlined />}>
            {t(m.delete)}
          </Button>
        </Popconfirm>
      </Space>
    ) : null;

  const columns: TableColumnsType<DispatchRule> = [
    { key: 'id', dataIndex: 'id', title: <span className="zt-nowrap">{t(m.id)}</span>, width: 90, sorter: true },
    { key: 'category', title: t(rm.category), sorter: true, render: (_, r) => category(r) },
    { key: 'district', title: t(rm.district), render: (_, r) => district(r) },
    { key: 'lead', dataIndex: 'leadUnitName', title: t(rm.lead), render: (v: string) => <strong>{v}</strong> },
    { key: 'co', title: t(rm.coUnits), render: (_, r) => coUnits(r) },
    { key: 'note', dataIndex: 'note', title: t(rm.note), render: (v: string | null) => v ?? '' },
    { key: 'status', title: t(m.status), render: (_, r) => status(r), width: 80 },
    ...(canWrite ? [{ key: 'actions', title: t(common.actions), render: (_: unknown, r: DispatchRule) => actions(r) }] : []),
  ];

  return (
    <div data-testid="dispatch-tab">
      <Typography.Paragraph type="secondary">{t(m.intro)}</Typography.Paragraph>
      <Preview />
      <div className="zt-toolbar zt-cat-toolbar" style={{ marginTop: 16 }}>
        <CategorySelect
          allowClear
          value={f.ruleCategory ? Number(f.ruleCategory) : null}
          onChange={(v) => list.setFilters({ ruleCategory: v ? String(v) : undefined })}
          placeholder={t(m.filterCategory)}
          style={{ width: isPhone ? '100%' : 220 }}
        />
        <DistrictSelect
          allowClear
          value={f.ruleDistrict ? Number(f.ruleDistrict) : null}
          onChange={(v) => list.setFilters({ ruleDistrict: v ? String(v) : undefined })}
          placeholder={t(m.filterDistrict)}
          style={{ width: isPhone ? '100%' : 160 }}
        />
        <UnitSelect
          allowClear
          value={f.ruleLead ? Number(f.ruleLead) : null}
          onChange={(v) => list.setFilters({ ruleLead: v ? String(v) : undefined })}
          placeholder={t(m.filterLead)}
          style={{ width: isPhone ? '100%' : 200 }}
        />
        <span className="zt-toolbar-spacer" />
        <Space wrap>
          {canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ rule: null })} data-testid="rule-create">
              {t(m.create)}
            </Button>
          ) : null}
          <ExportButton path="/catalog/dispatch-rules/export.xlsx" fileName="dispatch-rules.xlsx" testId="rules-export" />
        </Space>
      </div>
      <ResponsiveList<DispatchRule>
        testId="rules"
        query={rules}
        columns={columns}
        rowKey={(r) => r.id}
        page={list.page}
        pageSize={list.pageSize}
        sort={list.sort}
        onPageChange={list.setPage}
        onSortChange={list.setSort}
        sortOptions={[
          { field: 'category', label: m.sortCategory },
          { field: 'id', label: m.sortId },
        ]}
        filtered={hasAnyFilter(f)}
        renderCard={(r) => (
          <>
            <div className="zt-card-head">
              <div className="zt-card-title">{category(r)}</div>
              {status(r)}
            </div>
            <div className="zt-card-meta">
              <div>
                {t(rm.district)}：{district(r)}
              </div>
              <div>
                {t(rm.lead)}：<strong>{r.leadUnitName}</strong>
              </div>
              <div>
                {t(rm.coUnits)}：{coUnits(r)}
              </div>
              {r.note ? (
                <div>
                  {t(rm.note)}：{r.note}
                </div>
              ) : null}
            </div>
            {canWrite ? <div className="zt-card-actions">{actions(r)}</div> : null}
          </>
        )}
      />
      <DispatchRuleModal target={target} onClose={() => setTarget(null)} />
    </div>
  );
}
