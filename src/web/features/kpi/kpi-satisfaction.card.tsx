import { Card, Skeleton, Statistic, Tag } from 'antd';
import { SmileOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useNavigate } from 'react-router';
import { useT } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { belowFloor, formatRate } from './kpi-format';
import { kpiMessages as m } from './kpi-messages';
import { useStats } from './kpi.api';
import { presetPeriod } from './period';

/** Home card: this month's satisfaction rate from the server, or a plain "no callbacks yet". */
export default function KpiSatisfactionCard() {
  const { t } = useT();
  const navigate = useNavigate();
  const { from, to } = presetPeriod('month', dayjs().format('YYYY-MM-DD'));
  const stats = useStats({ from, to, groupBy: 'month', kind: 'all' });
  const data = stats.data;
  const rate = data?.total.rates.satisfactionRate ?? null;
  const low = data ? belowFloor(rate, data.settings.satisfactionFloor) : false;
  return (
    <Card className="zt-stat-card zt-clickable" hoverable onClick={() => navigate('/kpi')} data-testid="card-kpi.month.satisfaction">
      {stats.isError && !data ? (
        <QueryError compact error={stats.error} onRetry={() => void stats.refetch()} />
      ) : !data ? (
        <Skeleton active paragraph={{ rows: 1 }} />
      ) : (
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 12 }}>
          <div>
            <Statistic
              title={t(m.monthSatisfaction)}
              value={formatRate(rate)}
              styles={low ? { content: { color: '#c01c28' } } : undefined}
              formatter={(v) => <span data-testid="card-value-kpi.month.satisfaction">{String(v)}</span>}
            />
            <div style={{ color: '#9ca3af', fontSize: 12, marginTop: 4 }}>
              {data.total.counts.callbacks ? t(m.basedOn, { n: data.total.counts.callbacks }) : t(m.noCallbacks)}
              {low ? (
                <Tag color="red" style={{ marginLeft: 6 }}>
                  {t(m.floorIs, { floor: formatRate(data.settings.satisfactionFloor) })}
                </Tag>
              ) : null}
            </div>
          </div>
          <span className="zt-stat-icon">
            <SmileOutlined />
          </span>
        </div>
      )}
    </Card>
  );
}
