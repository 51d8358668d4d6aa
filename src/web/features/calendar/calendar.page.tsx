import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { LeftOutlined, RightOutlined, UploadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { useT } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { useCalendarYear } from './calendar.api';
import { calMessages as m } from './calendar-messages';
import { DayModal, DeadlineCalculator, ExceptionLists, ImportModal, WorkingHoursCard } from './calendar-panels';
import type { DayKind } from './calendar-utils';
import { YearView } from './year-view';
import './calendar.css';

/** 工作日历: the year's days off and moved working days, working hours, import and a deadline calculator. */
export default function CalendarPage() {
  const { t } = useT();
  const can = usePermissions();
  const canEdit = can('settings.write');
  const isPhone = useIsPhone();
  const [search, setSearch] = useSearchParams();
  const today = dayjs().format('YYYY-MM-DD');
  const thisYear = Number(today.slice(0, 4));
  const y = Number(search.get('year'));
  const year = Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : thisYear;
  const cal = useCalendarYear(year);
  const [picked, setPicked] = useState<string | null>(null);
  const [importOpen, setImportOpen] = useState(false);

  const days = useMemo(() => cal.data?.days ?? [], [cal.data]);
  const exceptions = useMemo(() => new Map<string, DayKind>(days.map((d) => [d.date, d.kind as DayKind])), [days]);
  const setYear = (next: number) => setSearch(next === thisYear ? new URLSearchParams() : new URLSearchParams({ year: String(next) }), { replace: true });
  const off = days.filter((d) => d.kind === 'off').length;
  const work = days.filter((d) => d.kind === 'work').length;

  const yearCard = (
    <Card
      className="zt-cal-card"
      title={
        <Space size={4} className="zt-cal-year-switch">
          <Button type="text" icon={<LeftOutlined />} onClick={() => setYear(year - 1)} aria-label={t(m.prevYear)} data-testid="year-prev" />
          <span className="zt-cal-year-title" data-testid="calendar-year-title">
            {t(m.year, { year })}
          </span>
          <Button type="text" icon={<RightOutlined />} onClick={() => setYear(year + 1)} aria-label={t(m.nextYear)} data-testid="year-next" />
          {year !== thisYear ? (
            <Button size="small" type="link" onClick={() => setYear(thisYear)}>
              {t(m.thisYear)}
            </Button>
          ) : null}
        </Space>
      }
      extra={
        canEdit ? (
          <Button icon={<UploadOutlined />} onClick={() => setImportOpen(true)} aria-label={t(m.import)} data-testid="calendar-import-open">
            {isPhone ? null : t(m.import)}
          </Button>
        ) : null
      }
    >
      {cal.isError && !cal.data ? (
        <QueryError compact error={cal.error} onRetry={() => void cal.refetch()} />
      ) : !cal.data ? (
        <Skeleton active paragraph={{ rows: 10 }} />
      ) : (
        <>
          <div className="zt-cal-legend">
            <span data-testid="calendar-summary">{t(m.summary, { off, work })}</span>
            <span className="zt-cal-legend-items">
              <Tag color="red">{t(m.offShort)} {t(m.off)}</Tag>
              <Tag color="orange">{t(m.workShort)} {t(m.work)}</Tag>
              <Tag>{t(m.weekend)}</Tag>
            </span>
          </div>
          {days.length === 0 ? <Alert type="warning" showIcon title={t(m.noData, { year })} style={{ marginBottom: 12 }} /> : null}
          <YearView year={year} exceptions={exceptions} today={today} onPick={canEdit ? setPicked : undefined} />
          {!canEdit ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
              {t(m.readOnly)}
            </Typography.Paragraph>
          ) : null}
        </>
      )}
    </Card>
  );

  const timeZone = cal.data?.timeZone ?? 'Asia/Shanghai';
  return (
    <div className="zt-cal" data-testid="calendar-page">
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          {yearCard}
        </Col>
        <Col xs={24} xl={8}>
          <div className="zt-cal-side">
            <DeadlineCalculator timeZone={timeZone} />
            {cal.data ? <WorkingHoursCard hours={cal.data.workingHours} timeZone={timeZone} canEdit={canEdit} /> : null}
          </div>
        </Col>
        <Col xs={24}>{cal.data ? <ExceptionLists year={year} days={days} canEdit={canEdit} /> : null}</Col>
      </Row>
      <DayModal date={picked} current={picked ? days.find((d) => d.date === picked) : undefined} onClose={() => setPicked(null)} />
      <ImportModal open={importOpen} onClose={() => setImportOpen(false)} />
    </div>
  );
}
