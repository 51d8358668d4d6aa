import { useEffect, useState } from 'react';
import { AutoComplete, Button, DatePicker, Form, Input, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { formatDateTimeSeconds } from '../../shared/format';
import { common, defineMessages, useT, type Lang } from '../../shared/i18n';
import { ResponsiveList } from '../../shared/list/responsive-list';
import { FilterBar } from '../../shared/list/filter-bar';
import { hasAnyFilter, useListParams } from '../../shared/list/use-list-params';
import { useIsPhone } from '../../shared/use-is-phone';
import { KNOWN_ENTITIES, actionLabel, entityLabel, fieldLabels, valueLabel } from './audit-labels';
import { useAudit, type AuditEvent } from './audit.api';

const m = defineMessages({
  at: { zh: '时间', en: 'Time' },
  actor: { zh: '操作人', en: 'Actor' },
  actorPlaceholder: { zh: '用户名或用户 ID', en: 'User name or id' },
  ip: { zh: 'IP 地址', en: 'IP address' },
  action: { zh: '操作', en: 'Action' },
  actionPlaceholder: { zh: '如 user.create', en: 'e.g. user.create' },
  entity: { zh: '对象类型', en: 'Entity' },
  entityId: { zh: '对象 ID', en: 'Entity id' },
  target: { zh: '操作对象', en: 'Target' },
  range: { zh: '时间范围', en: 'Time range' },
  from: { zh: '开始时间', en: 'From' },
  to: { zh: '结束时间', en: 'To' },
  today: { zh: '今天', en: 'Today' },
  last7: { zh: '近 7 天', en: 'Last 7 days' },
  last30: { zh: '近 30 天', en: 'Last 30 days' },
  details: { zh: '变更内容', en: 'Changes' },
  field: { zh: '字段', en: 'Field' },
  before: { zh: '修改前', en: 'Before' },
  after: { zh: '修改后', en: 'After' },
  noDiff: { zh: '无字段变更', en: 'No field changes' },
  system: { zh: '系统', en: 'System' },
  retention: { zh: '审计日志只读、不可修改，按规定至少保存 6 个月。', en: 'The audit log is read-only and kept for at least 6 months.' },
});

const FILTERS = ['actor', 'entity', 'entityId', 'action', 'from', 'to'] as const;

interface FilterValues {
  actor?: string;
  entity?: string;
  entityId?: string;
  action?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  from?: Dayjs | null;
  to?: Dayjs | null;
}

function showLang(field: string, v: unknown, lang: Lang): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return lang === 'zh' ? (v ? '是' : '否') : v ? 'yes' : 'no';
  if (typeof v === 'string') return valueLabel(field, v, lang);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x: string) => valueLabel(field, x, lang)).join(lang === 'zh' ? '、' : ', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The field-by-field change of one audit row. */
export function DiffView({ diff }: { diff: Record<string, unknown> | null }) {
  const { t, lang } = useT();
  if (!diff || !Object.keys(diff).length) return <Typography.Text type="secondary">{t(m.noDiff)}</Typography.Text>;
  const rows = Object.entries(diff);
  return (
    <table className="zt-diff-table" data-testid="audit-diff">
      <thead>
        <tr>
          <th style={{ width: '24%' }}>{t(m.field)}</th>
          <th>{t(m.before)}</th>
          <th>{t(m.after)}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([field, value]) => {
          const label = fieldLabels[field] ? `${t(fieldLabels[field])}` : field;
          if (Array.isArray(value) && value.length === 2) {
            return (
              <tr key={field}>
                <td title={field}>{label}</td>
                <td className="zt-diff-old">{showLang(field, value[0], lang)}</td>
                <td className="zt-diff-new">{showLang(field, value[1], lang)}</td>
              </tr>
            );
          }
          return (
            <tr key={field}>
              <td title={field}>{label}</td>
              <td colSpan={2}>{showLang(field, value, lang)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export default function AuditPage() {
  const { t, lang } = useT();
  const isPhone = useIsPhone();
  const list = useListParams(FILTERS, '-at');
  const f = list.filters;
  const [form] = Form.useForm<FilterValues>();
  const audit = useAudit({ page: list.page, pageSize: list.pageSize, sort: list.sort, ...f });
  const [filtersOpen, setFiltersOpen] = useState(false);

  // The form mirrors the URL (back button, shared links).
  useEffect(() => {
    const from = f.from ? dayjs(f.from) : null;
    const to = f.to ? dayjs(f.to) : null;
    form.setFieldsValue({ actor: f.actor, entity: f.entity, entityId: f.entityId, action: f.action, range: from || to ? [from, to] : null, from, to });
  }, [f.actor, f.entity, f.entityId, f.action, f.from, f.to, form]);

  const apply = (v: FilterValues) => {
    const from = isPhone ? v.from : v.range?.[0];
    const to = isPhone ? v.to : v.range?.[1];
    list.setFilters({
      actor: v.actor?.trim() || undefined,
      entity: v.entity?.trim() || undefined,
      entityId: v.entityId?.trim() || undefined,
      action: v.action?.trim() || undefined,
      from: from ? from.toISOString() : undefined,
      to: to ? to.toISOString() : undefined,
    });
    setFiltersOpen(false);
  };

  const actor = (e: AuditEvent) => (e.actorId == null && !e.actorName ? t(m.system) : e.actorName);
  const target = (e: AuditEvent) => (
    <span>
      {entityLabel(e.entity, lang)}
      {e.entityId ? <Typography.Text type="secondary"> #{e.entityId}</Typography.Text> : null}
    </span>
  );

  const columns: TableColumnsType<AuditEvent> = [
    { key: 'at', dataIndex: 'at', title: t(m.at), sorter: true, width: 180, render: (v: string) => formatDateTimeSeconds(v) },
    { key: 'actor', title: t(m.actor), render: (_, e) => actor(e) },
    { key: 'action', dataIndex: 'action', title: t(m.action), render: (v: string) => <span title={v}>{actionLabel(v, lang)}</span> },
    { key: 'target', title: t(m.target), render: (_, e) => target(e) },
    { key: 'ip', dataIndex: 'ip', title: t(m.ip), render: (v: string | null) => v ?? '—' },
  ];

  const presets = [
    { label: t(m.today), value: [dayjs().startOf('day'), dayjs().endOf('day')] as [Dayjs, Dayjs] },
    { label: t(m.last7), value: [dayjs().subtract(6, 'day').startOf('day'), dayjs().endOf('day')] as [Dayjs, Dayjs] },
    { label: t(m.last30), value: [dayjs().subtract(29, 'day').startOf('day'), dayjs().endOf('day')] as [Dayjs, Dayjs] },
  ];

  return (
    <div className="zt-panel">
      <FilterBar activeCount={Object.values(f).filter(Boolean).length} open={filtersOpen} onOpenChange={setFiltersOpen} hideDone>
        <Form<FilterValues> form={form} name="audit" layout={isPhone ? 'vertical' : 'inline'} onFinish={apply} data-testid="audit-filters" style={{ rowGap: 12 }}>
          <Form.Item name="actor" label={isPhone ? t(m.actor) : undefined}>
            <Input allowClear placeholder={isPhone ? t(m.actorPlaceholder) : `${t(m.actor)}：${t(m.actorPlaceholder)}`} style={{ width: isPhone ? '100%' : 200 }} data-testid="audit-actor" />
          </Form.Item>
          <Form.Item name="entity" label={isPhone ? t(m.entity) : undefined}>
            <AutoComplete
              allowClear
              placeholder={t(m.entity)}
              options={KNOWN_ENTITIES.map((e) => ({ value: e, label: `${entityLabel(e, lang)}（${e}）` }))}
              style={{ width: isPhone ? '100%' : 170 }}
              data-testid="audit-entity"
            />
          </Form.Item>
          <Form.Item name="entityId" label={isPhone ? t(m.entityId) : undefined}>
            <Input allowClear placeholder={t(m.entityId)} style={{ width: isPhone ? '100%' : 110 }} data-testid="audit-entity-id" />
          </Form.Item>
          <Form.Item name="action" label={isPhone ? t(m.action) : undefined}>
            <Input allowClear placeholder={isPhone ? t(m.actionPlaceholder) : `${t(m.action)}：${t(m.actionPlaceholder)}`} style={{ width: isPhone ? '100%' : 190 }} />
          </Form.Item>
          {isPhone ? (
            <>
              <Form.Item name="from" label={t(m.from)}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} inputReadOnly />
              </Form.Item>
              <Form.Item name="to" label={t(m.to)}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} inputReadOnly />
              </Form.Item>
            </>
          ) : (
            <Form.Item name="range">
              <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} presets={presets} placeholder={[t(m.from), t(m.to)]} />
            </Form.Item>
          )}
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">
                {t(common.search)}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  list.clearFilters();
                  setFiltersOpen(false);
                }}
              >
                {t(common.reset)}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </FilterBar>
      <ResponsiveList<AuditEvent>
        testId="audit"
        query={audit}
        columns={columns}
        rowKey={(e) => e.id}
        page={list.page}
        pageSize={list.pageSize}
        sort={list.sort}
        onPageChange={list.setPage}
        onSortChange={list.setSort}
        sortOptions={[{ field: 'at', label: m.at }]}
        filtered={hasAnyFilter(f)}
        expandable={{ expandedRowRender: (e) => <DiffView diff={e.diff} />, rowExpandable: (e) => !!e.diff && Object.keys(e.diff).length > 0 }}
        renderCard={(e) => (
          <div data-testid="audit-card">
            <div className="zt-card-head">
              <div className="zt-card-title">{actionLabel(e.action, lang)}</div>
              <Tag>{entityLabel(e.entity, lang)}</Tag>
            </div>
            <div className="zt-card-meta">
              <div>
                {t(m.at)}：{formatDateTimeSeconds(e.at)}
              </div>
              <div>
                {t(m.actor)}：{actor(e)}
                {e.ip ? `（${e.ip}）` : ''}
              </div>
              <div>
                {t(m.target)}：{target(e)}
              </div>
            </div>
            {e.diff && Object.keys(e.diff).length ? (
              <details style={{ marginTop: 8 }}>
                <summary style={{ cursor: 'pointer', minHeight: 32 }}>{t(m.details)}</summary>
                <DiffView diff={e.diff} />
              </details>
            ) : null}
          </div>
        )}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
        {t(m.retention)}
      </Typography.Paragraph>
    </div>
  );
}
