import { useMemo } from 'react';
import { Button, Card, Col, DatePicker, Progress, Row, Segmented, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ReloadOutlined, SettingOutlined, WarningOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { Link, useSearchParams } from 'react-router';
import { formatNumber } from '../../shared/format';
import { useT, type Lang, type Msg } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { useRequestTypes, type RequestTypeItem } from '../catalog/catalog.api';
import { BarList, PieChart, TrendChart } from './kpi-charts';
import { belowFloor, formatRate, formatScore, NO_VALUE } from './kpi-format';
import { kpiMessages as m, rateLabels } from './kpi-messages';
import { DefinedLabel, rateHeader, StatsPanel } from './kpi-parts';
import { buildTrend, share, type Granularity } from './kpi-trend';
import { useStats, type GroupBy, type Kind, type RateKey, type StatsGroup, type StatsQuery, type StatsReply } from './kpi.api';
import { PERIOD_PRESETS, isValidDate, presetPeriod, type PeriodPreset } from './period';
import './kpi.css';

const KINDS: Kind[] = ['all', 'citizen', 'enterprise'];
const GRANULARITIES: Granularity[] = ['day', 'week', 'month'];
const presetLabels: Record<PeriodPreset, Msg> = { week: m.week, month: m.month, quarter: m.quarter, half: m.half, custom: m.custom };
const kindLabels: Record<Kind, Msg> = { all: m.kindAll, citizen: m.kindCitizen, enterprise: m.kindEnterprise };
const granularityLabels: Record<Granularity, Msg> = { day: m.byDay, week: m.byWeek, month: m.byMonth };

/** Period, kind and trend step live in the URL, so a link or a reload shows the same figures. */
function useKpiParams() {
  const [search, setSearch] = useSearchParams();
  const today = dayjs().format('YYYY-MM-DD');
  const p = search.get('period') as PeriodPreset | null;
  const preset: PeriodPreset = p && PERIOD_PRESETS.includes(p) ? p : 'month';
  const kindParam = search.get('kind') as Kind | null;
  const kind: Kind = kindParam && KINDS.includes(kindParam) ? kindParam : 'all';
  const g = search.get('step') as Granularity | null;
  const granularity: Granularity = g && GRANULARITIES.includes(g) ? g : 'day';
  let from: string;
  let to: string;
  const qf = search.get('from');
  const qt = search.get('to');
  if (preset === 'custom' && isValidDate(qf) && isValidDate(qt) && qf <= qt) {
    from = qf;
    to = qt;
  } else {
    ({ from, to } = presetPeriod(preset === 'custom' ? 'month' : preset, today));
  }
  const update = (next: Record<string, string | undefined>) =>
    setSearch(
      (prev) => {
        const n = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(next)) {
          if (v) n.set(k, v);
          else n.delete(k);
        }
        return n;
      },
      { replace: true },
    );
  return { today, preset, kind, granularity, from, to, update };
}

function groupLabel(g: StatsGroup, groupBy: GroupBy, lang: Lang, types: RequestTypeItem[] | undefined, t: (msg: Msg) => string): string {
  if (g.key === null) return t(groupBy === 'unit' ? m.notDispatched : m.notSet);
  if (groupBy === 'type' && lang === 'en') return types?.find((x) => x.code === g.key)?.nameEn ?? g.name;
  return g.name;
}

