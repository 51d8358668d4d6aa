import { useMemo, useState, type ReactNode } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Row, Skeleton, Space, Table, Tag, Timeline, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { defineMessages, useT } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { useUnits } from '../org/units.api';
import { ActionDialog } from './action-dialog';
import { ClockLights, FlagTags, StatusTag, TypeTag, UrgencyTag } from './request-bits';
import { actionLabels, eventLabel, msgOf, orderRoleLabels, orderStatusLabels, replyResultLabels, satisfactionLabels } from './request-labels';
import { useRequest, type RequestAction, type RequestDetail, type RequestOrder, type TimelineEvent } from './requests.api';
import { timelineText } from './timeline-text';
import './requests.css';

const m = defineMessages({
  back: { zh: '返回', en: 'Back' },
  refresh: { zh: '刷新', en: 'Refresh' },
  actions: { zh: '办理操作', en: 'Actions' },
  noActions: { zh: '当前状态下您没有可执行的操作', en: 'There is nothing for you to do on this request now' },
  content: { zh: '诉求内容', en: 'Request' },
  info: { zh: '基本信息', en: 'Details' },
  channel: { zh: '来源渠道', en: 'Channel' },
  type: { zh: '诉求类型', en: 'Type' },
  urgency: { zh: '紧急程度', en: 'Urgency' },
  category: { zh: '诉求分类', en: 'Category' },
  district: { zh: '所属区县', en: 'District' },
  street: { zh: '街道（乡镇）', en: 'Street / town' },
  address: { zh: '事发地址', en: 'Address' },
  acceptedAt: { zh: '受理时间', en: 'Accepted' },
  closedAt: { zh: '办结时间', en: 'Closed' },
  handlingUnit: { zh: '当前承办单位', en: 'Handling unit' },
  direct: { zh: '直接答复办结', en: 'Answered at intake' },
  clocks: { zh: '办理时限', en: 'Deadlines' },
  requester: { zh: '诉求人', en: 'Requester' },
  name: { zh: '姓名', en: 'Name' },
  phone: { zh: '联系电话', en: 'Phone' },
  anonymous: { zh: '匿名', en: 'Anonymous' },
  masked: { zh: '已按规定脱敏显示', en: 'Masked under the personal-data rules' },
  hidden: { zh: '保密诉求：诉求人信息不向承办单位显示', en: 'Confidential: the requester is hidden from handling units' },
  enterprise: { zh: '企业信息', en: 'Enterprise' },
  enterpriseName: { zh: '企业名称', en: 'Name' },
  creditCode: { zh: '统一社会信用代码', en: 'Credit code' },
  orders: { zh: '承办单位', en: 'Units' },
  unit: { zh: '单位', en: 'Unit' },
  role: { zh: '角色', en: 'Role' },
  orderStatus: { zh: '状态', en: 'Status' },
  dispatchedAt: { zh: '派单时间', en: 'Dispatched' },
  signedAt: { zh: '签收时间', en: 'Signed for' },
  late: { zh: '超时', en: 'late' },
  returned: { zh: '退单：{reason}', en: 'Returned: {reason}' },
  noOrders: { zh: '尚未派单', en: 'Not dispatched yet' },
  reply: { zh: '答复', en: 'Reply' },
  replyAt: { zh: '答复时间', en: 'Replied' },
  result: { zh: '办理结果', en: 'Outcome' },
  extension: { zh: '延期', en: 'Extension' },
  extensionPending: { zh: '延期申请待审批：{days} 个工作日，理由：{reason}', en: 'Extension waiting for approval: {days} working days — {reason}' },
  extensionGranted: { zh: '已批准延期 {days} 个工作日', en: '{days} extra working days granted' },
  callback: { zh: '回访', en: 'Callback' },
  callbackAt: { zh: '回访时间', en: 'Called back' },
  resolved: { zh: '是否解决', en: 'Resolved' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  attempts: { zh: '回访次数', en: 'Attempts' },
  unreachable: { zh: '多次未联系上', en: 'Could not be reached' },
  yes: { zh: '已解决', en: 'Yes' },
  no: { zh: '未解决', en: 'No' },
  counters: { zh: '退单 {returns} 次 · 重办 {redos} 次 · 催办 {urges} 次', en: '{returns} returns · {redos} redos · {urges} urges' },
  supervised: { zh: '督办件', en: 'Supervised' },
  timeline: { zh: '办理过程', en: 'Timeline' },
  mergedInto: { zh: '已合并至另一条诉求', en: 'Merged into another request' },
  openMerged: { zh: '查看主记录', en: 'Open the main record' },
  notFound: { zh: '诉求不存在，或不在您的数据范围内', en: 'The request does not exist or is outside your data scope' },
});

/** The order in which buttons appear; the first allowed one is the primary button. */
const PRIORITY: RequestAction[] = [
  'sign',
  'reply',
  'dispatch',
  'review',
  'approve-extension',
  'callback',
  'close',
  'request-extension',
  'forward',
  'deny-extension',
  'redo',
  'urge',
  'supervise',
  'return',
  'merge',
  'withdraw',
];
const DANGER: RequestAction[] = ['return', 'withdraw', 'merge', 'deny-extension'];

function Section({ title, children, testId, extra }: { title: ReactNode; children: ReactNode; testId?: string; extra?: ReactNode }) {
  return (
    <Card title={title} size="small" className="zt-rq-section" data-testid={testId} extra={extra}>
      {children}
    </Card>
  );
}

export default function RequestDetailPage() {
  const { id: idParam } = useParams();
  const id = Number(idParam);
  const { t, lang } = useT();
  const isPhone = useIsPhone();
  const navigate = useNavigate();
  const can = usePermissions();
  const q = useRequest(id);
  const units = useUnits(can('units.read'));
  const unitName = useMemo(() => {
    const map = new Map((units.data?.items ?? []).map((u) => [u.id, u.name]));
    return (uid: number) => map.get(uid);
  }, [units.data]);
  const [acting, setActing] = useState<RequestAction | null>(null);

  if (q.isError) {
    return (
      <div className="zt-panel">
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      </div>
    );
  }
  if (!q.data) {
    return (
      <div className="zt-panel">
        <Skeleton active paragraph={{ rows: 8 }} />
      </div>
    );
  }
  const r = q.data;
  const actions = PRIORITY.filter((a) => r.allowedActions.includes(a));

  const actionBar = (
    <div className={`zt-rq-actions${isPhone ? ' zt-rq-actions-phone' : ''}`} data-testid="request-actions">
      {actions.length ? (
        actions.map((a, i) => (
          <Button
            key={a}
            type={i === 0 ? 'primary' : 'default'}
            danger={DANGER.includes(a)}
            size={isPhone ? 'large' : 'middle'}
            onClick={() => setActing(a)}
            data-testid={`action-${a}`}
          >
            {t(actionLabels[a])}
          </Button>
        ))
      ) : (
        <Typography.Text type="secondary" data-testid="no-actions">
          {t(m.noActions)}
        </Typography.Text>
      )}
    </div>
  );

  const header = (
    <Card className="zt-rq-header" size="small">
      <div className="zt-rq-header-top">
        <Space size={8} wrap align="center">
          {!isPhone ? <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => (window.history.length > 1 ? navigate(-1) : navigate('/requests'))} aria-label={t(m.back)} /> : null}
          <span className="zt-rq-number" data-testid="request-number">
            {r.number}
          </span>
          <StatusTag status={r.status} />
          <TypeTag type={r.type} />
          <FlagTags r={r} />
          {r.counters.supervised ? <Tag color="volcano">{t(m.supervised)}</Tag> : null}
          {r.isDirect ? <Tag color="green">{t(m.direct)}</Tag> : null}
        </Space>
        <Button icon={<ReloadOutlined />} onClick={() => void q.refetch()} loading={q.isFetching} aria-label={t(m.refresh)} data-testid="request-refresh">
          {isPhone ? null : t(m.refresh)}
        </Button>
      </div>
      {r.title ? <div className="zt-rq-title">{r.title}</div> : null}
      <div className="zt-rq-clocks-row">
        <ClockLights clocks={r.clocks} />
      </div>
      {!isPhone ? actionBar : null}
    </Card>
  );

  const info = (
    <Descriptions
      size="small"
      column={isPhone ? 1 : 2}
      bordered={!isPhone}
      data-testid="request-info"
      items={[
        { key: 'type', label: t(m.type), children: <TypeTag type={r.type} /> },
        { key: 'urgency', label: t(m.urgency), children: <UrgencyTag urgency={r.urgency} /> },
        { key: 'channel', label: t(m.channel), children: r.channelName ?? '—' },
        { key: 'category', label: t(m.category), children: r.categoryPath?.split('/').join(' / ') ?? '—' },
        { key: 'district', label: t(m.district), children: r.districtName ?? '—' },
        { key: 'street', label: t(m.street), children: r.streetId ? (unitName(r.streetId) ?? `#${r.streetId}`) : '—' },
        { key: 'address', label: t(m.address), span: isPhone ? 1 : 2, children: r.address ?? '—' },
        { key: 'acceptedAt', label: t(m.acceptedAt), children: formatDateTime(r.acceptedAt) },
        { key: 'closedAt', label: t(m.closedAt), children: formatDateTime(r.closedAt) },
        { key: 'handlingUnit', label: t(m.handlingUnit), span: isPhone ? 1 : 2, children: r.handlingUnitName ?? '—' },
      ]}
    />
  );

  const requester = (
    <Section title={t(m.requester)} testId="request-requester">
      {r.requester === null ? (
        <Alert type="warning" showIcon title={t(m.hidden)} data-testid="requester-hidden" />
      ) : (
        <>
          <Descriptions
            size="small"
            column={1}
            items={[
              { key: 'name', label: t(m.name), children: r.requester.anonymous ? t(m.anonymous) : (r.requester.name ?? '—') },
              {
                key: 'phone',
                label: t(m.phone),
                children: r.requester.phone ? isPhone && !r.requester.masked ? <a href={`tel:${r.requester.phone}`}>{r.requester.phone}</a> : r.requester.phone : '—',
              },
            ]}
          />
          {r.requester.masked ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(m.masked)}
            </Typography.Text>
          ) : null}
        </>
      )}
      {r.enterprise ? (
        <>
          <div className="zt-rq-subhead">{t(m.enterprise)}</div>
          <Descriptions
            size="small"
            column={1}
            data-testid="request-enterprise"
            items={[
              { key: 'name', label: t(m.enterpriseName), children: r.enterprise.name },
              { key: 'code', label: t(m.creditCode), children: <span className="zt-rq-mono">{r.enterprise.creditCode ?? '—'}</span> },
            ]}
          />
        </>
      ) : null}
    </Section>
  );

  const orders = (
    <Section title={t(m.orders)} testId="request-orders" extra={<span className="zt-rq-muted">{t(m.counters, r.counters as unknown as Record<string, number>)}</span>}>
      {r.orders.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(m.noOrders)} />
      ) : isPhone ? (
        <div className="zt-rq-orders">
          {r.orders.map((o) => (
            <OrderCard key={o.id} o={o} />
          ))}
        </div>
      ) : (
        <OrdersTable orders={r.orders} />
      )}
    </Section>
  );

  const outcome = (r.reply || r.extension.pending || r.extension.grantedDays > 0 || r.callback.attempts > 0) && (
    <Section title={`${t(m.reply)} · ${t(m.callback)}`} testId="request-outcome">
      {r.extension.pending ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t(m.extensionPending, { days: r.extension.requestedDays ?? '—', reason: r.extension.reason ?? '—' })}
          data-testid="extension-pending"
        />
      ) : r.extension.grantedDays > 0 ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t(m.extensionGranted, { days: r.extension.grantedDays })} />
      ) : null}
      {r.reply ? (
        <div data-testid="request-reply">
          <div className="zt-rq-subhead">
            {t(m.reply)}
            <Tag color={r.reply.result === 'resolved' ? 'green' : r.reply.result === 'partly' ? 'gold' : 'red'} style={{ marginInlineStart: 8 }}>
              {msgOf(replyResultLabels, r.reply.result, lang)}
            </Tag>
            <span className="zt-rq-muted">{formatDateTime(r.reply.at)}</span>
          </div>
          <div className="zt-rq-text">{r.reply.text}</div>
        </div>
      ) : null}
      {r.callback.attempts > 0 ? (
        <div data-testid="request-callback" style={{ marginTop: 12 }}>
          <div className="zt-rq-subhead">{t(m.callback)}</div>
          <Descriptions
            size="small"
            column={isPhone ? 1 : 2}
            items={[
              { key: 'resolved', label: t(m.resolved), children: r.callback.resolved == null ? '—' : r.callback.resolved ? t(m.yes) : t(m.no) },
              { key: 'satisfaction', label: t(m.satisfaction), children: r.callback.unreachable ? t(m.unreachable) : msgOf(satisfactionLabels, r.callback.satisfaction, lang) },
              { key: 'attempts', label: t(m.attempts), children: r.callback.attempts },
              { key: 'at', label: t(m.callbackAt), children: formatDateTime(r.callback.at) },
            ]}
          />
        </div>
      ) : null}
    </Section>
  );

  const timeline = (
    <Section title={t(m.timeline)} testId="request-timeline">
      <RequestTimeline events={r.timeline} unitName={unitName} />
    </Section>
  );

  const content = (
    <Section title={t(m.content)} testId="request-content">
      <div className="zt-rq-text" data-testid="request-content-text">
        {r.content}
      </div>
      <div style={{ marginTop: 12 }}>{info}</div>
    </Section>
  );

  return (
    <div className="zt-rq-detail" data-testid="request-detail" data-status={r.status} data-version={r.version}>
      {r.mergedIntoId ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t(m.mergedInto)}
          action={<Link to={`/requests/${r.mergedIntoId}`}>{t(m.openMerged)}</Link>}
        />
      ) : null}
      {header}
      {isPhone ? (
        <>
          <Card size="small" className="zt-rq-section" title={t(m.actions)}>
            {actionBar}
          </Card>
          {content}
          {outcome}
          {requester}
          {orders}
          {timeline}
        </>
      ) : (
        <Row gutter={16}>
          <Col span={15}>
            {content}
            {outcome}
            {orders}
          </Col>
          <Col span={9}>
            {requester}
            {timeline}
          </Col>
        </Row>
      )}
      <ActionDialog target={r} action={acting} onClose={() => setActing(null)} />
    </div>
  );
}

