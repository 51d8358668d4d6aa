import { useMemo } from 'react';
import { EChart } from '../../shared/charts/echart';
import type { EChartsOption } from '../../shared/charts/echarts';
import { useT } from '../../shared/i18n';
import { kpiMessages } from './kpi-messages';
import { bucketLabel, type Granularity, type TrendBucket } from './kpi-trend';

const PALETTE = ['#1a5fb4', '#26a269', '#e5a50a', '#c64600', '#613583', '#2190a8', '#a51d2d', '#63452c', '#77767b', '#5e5c64'];

export function TrendChart({ buckets, granularity, height }: { buckets: TrendBucket[]; granularity: Granularity; height: number }) {
  const { t } = useT();
  const option = useMemo<EChartsOption>(
    () => ({
      color: PALETTE,
      grid: { left: 44, right: 16, top: 36, bottom: 28 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t(kpiMessages.accepted), t(kpiMessages.closed)] },
      xAxis: { type: 'category', data: buckets.map((b) => bucketLabel(b, granularity)), axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t(kpiMessages.accepted), type: 'bar', data: buckets.map((b) => b.accepted), barMaxWidth: 28, itemStyle: { borderRadius: [3, 3, 0, 0] } },
        { name: t(kpiMessages.closed), type: 'line', data: buckets.map((b) => b.closed), symbolSize: 6 },
      ],
    }),
    [buckets, granularity, t],
  );
  return <EChart option={option} height={height} ariaLabel={t(kpiMessages.trend)} />;
}

export interface NamedValue {
  name: string;
  value: number;
}

export function PieChart({ items, height, ariaLabel, compact }: { items: NamedValue[]; height: number; ariaLabel: string; compact?: boolean }) {
  const option = useMemo<EChartsOption>(
    () => ({
      color: PALETTE,
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: compact ? { bottom: 0, type: 'plain' } : { orient: 'vertical', right: 8, top: 'middle' },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          center: compact ? ['50%', '44%'] : ['38%', '50%'],
          avoidLabelOverlap: true,
          // Shares inside the ring (names are in the legend), so no label can leave the card.
          label: { position: 'inside', formatter: '{d}%', fontSize: 12, color: '#fff', fontWeight: 600 },
          labelLine: { show: false },
          data: items,
        },
      ],
    }),
    [items, compact],
  );
  return <EChart option={option} height={height} ariaLabel={ariaLabel} />;
}

/** Horizontal bars, largest on top. */
export function BarList({ items, height, ariaLabel, seriesName }: { items: NamedValue[]; height: number; ariaLabel: string; seriesName: string }) {
  const option = useMemo<EChartsOption>(() => {
    const rows = [...items].reverse();
    return {
      color: PALETTE,
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { width: 120, overflow: 'truncate' } },
      series: [{ name: seriesName, type: 'bar', data: rows.map((r) => r.value), barMaxWidth: 18, label: { show: true, position: 'right' }, itemStyle: { borderRadius: [0, 3, 3, 0] } }],
    };
  }, [items, seriesName]);
  return <EChart option={option} height={height} ariaLabel={ariaLabel} />;
}
