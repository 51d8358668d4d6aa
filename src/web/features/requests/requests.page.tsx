import { useEffect, useMemo, useState } from 'react';
import { App, Button, Cascader, DatePicker, Form, Input, Select, Space } from 'antd';
import { DownloadOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../shared/api';
import { common, defineMessages, useT } from '../../shared/i18n';
import { FilterBar } from '../../shared/list/filter-bar';
import { hasAnyFilter, useListParams } from '../../shared/list/use-list-params';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { UnitSelect } from '../org/unit-select';
import { statusLabels, typeLabel } from './request-labels';
import { RequestList } from './request-list';
import { buildCategoryOptions, categoryPathIds } from './request-rules';
import {
  REQUEST_STATUSES,
  downloadRequestsXlsx,
  useCategories,
  useChannels,
  useRequestTypes,
  useRequests,
  useUnitsWhere,
  type RequestListQuery,
} from './requests.api';
import './requests.css';

const m = defineMessages({
  q: { zh: '编号、标题、内容或地址', en: 'Number, title, content or address' },
  status: { zh: '状态', en: 'Status' },
  type: { zh: '类型', en: 'Type' },
  channel: { zh: '渠道', en: 'Channel' },
  category: { zh: '分类', en: 'Category' },
  district: { zh: '区县', en: 'District' },
  unit: { zh: '承办单位', en: 'Unit' },
  overdue: { zh: '是否超期', en: 'Overdue' },
  overdueYes: { zh: '已超期', en: 'Overdue' },
  overdueNo: { zh: '未超期', en: 'Not overdue' },
  kind: { zh: '诉求主体', en: 'Requester kind' },
  enterprise: { zh: '企业诉求', en: 'Enterprise' },
  citizen: { zh: '市民诉求', en: 'Citizen' },
  from: { zh: '受理开始日期', en: 'Accepted from' },
  to: { zh: '受理结束日期', en: 'Accepted to' },
  export: { zh: '导出 Excel', en: 'Export .xlsx' },
  exported: { zh: '已导出', en: 'Exported' },
  newRequest: { zh: '受理登记', en: 'New request' },
  today: { zh: '今天', en: 'Today' },
  last7: { zh: '近 7 天', en: 'Last 7 days' },
  thisMonth: { zh: '本月', en: 'This month' },
});

const FILTERS = ['q', 'status', 'type', 'channel', 'category', 'district', 'unit', 'overdue', 'enterprise', 'from', 'to'] as const;

interface FilterValues {
  q?: string;
  status?: string[];
  type?: string[];
  channel?: number;
  category?: number[];
  district?: number;
  unit?: number;
  overdue?: string;
  enterprise?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  from?: Dayjs | null;
  to?: Dayjs | null;
}

const bool = (v: string | undefined) => (v === 'true' ? true : v === 'false' ? false : undefined);
const num = (v: string | undefined) => (v ? Number(v) : undefined);

/** 全部诉求: every request in the caller's scope, with server-side filters, paging, sorting and export. */
export default function RequestsPage() {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const navigate = useNavigate();
  const can = usePermissions();
  const list = useListParams(FILTERS, '-acceptedAt');
  const f = list.filters;
  const [form] = Form.useForm<FilterValues>();
  const [sheetOpen, setSheetOpen] = useState(false);
  const [exporting, setExporting] = useState(false);

  const channels = useChannels();
  const types = useRequestTypes();
  const categories = useCategories();
  const districts = useUnitsWhere({ kind: 'district' }, can('units.read'));
  const categoryOptions = useMemo(() => buildCategoryOptions(categories.data?.items ?? []), [categories.data]);

  const filterQuery: RequestListQuery = {
    q: f.q,
    status: f.status,
    type: f.type,
    channel: num(f.channel),
    category: num(f.category),
    district: num(f.district),
    unit: num(f.unit),
    overdue: bool(f.overdue),
    enterprise: bool(f.enterprise),
    from: f.from,
    to: f.to,
  };
  const query = useRequests({ ...filterQuery, page: list.page, pageSize: list.pageSize, sort: list.sort });

  // The form mirrors the URL (back button, shared links).
  useEffect(() => {
    const from = f.from ? dayjs(f.from) : null;
    const to = f.to ? dayjs(f.to).subtract(1, 'day') : null;
    form.setFieldsValue({
      q: f.q,
      status: f.status?.split(','),
      type: f.type?.split(','),
      channel: num(f.channel),
      category: categoryPathIds(categories.data?.items ?? [], num(f.category)),
      district: num(f.district),
      unit: num(f.unit),
      overdue: f.overdue,
      enterprise: f.enterprise,
      range: from || to ? [from, to] : null,
      from,
      to,
    });
  }, [f.q, f.status, f.type, f.channel, f.category, f.district, f.unit, f.overdue, f.enterprise, f.from, f.to, categories.data, form]);

  const apply = (v: FilterValues) => {
    const from = isPhone ? v.from : v.range?.[0];
    const to = isPhone ? v.to : v.range?.[1];
    list.setFilters({
      q: v.q?.trim() || undefined,
      status: v.status?.length ? v.status.join(',') : undefined,
      type: v.type?.length ? v.type.join(',') : undefined,
      channel: v.channel ? String(v.channel) : undefined,
      category: v.category?.length ? String(v.category[v.category.length - 1]) : undefined,
      district: v.district ? String(v.district) : undefined,
      unit: v.unit ? String(v.unit) : undefined,
      overdue: v.overdue || undefined,
      enterprise: v.enterprise || undefined,
      // Whole local days: from the start of the first to the start of the day after the last.
      from: from ? from.startOf('day').toISOString() : undefined,
      to: to ? to.add(1, 'day').startOf('day').toISOString() : undefined,
    });
    setSheetOpen(false);
  };

  const doExport = async () => {
    setExporting(true);
    try {
      await downloadRequestsXlsx({ ...filterQuery, sort: list.sort });
      message.success(t(m.exported));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  const w = (px: number) => ({ width: isPhone ? '100%' : px });
  const label = (msg: { zh: string; en: string }) => (isPhone ? t(msg) : undefined);
  const activeCount = Object.values(f).filter(Boolean).length;

  const actions = (
    <Space wrap>
      {can('requests.export') ? (
        <Button icon={<DownloadOutlined />} onClick={() => void doExport()} loading={exporting} data-testid="requests-export">
          {t(m.export)}
        </Button>
      ) : null}
      {can('requests.accept') && !isPhone ? (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/requests/new')}>
          {t(m.newRequest)}
        </Button>
      ) : null}
    </Space>
  );

  return (
    <div className="zt-panel">
      <FilterBar activeCount={activeCount} open={sheetOpen} onOpenChange={setSheetOpen} hideDone actions={actions}>
        <Form<FilterValues> form={form} name="requests-filter" layout={isPhone ? 'vertical' : 'inline'} onFinish={apply} style={{ rowGap: 12 }} data-testid="requests-filters">
          <Form.Item name="q" label={label(m.q)}>
            <Input allowClear placeholder={t(m.q)} style={w(240)} data-testid="requests-q" />
          </Form.Item>
          <Form.Item name="status" label={label(m.status)}>
            <Select
              mode="multiple"
              allowClear
              maxTagCount="responsive"
              placeholder={t(m.status)}
              options={REQUEST_STATUSES.map((s) => ({ value: s, label: t(statusLabels[s]) }))}
              style={w(200)}
              data-testid="requests-status"
            />
          </Form.Item>
          <Form.Item name="type" label={label(m.type)}>
            <Select
              mode="multiple"
              allowClear
              maxTagCount="responsive"
              placeholder={t(m.type)}
              options={(types.data?.items ?? []).map((x) => ({ value: x.code, label: typeLabel(x.code, lang, types.data?.items) }))}
              style={w(170)}
            />
          </Form.Item>
          <Form.Item name="channel" label={label(m.channel)}>
            <Select allowClear placeholder={t(m.channel)} showSearch={{ optionFilterProp: 'label' }} options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} style={w(170)} />
          </Form.Item>
          <Form.Item name="category" label={label(m.category)}>
            <Cascader
              options={categoryOptions}
              changeOnSelect
              showSearch={{ filter: (input, path) => path.some((o) => String(o.label).includes(input.trim())) }}
              placeholder={t(m.category)}
              style={w(200)}
            />
          </Form.Item>
          <Form.Item name="district" label={label(m.district)}>
            <Select allowClear placeholder={t(m.district)} showSearch={{ optionFilterProp: 'label' }} options={(districts.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))} style={w(150)} />
          </Form.Item>
          {can('units.read') ? (
            <Form.Item name="unit" label={label(m.unit)}>
              <UnitSelect allowClear placeholder={t(m.unit)} style={w(200)} />
            </Form.Item>
          ) : null}
          <Form.Item name="overdue" label={label(m.overdue)}>
            <Select
              allowClear
              placeholder={t(m.overdue)}
              options={[
                { value: 'true', label: t(m.overdueYes) },
                { value: 'false', label: t(m.overdueNo) },
              ]}
              style={w(120)}
            />
          </Form.Item>
          <Form.Item name="enterprise" label={label(m.kind)}>
            <Select
              allowClear
              placeholder={t(m.kind)}
              options={[
                { value: 'true', label: t(m.enterprise) },
                { value: 'false', label: t(m.citizen) },
              ]}
              style={w(130)}
            />
          </Form.Item>
          {isPhone ? (
            <>
              <Form.Item name="from" label={t(m.from)}>
                <DatePicker style={{ width: '100%' }} inputReadOnly />
              </Form.Item>
              <Form.Item name="to" label={t(m.to)}>
                <DatePicker style={{ width: '100%' }} inputReadOnly />
              </Form.Item>
            </>
          ) : (
            <Form.Item name="range">
              <DatePicker.RangePicker
                allowEmpty={[true, true]}
                placeholder={[t(m.from), t(m.to)]}
                presets={[
                  { label: t(m.today), value: [dayjs(), dayjs()] },
                  { label: t(m.last7), value: [dayjs().subtract(6, 'day'), dayjs()] },
                  { label: t(m.thisMonth), value: [dayjs().startOf('month'), dayjs()] },
                ]}
              />
            </Form.Item>
          )}
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="requests-search">
                {t(common.search)}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  list.clearFilters();
                  setSheetOpen(false);
                }}
              >
                {t(common.reset)}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </FilterBar>
      <RequestList testId="requests" query={query} list={list} filtered={hasAnyFilter(f)} hide={['requester']} />
    </div>
  );
}