function OrdersTable({ orders }: { orders: RequestOrder[] }) {
  const { t, lang } = useT();
  const columns: TableColumnsType<RequestOrder> = [
    { key: 'unit', dataIndex: 'unitName', title: t(m.unit) },
    { key: 'role', dataIndex: 'role', title: t(m.role), render: (v: string) => <Tag>{msgOf(orderRoleLabels, v, lang)}</Tag> },
    { key: 'status', dataIndex: 'status', title: t(m.orderStatus), render: (v: string) => msgOf(orderStatusLabels, v, lang) },
    { key: 'dispatchedAt', dataIndex: 'dispatchedAt', title: t(m.dispatchedAt), render: (v: string | null) => formatDateTime(v) },
    {
      key: 'signedAt',
      title: t(m.signedAt),
      render: (_, o) => (
        <span>
          {formatDateTime(o.signedAt)}
          {o.signedOnTime === false ? (
            <Tag color="red" style={{ marginInlineStart: 6 }}>
              {t(m.late)}
            </Tag>
          ) : null}
        </span>
      ),
    },
    {
      key: 'returned',
      title: '',
      render: (_, o) => (o.returnedAt ? <Typography.Text type="danger">{t(m.returned, { reason: o.returnReason ?? '—' })}</Typography.Text> : null),
    },
  ];
  return <Table<RequestOrder> rowKey="id" size="small" columns={columns} dataSource={orders} pagination={false} scroll={{ x: 'max-content' }} />;
}

