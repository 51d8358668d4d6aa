import type { ReactNode } from 'react';
import { Space, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { Link, useNavigate } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { common, defineMessages, useT } from '../../shared/i18n';
import { ResponsiveList, type ListQueryState, type SortOption } from '../../shared/list/responsive-list';
import type { ListParamsApi } from '../../shared/list/use-list-params';
import { DueCell, FlagTags, ShortTime, StatusTag, TypeTag } from './request-bits';
import type { RequestSummary } from './requests.api';

export const listMessages = defineMessages({
  number: { zh: '编号', en: 'Number' },
  subject: { zh: '诉求内容', en: 'Request' },
  type: { zh: '类型', en: 'Type' },
  category: { zh: '分类', en: 'Category' },
  district: { zh: '区县', en: 'District' },
  handlingUnit: { zh: '承办单位', en: 'Handling unit' },
  status: { zh: '状态', en: 'Status' },
  acceptedAt: { zh: '受理时间', en: 'Accepted' },
  replyDueAt: { zh: '办理期限', en: 'Reply due' },
  channel: { zh: '渠道', en: 'Channel' },
  requester: { zh: '诉求人', en: 'Requester' },
  address: { zh: '地址', en: 'Address' },
  open: { zh: '查看', en: 'Open' },
});

export const REQUEST_SORT_OPTIONS: SortOption[] = [
  { field: 'acceptedAt', label: listMessages.acceptedAt },
  { field: 'replyDueAt', label: listMessages.replyDueAt },
  { field: 'number', label: listMessages.number },
  { field: 'status', label: listMessages.status },
];

function subject(r: RequestSummary): string {
  return r.title?.trim() || r.content;
}

/**
 * Requests as a table on a wide screen and as cards on a phone (big touch targets; the whole card
 * opens the request). `actions` adds buttons per row, e.g. 签收 in the inbox or 派单 in the queue.
 */
export function RequestList(props: {
  query: ListQueryState<RequestSummary>;
  list: Pick<ListParamsApi<string>, 'page' | 'pageSize' | 'sort' | 'setPage' | 'setSort'>;
  filtered?: boolean;
  actions?: (r: RequestSummary) => ReactNode;
  /** A tag that says why the row is in this queue (e.g. 延期申请 in 待审核). */
  reasonTag?: (r: RequestSummary) => ReactNode;
  /** Columns to leave out on this screen. */
  hide?: Array<'district' | 'handlingUnit' | 'channel' | 'requester' | 'acceptedAt' | 'replyDueAt'>;
  testId: string;
}) {
  const { t } = useT();
  const navigate = useNavigate();
  const hidden = new Set(props.hide ?? []);
  const m = listMessages;

  const columns: TableColumnsType<RequestSummary> = [
    {
      key: 'number',
      dataIndex: 'number',
      title: t(m.number),
      sorter: true,
      fixed: 'left',
      render: (v: string, r) => (
        <Link to={`/requests/${r.id}`} data-testid={`request-link-${r.number}`}>
          {v}
        </Link>
      ),
    },
    {
      key: 'subject',
      title: t(m.subject),
      render: (_, r) => (
        <div className="zt-rq-subject">
          <Typography.Text ellipsis={{ tooltip: subject(r) }} style={{ maxWidth: 240 }}>
            {subject(r)}
          </Typography.Text>
          <Space size={4} wrap>
            {props.reasonTag?.(r)}
            <FlagTags r={r} />
          </Space>
        </div>
      ),
    },
    { key: 'type', title: t(m.type), render: (_, r) => <TypeTag type={r.type} /> },
    { key: 'category', dataIndex: 'categoryPath', title: t(m.category), render: (v: string | null) => (v ? <span className="zt-rq-category">{v.split('/').slice(-2).join(' / ')}</span> : '—') },
    ...(hidden.has('handlingUnit')
      ? hidden.has('district')
        ? []
        : [{ key: 'district', dataIndex: 'districtName', title: t(m.district), render: (v: string | null) => v ?? '—' }]
      : [
          {
            key: 'handlingUnit',
            title: hidden.has('district') ? t(m.handlingUnit) : `${t(m.handlingUnit)} / ${t(m.district)}`,
            render: (_: unknown, r: RequestSummary) => (
              <div className="zt-rq-unit-cell">
                <div>{r.handlingUnitName ?? '—'}</div>
                {!hidden.has('district') && r.districtName && r.districtName !== r.handlingUnitName ? <div className="zt-rq-muted">{r.districtName}</div> : null}
              </div>
            ),
          },
        ]),
    ...(hidden.has('requester') ? [] : [{ key: 'requester', title: t(m.requester), render: (_: unknown, r: RequestSummary) => r.requesterName ?? r.requesterPhone ?? '—' }]),
    { key: 'status', dataIndex: 'status', title: t(m.status), sorter: true, render: (_: unknown, r: RequestSummary) => <StatusTag status={r.status} /> },
    ...(hidden.has('acceptedAt') ? [] : [{ key: 'acceptedAt', dataIndex: 'acceptedAt', title: t(m.acceptedAt), sorter: true, render: (v: string) => <ShortTime iso={v} /> }]),
    ...(hidden.has('replyDueAt') ? [] : [{ key: 'replyDueAt', dataIndex: 'replyDueAt', title: t(m.replyDueAt), sorter: true, render: (_: unknown, r: RequestSummary) => <DueCell r={r} /> }]),
    ...(props.actions
      ? [{ key: 'actions', title: t(common.actions), fixed: 'right' as const, render: (_: unknown, r: RequestSummary) => <Space size={4}>{props.actions!(r)}</Space> }]
      : []),
  ];

  const renderCard = (r: RequestSummary) => {
    const actions = props.actions?.(r);
    return (
      <div data-testid={`request-card-${r.number}`}>
        <div
          className="zt-rq-card-body"
          role="link"
          tabIndex={0}
          onClick={() => navigate(`/requests/${r.id}`)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') navigate(`/requests/${r.id}`);
          }}
        >
          <div className="zt-card-head">
            <div className="zt-rq-card-number">{r.number}</div>
            <StatusTag status={r.status} />
          </div>
          <div className="zt-rq-card-subject">{subject(r)}</div>
          <Space size={4} wrap style={{ marginBottom: 4 }}>
            <TypeTag type={r.type} />
            {props.reasonTag?.(r)}
            <FlagTags r={r} />
          </Space>
          <div className="zt-card-meta">
            {r.categoryPath ? <div>{r.categoryPath.split('/').join(' / ')}</div> : null}
            {r.districtName || r.address ? <div>{[r.districtName, r.address].filter(Boolean).join(' · ')}</div> : null}
            {!hidden.has('handlingUnit') && r.handlingUnitName ? (
              <div>
                {t(m.handlingUnit)}：{r.handlingUnitName}
              </div>
            ) : null}
            <div>
              {r.replyDueAt ? (
                <>
                  {t(m.replyDueAt)}：<DueCell r={r} />
                </>
              ) : (
                <>
                  {t(m.acceptedAt)}：{formatDateTime(r.acceptedAt)}
                </>
              )}
            </div>
          </div>
        </div>
        {actions ? <div className="zt-card-actions zt-rq-card-actions">{actions}</div> : null}
      </div>
    );
  };

  return (
    <ResponsiveList<RequestSummary>
      testId={props.testId}
      query={props.query}
      columns={columns}
      rowKey={(r) => r.id}
      renderCard={renderCard}
      page={props.list.page}
      pageSize={props.list.pageSize}
      sort={props.list.sort}
      onPageChange={props.list.setPage}
      onSortChange={props.list.setSort}
      sortOptions={REQUEST_SORT_OPTIONS}
      filtered={props.filtered}
    />
  );
}
