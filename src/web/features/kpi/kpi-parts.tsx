import type { ReactNode } from 'react';
import { Card, Skeleton, Tooltip } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import type { UseQueryResult } from '@tanstack/react-query';
import { useT, type Msg } from '../../shared/i18n';
import { EmptyState, QueryError } from '../../shared/list/query-state';
import { ExportButton } from '../catalog/export-button';
import { STATS_XLSX_PATH, statsXlsxQuery, type RateKey, type StatsQuery, type StatsReply } from './kpi.api';
import { kpiMessages, rateLabels } from './kpi-messages';

/** A column header or figure label with the server's definition of the figure in a tooltip. */
export function DefinedLabel({ label, definition, testId }: { label: string; definition?: Msg; testId?: string }) {
  const { t } = useT();
  if (!definition) return <span>{label}</span>;
  return (
    <Tooltip title={t(definition)}>
      <span className="zt-kpi-defined" data-testid={testId}>
        {label}
        <QuestionCircleOutlined className="zt-kpi-defined-icon" />
      </span>
    </Tooltip>
  );
}

export function rateHeader(key: RateKey, data: StatsReply | undefined, t: (m: Msg) => string) {
  return <DefinedLabel label={t(rateLabels[key])} definition={data?.definitions[key]} testId={`def-${key}`} />;
}

/**
 * One dashboard panel over one stats query: loading, error with retry, "nothing in this period", or
 * the content; every panel can export its figures as the server's .xlsx for the same query.
 */
export function StatsPanel({
  title,
  query,
  stats,
  extra,
  children,
  testId,
  height = 260,
}: {
  title: ReactNode;
  query: StatsQuery;
  stats: UseQueryResult<StatsReply>;
  extra?: ReactNode;
  children: (data: StatsReply) => ReactNode;
  testId: string;
  height?: number;
}) {
  const { t } = useT();
  const data = stats.data;
  let body: ReactNode;
  // Placeholders keep the panel's height, so the page does not jump when the figures arrive.
  let placeholder = true;
  if (stats.isError && !data) body = <QueryError compact error={stats.error} onRetry={() => void stats.refetch()} />;
  else if (!data) body = <Skeleton active paragraph={{ rows: Math.max(3, Math.round(height / 50)) }} />;
  else if (data.total.counts.accepted === 0 && data.total.counts.orders === 0) body = <EmptyState description={t(kpiMessages.emptyPeriod)} />;
  else {
    body = children(data);
    placeholder = false;
  }
  return (
    <Card
      title={title}
      className="zt-kpi-card"
      data-testid={testId}
      extra={
        <span className="zt-kpi-card-extra">
          {extra}
          <ExportButton size="small" path={STATS_XLSX_PATH} query={statsXlsxQuery(query)} fileName={`request-stats-${query.groupBy}.xlsx`} label="Excel" testId={`${testId}-export`} />
        </span>
      }
    >
      <div style={placeholder ? { minHeight: height } : undefined} className={stats.isFetching && data ? 'zt-kpi-refreshing' : undefined}>
        {body}
      </div>
    </Card>
  );
}