function OrderCard({ o }: { o: RequestOrder }) {
  const { t, lang } = useT();
  return (
    <div className="zt-rq-order">
      <div className="zt-card-head">
        <strong>{o.unitName}</strong>
        <Space size={4}>
          <Tag style={{ marginInlineEnd: 0 }}>{msgOf(orderRoleLabels, o.role, lang)}</Tag>
          <Tag style={{ marginInlineEnd: 0 }}>{msgOf(orderStatusLabels, o.status, lang)}</Tag>
        </Space>
      </div>
      <div className="zt-card-meta">
        <div>
          {t(m.dispatchedAt)}：{formatDateTime(o.dispatchedAt)}
        </div>
        <div>
          {t(m.signedAt)}：{formatDateTime(o.signedAt)}
          {o.signedOnTime === false ? `（${t(m.late)}）` : ''}
        </div>
        {o.returnedAt ? <div className="zt-rq-danger">{t(m.returned, { reason: o.returnReason ?? '—' })}</div> : null}
      </div>
    </div>
  );
}

const EVENT_COLORS: Record<string, string> = {
  accept: 'blue',
  answer: 'green',
  dispatch: 'blue',
  forward: 'blue',
  sign: 'blue',
  reply: 'green',
  review: 'green',
  callback: 'green',
  close: 'green',
  return: 'red',
  'deny-extension': 'red',
  'mark-overdue': 'red',
  withdraw: 'gray',
  merge: 'gray',
  urge: 'orange',
  supervise: 'orange',
  'request-extension': 'orange',
  'approve-extension': 'orange',
  redo: 'red',
};

/** Who did what, in which unit and when, with the payload in words; newest last, as it happened. */
export function RequestTimeline({ events, unitName }: { events: TimelineEvent[]; unitName: (id: number) => string | undefined }) {
  const { lang } = useT();
  return (
    <Timeline
      className="zt-rq-timeline"
      items={events.map((e) => {
        const unit = e.unitName ?? (e.unitId != null ? unitName(e.unitId) : undefined);
        const lines = timelineText(e, lang, unitName);
        return {
          key: e.id,
          color: EVENT_COLORS[e.action] ?? 'gray',
          content: (
            <div className="zt-rq-event" data-testid="timeline-event" data-action={e.action}>
              <div className="zt-rq-event-head">
                <span className="zt-rq-event-action">{eventLabel(e.action, lang)}</span>
                <span className="zt-rq-event-time">{formatDateTime(e.at)}</span>
              </div>
              <div className="zt-rq-event-who">{[e.actorName, unit].filter(Boolean).join(' · ')}</div>
              {lines.map((l, i) => (
                <div key={i} className="zt-rq-event-text">
                  {l}
                </div>
              ))}
            </div>
          ),
        };
      })}
    />
  );
}