function Summary({ stats }: { stats: ReturnType<typeof useStats> }) {
  const { t } = useT();
  const data = stats.data;
  if (stats.isError && !data) return <QueryError compact error={stats.error} onRetry={() => void stats.refetch()} />;
  const tiles: { key: string; label: Msg; value: string; definition?: Msg; warn?: boolean; sub?: string }[] = data
    ? [
        { key: 'accepted', label: m.accepted, value: formatNumber(data.total.counts.accepted), sub: `${t(m.closed)} ${formatNumber(data.total.counts.closed + data.total.counts.direct)}` },
        { key: 'responseRate', label: m.responseRate, value: formatRate(data.total.rates.responseRate), definition: data.definitions.responseRate, sub: `${t(m.orders)} ${formatNumber(data.total.counts.orders)}` },
        { key: 'resolutionRate', label: m.resolutionRate, value: formatRate(data.total.rates.resolutionRate), definition: data.definitions.resolutionRate, sub: `${t(m.callbacks)} ${formatNumber(data.total.counts.callbacks)}` },
        {
          key: 'satisfactionRate',
          label: m.satisfactionRate,
          value: formatRate(data.total.rates.satisfactionRate),
          definition: data.definitions.satisfactionRate,
          warn: belowFloor(data.total.rates.satisfactionRate, data.settings.satisfactionFloor),
        },
        { key: 'onTimeRate', label: m.onTimeRate, value: formatRate(data.total.rates.onTimeRate), definition: data.definitions.onTimeRate },
        { key: 'directRate', label: m.directRate, value: formatRate(data.total.rates.directRate), definition: data.definitions.directRate },
        { key: 'score', label: m.score, value: formatScore(data.total.rates.score), definition: data.definitions.score },
      ]
    : [];
  return (
    <div className="zt-kpi-summary" data-testid="kpi-summary">
      {data
        ? tiles.map((tile) => (
            <div key={tile.key} className={`zt-kpi-tile${tile.warn ? ' zt-kpi-tile-warn' : ''}`} data-testid={`kpi-total-${tile.key}`}>
              <div className="zt-kpi-tile-label">
                <DefinedLabel label={t(tile.label)} definition={tile.definition} />
              </div>
              <div className="zt-kpi-tile-value">{tile.value}</div>
              {tile.sub ? <div className="zt-kpi-tile-sub">{tile.sub}</div> : null}
            </div>
          ))
        : Array.from({ length: 7 }, (_, i) => (
            <div key={i} className="zt-kpi-tile">
              <Skeleton active paragraph={false} title={{ width: '80%' }} />
            </div>
          ))}
    </div>
  );
}

type RateColumn = RateKey;

function rateColumns<T extends StatsGroup>(keys: RateColumn[], data: StatsReply | undefined, t: (msg: Msg) => string): TableColumnsType<T> {
  return keys.map((k) => ({
    key: k,
    title: rateHeader(k, data, t),
    align: 'right' as const,
    sorter: (a: T, b: T) => (a.rates[k] ?? -1) - (b.rates[k] ?? -1),
    render: (_: unknown, g: T) => {
      const v = k === 'score' ? formatScore(g.rates.score) : formatRate(g.rates[k]);
      if (k === 'satisfactionRate' && data && belowFloor(g.rates.satisfactionRate, data.settings.satisfactionFloor)) {
        return (
          <Tooltip title={t(m.belowFloor)}>
            <span className="zt-kpi-low">
              <WarningOutlined /> {v}
            </span>
          </Tooltip>
        );
      }
      return k === 'score' ? <strong>{v}</strong> : v;
    },
  }));
}

