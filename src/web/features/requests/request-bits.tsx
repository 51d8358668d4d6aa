import { Tag, Tooltip } from 'antd';
import { CheckOutlined, PauseOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { formatDateTime } from '../../shared/format';
import { defineMessages, useT } from '../../shared/i18n';
import { clockLabels, clockStateLabels, statusColors, statusLabels, typeLabel, urgencyColors, urgencyLabels } from './request-labels';
import type { DeadlineClock, RequestStatus, RequestSummary, Urgency } from './requests.api';

const m = defineMessages({
  due: { zh: '期限', en: 'Due' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  confidential: { zh: '保密', en: 'Confidential' },
  overdue: { zh: '已超期', en: 'Overdue' },
  used: { zh: '已用时限 {p}%', en: '{p}% of the time used' },
  noClock: { zh: '尚未派单，暂无期限', en: 'Not dispatched yet: no deadline' },
});

export function StatusTag({ status }: { status: RequestStatus }) {
  const { t } = useT();
  return (
    <Tag color={statusColors[status] ?? 'default'} data-testid="status-tag" data-status={status} style={{ marginInlineEnd: 0 }}>
      {statusLabels[status] ? t(statusLabels[status]) : status}
    </Tag>
  );
}

export function TypeTag({ type }: { type: string }) {
  const { lang } = useT();
  return <Tag style={{ marginInlineEnd: 0 }}>{typeLabel(type, lang)}</Tag>;
}

export function UrgencyTag({ urgency, hideNormal }: { urgency: Urgency; hideNormal?: boolean }) {
  const { t } = useT();
  if (hideNormal && urgency === 'normal') return null;
  return (
    <Tag color={urgencyColors[urgency] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {urgencyLabels[urgency] ? t(urgencyLabels[urgency]) : urgency}
    </Tag>
  );
}

/** Small tags for facts that change how a request is handled. */
export function FlagTags({ r }: { r: Pick<RequestSummary, 'kind' | 'isConfidential' | 'isOverdue' | 'urgency'> }) {
  const { t } = useT();
  return (
    <>
      <UrgencyTag urgency={r.urgency} hideNormal />
      {r.kind === 'enterprise' ? (
        <Tag color="blue" style={{ marginInlineEnd: 0 }}>
          {t(m.enterprise)}
        </Tag>
      ) : null}
      {r.isConfidential ? (
        <Tag color="magenta" style={{ marginInlineEnd: 0 }}>
          {t(m.confidential)}
        </Tag>
      ) : null}
      {r.isOverdue ? (
        <Tag color="red" style={{ marginInlineEnd: 0 }} data-testid="overdue-tag">
          {t(m.overdue)}
        </Tag>
      ) : null}
    </>
  );
}

const LIGHT: Record<DeadlineClock['state'], string> = {
  green: '#1f9d55',
  yellow: '#e6a700',
  red: '#d93025',
  done: '#9aa5b1',
  paused: '#5b6b7f',
};

/** The deadline clocks as traffic lights: 签收 / 办理 / 办结, each with its due time and state. */
export function ClockLights({ clocks, compact }: { clocks: DeadlineClock[]; compact?: boolean }) {
  const { t } = useT();
  if (!clocks.length) return <span className="zt-rq-muted">{t(m.noClock)}</span>;
  return (
    <div className={`zt-rq-clocks${compact ? ' zt-rq-clocks-compact' : ''}`} data-testid="clock-lights">
      {clocks.map((c) => (
        <Tooltip key={c.name} title={t(m.used, { p: Math.round(c.used * 100) })}>
          <div className="zt-rq-clock" data-testid={`clock-${c.name}`} data-state={c.state}>
            <span className={`zt-rq-light zt-rq-light-${c.state}`} style={{ background: LIGHT[c.state] }} aria-hidden>
              {c.state === 'done' ? <CheckOutlined /> : c.state === 'paused' ? <PauseOutlined /> : null}
            </span>
            <span className="zt-rq-clock-text">
              <span className="zt-rq-clock-name">
                {t(clockLabels[c.name])}
                <span className="zt-rq-clock-state" style={{ color: LIGHT[c.state] }}>
                  {t(clockStateLabels[c.state])}
                </span>
              </span>
              <span className="zt-rq-clock-due">
                {t(m.due)} {formatDateTime(c.dueAt)}
              </span>
            </span>
          </div>
        </Tooltip>
      ))}
    </div>
  );
}

/** A date in a list cell: month, day and time this year, the full date for other years; the full time on hover. */
export function ShortTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="zt-rq-muted">—</span>;
  const d = dayjs(iso);
  const text = d.year() === dayjs().year() ? d.format('MM-DD HH:mm') : d.format('YYYY-MM-DD');
  return (
    <span title={formatDateTime(iso)} style={{ whiteSpace: 'nowrap' }}>
      {text}
    </span>
  );
}

/** A list cell for the reply deadline: red once passed, amber within a day. */
export function DueCell({ r }: { r: Pick<RequestSummary, 'replyDueAt' | 'isOverdue' | 'status'> }) {
  if (!r.replyDueAt) return <span className="zt-rq-muted">—</span>;
  const open = ['dispatched', 'handling'].includes(r.status);
  const hoursLeft = dayjs(r.replyDueAt).diff(dayjs(), 'hour', true);
  const color = open && (r.isOverdue || hoursLeft < 0) ? LIGHT.red : open && hoursLeft < 24 ? LIGHT.yellow : undefined;
  return (
    <span style={{ color, fontWeight: color ? 600 : undefined, whiteSpace: 'nowrap' }} data-testid="due-cell">
      <ShortTime iso={r.replyDueAt} />
    </span>
  );
}
