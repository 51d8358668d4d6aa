import { useMemo } from 'react';
import { Card, Skeleton } from 'antd';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { EChart } from '../../shared/charts/echart';
import type { EChartsOption } from '../../shared/charts/echarts';
import { defineMessages, useT } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { fetchAudit } from './audit.api';

const m = defineMessages({
  title: { zh: '近 7 日系统操作量', en: 'Audited actions, last 7 days' },
  count: { zh: '操作次数', en: 'Actions' },
});

const DAYS = 7;

/** Per-day counts from the audit list's `total` (one small request per day). */
async function loadTrend(signal?: AbortSignal): Promise<{ day: string; count: number }[]> {
  const start = dayjs().startOf('day').subtract(DAYS - 1, 'day');
  return Promise.all(
    Array.from({ length: DAYS }, async (_, i) => {
      const from = start.add(i, 'day');
      const r = await fetchAudit({ page: 1, pageSize: 1, from: from.toISOString(), to: from.add(1, 'day').toISOString() }, signal);
      return { day: from.format('MM-DD'), count: r.total };
    }),
  );
}

export default function AuditTrendCard() {
  const { t } = useT();
  const trend = useQuery({ queryKey: ['dashboard', 'audit.trend', dayjs().format('YYYY-MM-DD')], queryFn: ({ signal }) => loadTrend(signal) });
  const option = useMemo<EChartsOption>(
    () => ({
      grid: { left: 40, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: trend.data?.map((d) => d.day) ?? [], axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t(m.count), type: 'bar', data: trend.data?.map((d) => d.count) ?? [], itemStyle: { color: '#1a5fb4', borderRadius: [4, 4, 0, 0] }, barMaxWidth: 36 }],
    }),
    [trend.data, t],
  );
  return (
    <Card title={t(m.title)} data-testid="card-audit.trend">
      {trend.isError ? (
        <QueryError compact error={trend.error} onRetry={() => void trend.refetch()} />
      ) : trend.isPending ? (
        <Skeleton active paragraph={{ rows: 5 }} />
      ) : (
        <EChart option={option} height={240} ariaLabel={t(m.title)} />
      )}
    </Card>
  );
}