function UnitRanking({ stats, query }: { stats: ReturnType<typeof useStats>; query: StatsQuery }) {
  const { t } = useT();
  const isPhone = useIsPhone();
  return (
    <StatsPanel title={t(m.units)} query={query} stats={stats} testId="kpi-units" height={200}>
      {(data) => {
        const floor = data.settings.satisfactionFloor;
        const units = data.groups.filter((g) => g.key !== null);
        const pending = data.groups.find((g) => g.key === null);
        // Ranked by score; units without a score (nothing to compute yet) last, then by volume.
        const ranked = [...units].sort((a, b) => (b.rates.score ?? -1) - (a.rates.score ?? -1) || b.counts.orders - a.counts.orders);
        const rows = ranked.map((g, i) => ({ ...g, rank: g.rates.score === null ? null : i + 1 }));
        const below = rows.filter((g) => belowFloor(g.rates.satisfactionRate, floor)).length;
        const s = data.settings;
        const note = (
          <div className="zt-kpi-note">
            <span>
              {t(m.floorNote, { floor: formatRate(floor), r: s.weights.response, s: s.weights.resolution, t: s.weights.satisfaction, w: s.basicSatisfiedWeight })}
            </span>
            {below ? (
              <Tag color="red" icon={<WarningOutlined />} data-testid="kpi-below-count">
                {t(m.belowCount, { n: below })}
              </Tag>
            ) : null}
            {pending ? <span>{t(m.undispatched, { n: pending.counts.accepted })}</span> : null}
          </div>
        );
        if (isPhone) {
          return (
            <>
              {note}
              <div className="zt-card-list" data-testid="kpi-units-cards">
                {rows.map((g) => {
                  const low = belowFloor(g.rates.satisfactionRate, floor);
                  return (
                    <div key={g.key} className={`zt-kpi-unit-card${low ? ' zt-kpi-row-low' : ''}`} data-testid="kpi-unit-card">
                      <div className="zt-card-head">
                        <div className="zt-card-title">
                          {g.rank ? <span className="zt-kpi-rank">{g.rank}</span> : null}
                          {g.name}
                        </div>
                        <div className="zt-kpi-unit-score">{formatScore(g.rates.score)}</div>
                      </div>
                      <div className="zt-kpi-unit-grid">
                        {(['responseRate', 'resolutionRate', 'satisfactionRate', 'onTimeRate', 'returnRate'] as const).map((k) => (
                          <div key={k}>
                            <span>{t(rateLabels[k])}</span>
                            <strong className={k === 'satisfactionRate' && low ? 'zt-kpi-low' : undefined}>{formatRate(g.rates[k])}</strong>
                          </div>
                        ))}
                        <div>
                          <span>{t(m.orders)}</span>
                          <strong>{formatNumber(g.counts.orders)}</strong>
                        </div>
                      </div>
                      {low ? <Tag color="red">{t(m.belowFloorShort)}</Tag> : null}
                    </div>
                  );
                })}
              </div>
            </>
          );
        }
        const columns: TableColumnsType<(typeof rows)[number]> = [
          { key: 'rank', title: t(m.rank), width: 64, align: 'center', render: (_, g) => (g.rank ? <span className="zt-kpi-rank">{g.rank}</span> : NO_VALUE) },
          {
            key: 'name',
            title: t(m.unit),
            render: (_, g) => (
              <Space size={6}>
                <span>{g.name}</span>
                {belowFloor(g.rates.satisfactionRate, floor) ? <Tag color="red">{t(m.belowFloorShort)}</Tag> : null}
              </Space>
            ),
          },
          {
            key: 'accepted',
            title: <DefinedLabel label={t(m.led)} definition={m.ledHint} />,
            align: 'right',
            sorter: (a, b) => a.counts.accepted - b.counts.accepted,
            render: (_, g) => formatNumber(g.counts.accepted),
          },
          { key: 'orders', title: <DefinedLabel label={t(m.orders)} definition={m.ledHint} />, align: 'right', sorter: (a, b) => a.counts.orders - b.counts.orders, render: (_, g) => formatNumber(g.counts.orders) },
          ...rateColumns<(typeof rows)[number]>(['responseRate', 'resolutionRate', 'satisfactionRate', 'onTimeRate', 'returnRate', 'score'], data, t),
        ];
        return (
          <>
            {note}
            <Table
              size="middle"
              rowKey={(g) => String(g.key)}
              dataSource={rows}
              columns={columns}
              pagination={rows.length > 20 ? { pageSize: 20, size: 'small' } : false}
              scroll={{ x: 'max-content' }}
              rowClassName={(g) => (belowFloor(g.rates.satisfactionRate, floor) ? 'zt-kpi-row-low' : '')}
              data-testid="kpi-units-table"
            />
          </>
        );
      }}
    </StatsPanel>
  );
}

function DistrictTable({ stats, query }: { stats: ReturnType<typeof useStats>; query: StatsQuery }) {
  const { t } = useT();
  const isPhone = useIsPhone();
  return (
    <StatsPanel title={t(m.districts)} query={query} stats={stats} testId="kpi-districts" height={160}>
      {(data) => {
        const floor = data.settings.satisfactionFloor;
        const rows = data.groups.map((g) => ({ ...g, label: groupLabel(g, 'district', 'zh', undefined, t) }));
        if (isPhone) {
          return (
            <BarList
              items={rows.map((g) => ({ name: g.label, value: g.counts.accepted }))}
              height={Math.max(140, rows.length * 34)}
              ariaLabel={t(m.districts)}
              seriesName={t(m.accepted)}
            />
          );
        }
        const columns: TableColumnsType<(typeof rows)[number]> = [
          { key: 'name', title: t(m.district), render: (_, g) => g.label },
          { key: 'accepted', title: t(m.accepted), align: 'right', sorter: (a, b) => a.counts.accepted - b.counts.accepted, render: (_, g) => formatNumber(g.counts.accepted) },
          { key: 'share', title: t(m.share), align: 'right', render: (_, g) => formatRate(share(g.counts.accepted, data.total.counts.accepted)) },
          ...rateColumns<(typeof rows)[number]>(['responseRate', 'resolutionRate', 'satisfactionRate', 'onTimeRate', 'score'], data, t),
        ];
        return (
          <Table
            size="small"
            rowKey={(g) => String(g.key)}
            dataSource={rows}
            columns={columns}
            pagination={false}
            scroll={{ x: 'max-content' }}
            rowClassName={(g) => (belowFloor(g.rates.satisfactionRate, floor) ? 'zt-kpi-row-low' : '')}
            data-testid="kpi-districts-table"
          />
        );
      }}
    </StatsPanel>
  );
}

function TopCategories({ stats, query }: { stats: ReturnType<typeof useStats>; query: StatsQuery }) {
  const { t } = useT();
  return (
    <StatsPanel title={t(m.topCategories)} query={query} stats={stats} testId="kpi-categories">
      {(data) => {
        const total = data.total.counts.accepted;
        const rows = data.groups.slice(0, 10).map((g, i) => ({ ...g, rank: i + 1, label: groupLabel(g, 'category', 'zh', undefined, t), share: share(g.counts.accepted, total) }));
        return (
          <Table
            size="small"
            rowKey={(g) => String(g.key)}
            dataSource={rows}
            pagination={false}
            data-testid="kpi-categories-table"
            columns={[
              { key: 'rank', title: '#', width: 40, render: (_, g) => g.rank },
              { key: 'name', title: t(m.category), render: (_, g) => g.label },
              { key: 'accepted', title: t(m.accepted), align: 'right', render: (_, g) => formatNumber(g.counts.accepted) },
              {
                key: 'share',
                title: t(m.share),
                width: 150,
                render: (_, g) => (
                  <div className="zt-kpi-share">
                    <Progress percent={g.share === null ? 0 : Math.round(g.share * 1000) / 10} size="small" showInfo={false} />
                    <span>{formatRate(g.share)}</span>
                  </div>
                ),
              },
            ]}
          />
        );
      }}
    </StatsPanel>
  );
}

export default function KpiPage() {
  const { t, lang } = useT();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const qc = useQueryClient();
  const params = useKpiParams();
  const { from, to, kind, preset, granularity } = params;
  const types = useRequestTypes(can('catalog.read'));
  const q = (groupBy: GroupBy): StatsQuery => ({ from, to, kind, groupBy });
  const units = useStats(q('unit'));
  const days = useStats(q('day'));
  const byType = useStats(q('type'));
  const byChannel = useStats(q('channel'));
  const byCategory = useStats(q('category'));
  const byDistrict = useStats(q('district'));

  const trend = useMemo(() => (days.data ? buildTrend(days.data.groups, { from, to }, params.today, granularity) : []), [days.data, from, to, params.today, granularity]);
  const chartHeight = isPhone ? 220 : 280;

  const setPreset = (p: PeriodPreset) => {
    if (p === 'custom') params.update({ period: 'custom', from, to });
    else params.update({ period: p === 'month' ? undefined : p, from: undefined, to: undefined });
  };
  const setRange = (a: Dayjs | null, b: Dayjs | null) => {
    if (!a || !b) return;
    const [x, y] = a.isAfter(b) ? [b, a] : [a, b];
    params.update({ period: 'custom', from: x.format('YYYY-MM-DD'), to: y.format('YYYY-MM-DD') });
  };

  return (
    <div className="zt-kpi" data-testid="kpi-page">
      <div className="zt-kpi-bar">
        <Segmented<PeriodPreset>
          value={preset}
          onChange={setPreset}
          options={PERIOD_PRESETS.map((p) => ({ value: p, label: <span data-testid={`period-${p}`}>{t(presetLabels[p])}</span> }))}
          className="zt-kpi-seg"
        />
        {preset === 'custom' ? (
          isPhone ? (
            <Space.Compact block>
              <DatePicker value={dayjs(from)} onChange={(d) => setRange(d, dayjs(to))} allowClear={false} inputReadOnly placeholder={t(m.from)} style={{ width: '50%' }} />
              <DatePicker value={dayjs(to)} onChange={(d) => setRange(dayjs(from), d)} allowClear={false} inputReadOnly placeholder={t(m.to)} style={{ width: '50%' }} />
            </Space.Compact>
          ) : (
            <DatePicker.RangePicker value={[dayjs(from), dayjs(to)]} onChange={(v) => setRange(v?.[0] ?? null, v?.[1] ?? null)} allowClear={false} data-testid="kpi-range" />
          )
        ) : null}
        <Segmented<Kind>
          value={kind}
          onChange={(k) => params.update({ kind: k === 'all' ? undefined : k })}
          options={KINDS.map((k) => ({ value: k, label: t(kindLabels[k]) }))}
          className="zt-kpi-seg"
        />
        <span className="zt-toolbar-spacer" />
        <Space size={8} wrap>
          <Typography.Text type="secondary" data-testid="kpi-range-text">
            {t(m.range, { from, to })}
          </Typography.Text>
          <Button icon={<ReloadOutlined />} onClick={() => void qc.invalidateQueries({ queryKey: ['kpi', 'stats'] })} aria-label={t(m.refresh)}>
            {isPhone ? null : t(m.refresh)}
          </Button>
          {can('settings.write') ? (
            <Link to="/admin/catalog?tab=kpi">
              <Button icon={<SettingOutlined />}>{isPhone ? null : t(m.settingsLink)}</Button>
            </Link>
          ) : null}
        </Space>
      </div>

      <Summary stats={units} />

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <StatsPanel
            title={t(m.trend)}
            query={q('day')}
            stats={days}
            testId="kpi-trend"
            height={chartHeight}
            extra={
              <Segmented<Granularity>
                size="small"
                value={granularity}
                onChange={(g) => params.update({ step: g === 'day' ? undefined : g })}
                options={GRANULARITIES.map((g) => ({ value: g, label: t(granularityLabels[g]) }))}
              />
            }
          >
            {() => <TrendChart buckets={trend} granularity={granularity} height={chartHeight} />}
          </StatsPanel>
        </Col>
        <Col xs={24} xl={8}>
          <StatsPanel title={t(m.byType)} query={q('type')} stats={byType} testId="kpi-types" height={chartHeight}>
            {(data) => (
              <PieChart
                items={data.groups.map((g) => ({ name: groupLabel(g, 'type', lang, types.data?.items, t), value: g.counts.accepted }))}
                height={chartHeight}
                ariaLabel={t(m.byType)}
                compact
              />
            )}
          </StatsPanel>
        </Col>
        <Col xs={24} lg={12}>
          <StatsPanel title={t(m.byChannel)} query={q('channel')} stats={byChannel} testId="kpi-channels" height={chartHeight}>
            {(data) => {
              const items = data.groups.slice(0, 10).map((g) => ({ name: groupLabel(g, 'channel', lang, undefined, t), value: g.counts.accepted }));
              return <BarList items={items} height={Math.max(chartHeight, items.length * 30)} ariaLabel={t(m.byChannel)} seriesName={t(m.accepted)} />;
            }}
          </StatsPanel>
        </Col>
        <Col xs={24} lg={12}>
          <TopCategories stats={byCategory} query={q('category')} />
        </Col>
        <Col xs={24}>
          <DistrictTable stats={byDistrict} query={q('district')} />
        </Col>
        <Col xs={24}>
          <UnitRanking stats={units} query={q('unit')} />
        </Col>
      </Row>
      <Card size="small" className="zt-kpi-foot">
        <Typography.Text type="secondary">
          {t(m.source)} {t(m.noValueHint)}
        </Typography.Text>
      </Card>
    </div>
  );
}
