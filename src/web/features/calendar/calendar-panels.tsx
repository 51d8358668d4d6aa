import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Table, Tag, TimePicker, Typography, Upload } from 'antd';
import { CalculatorOutlined, DeleteOutlined, FileTextOutlined, MinusCircleOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { errorMessage } from '../../shared/api';
import { common, useT } from '../../shared/i18n';
import { useIsPhone } from '../../shared/use-is-phone';
import { deadlineUnitLabels } from '../catalog/catalog-labels';
import { computeDeadline, useCalendarYear, useImportYears, useSetDay, useSetWorkingHours, type DeadlineUnit } from './calendar.api';
import { checkImport, checkPeriods, minutesPerDay, nowInZone, wallTimeOf, wallTimeToIso, weekday, type CalendarDay, type DayKind, type WorkingPeriod } from './calendar-utils';
import { calMessages as m, weekdayNames } from './calendar-messages';

export function weekdayName(date: string, lang: 'zh' | 'en'): string {
  const w = weekdayNames[lang][weekday(date) - 1];
  return lang === 'zh' ? `星期${w}` : w;
}

/** Sets one date to day off, moved working day, or back to the plain week. */
export function DayModal({ date, current, onClose }: { date: string | null; current: CalendarDay | undefined; onClose: () => void }) {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const setDay = useSetDay();
  const [kind, setKind] = useState<DayKind | 'none'>('none');
  const [note, setNote] = useState('');
  useEffect(() => {
    if (!date) return;
    setKind(current?.kind ?? 'none');
    setNote(current?.note ?? '');
  }, [date, current]);
  const save = () => {
    if (!date) return;
    setDay.mutate(
      { date, kind: kind === 'none' ? null : kind, note },
      {
        onSuccess: () => {
          message.success(t(common.saved));
          onClose();
        },
        onError: (e) => message.error(errorMessage(e)),
      },
    );
  };
  return (
    <Modal
      open={!!date}
      title={date ? t(m.dayTitle, { date, weekday: weekdayName(date, lang) }) : ''}
      onCancel={onClose}
      onOk={save}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      confirmLoading={setDay.isPending}
      okButtonProps={{ 'data-testid': 'day-save' }}
    >
      <Radio.Group value={kind} onChange={(e) => setKind(e.target.value as DayKind | 'none')} className="zt-cal-radio">
        <Radio value="off">{t(m.off)}</Radio>
        <Radio value="work">{t(m.work)}</Radio>
        <Radio value="none">{t(m.plain)}</Radio>
      </Radio.Group>
      {kind !== 'none' ? (
        <Space.Compact block style={{ marginTop: 12 }}>
          <Space.Addon>{t(m.note)}</Space.Addon>
          <Input value={note} onChange={(e) => setNote(e.target.value)} maxLength={100} placeholder={t(m.notePlaceholder)} data-testid="day-note" />
        </Space.Compact>
      ) : null}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 13 }}>
        {t(m.dayHint)}
      </Typography.Paragraph>
    </Modal>
  );
}

/** The two lists of exceptions of the year, with add and remove. */
export function ExceptionLists({ year, days, canEdit }: { year: number; days: CalendarDay[]; canEdit: boolean }) {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const setDay = useSetDay();
  const [form] = Form.useForm<{ date: Dayjs; kind: DayKind; note?: string }>();

  const remove = (date: string) => setDay.mutate({ date, kind: null }, { onSuccess: () => message.success(t(m.removed)), onError: (e) => message.error(errorMessage(e)) });
  const list = (kind: DayKind) => {
    const rows = days.filter((d) => d.kind === kind);
    return (
      <Table<CalendarDay>
        size="small"
        rowKey="date"
        dataSource={rows}
        pagination={rows.length > 12 ? { pageSize: 12, size: 'small', showSizeChanger: false } : false}
        data-testid={`calendar-${kind}-list`}
        locale={{ emptyText: t(m.none) }}
        columns={[
          { key: 'date', dataIndex: 'date', title: t(m.date), width: 110 },
          { key: 'weekday', title: t(m.weekday), width: 80, render: (_, d) => <span className={weekday(d.date) >= 6 ? 'zt-cal-weekend-text' : undefined}>{weekdayName(d.date, lang)}</span> },
          { key: 'note', dataIndex: 'note', title: t(m.note), render: (v: string | null) => v ?? '' },
          ...(canEdit
            ? [
                {
                  key: 'actions',
                  title: '',
                  width: 70,
                  render: (_: unknown, d: CalendarDay) => (
                    <Popconfirm title={t(m.removeConfirm, { date: d.date })} onConfirm={() => remove(d.date)} okText={t(common.ok)} cancelText={t(common.cancel)}>
                      <Button size="small" type="link" danger icon={<DeleteOutlined />} aria-label={t(m.remove)} data-testid={`remove-${d.date}`} />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
    );
  };

  return (
    <Card title={t(m.offList) + ' / ' + t(m.workList)} className="zt-cal-lists">
      {canEdit ? (
        <Form
          form={form}
          name="calday"
          layout={isPhone ? 'vertical' : 'inline'}
          className="zt-toolbar"
          initialValues={{ kind: 'off' }}
          onFinish={(v) =>
            setDay.mutate(
              { date: v.date.format('YYYY-MM-DD'), kind: v.kind, note: v.note },
              {
                onSuccess: () => {
                  message.success(t(common.saved));
                  form.resetFields();
                },
                onError: (e) => message.error(errorMessage(e)),
              },
            )
          }
          data-testid="calendar-add-form"
        >
          <Form.Item name="date" rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.date) }) }]}>
            <DatePicker
              placeholder={t(m.date)}
              inputReadOnly={isPhone}
              defaultPickerValue={dayjs(`${year}-01-01`)}
              style={{ width: isPhone ? '100%' : 150 }}
              data-testid="calendar-add-date"
            />
          </Form.Item>
          <Form.Item name="kind">
            <Select<DayKind>
              style={{ width: isPhone ? '100%' : 130 }}
              options={[
                { value: 'off', label: t(m.off) },
                { value: 'work', label: t(m.work) },
              ]}
            />
          </Form.Item>
          <Form.Item name="note">
            <Input placeholder={`${t(m.note)}：${t(m.notePlaceholder)}`} maxLength={100} style={{ width: isPhone ? '100%' : 180 }} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={setDay.isPending} data-testid="calendar-add">
              {t(m.add)}
            </Button>
          </Form.Item>
        </Form>
      ) : null}
      <div className="zt-cal-list-pair">
        <div>
          <div className="zt-cal-list-title">
            <Tag color="red">{t(m.offShort)}</Tag>
            {t(m.offList)}（{days.filter((d) => d.kind === 'off').length}）
          </div>
          {list('off')}
        </div>
        <div>
          <div className="zt-cal-list-title">
            <Tag color="orange">{t(m.workShort)}</Tag>
            {t(m.workList)}（{days.filter((d) => d.kind === 'work').length}）
          </div>
          {list('work')}
        </div>
      </div>
    </Card>
  );
}

/** Daily working periods (up to four), checked before they are sent. */
export function WorkingHoursCard({ hours, timeZone, canEdit }: { hours: WorkingPeriod[]; timeZone: string; canEdit: boolean }) {
  const { t } = useT();
  const { message } = App.useApp();
  const save = useSetWorkingHours();
  const [periods, setPeriods] = useState<WorkingPeriod[]>(hours);
  useEffect(() => setPeriods(hours), [hours]);
  const problem = checkPeriods(periods);
  const changed = JSON.stringify(periods) !== JSON.stringify(hours);
  const h = Math.round((minutesPerDay(periods) / 60) * 100) / 100;
  const fmt = 'HH:mm';

  return (
    <Card title={t(m.hours)} size="small" className="zt-cal-side-card" data-testid="working-hours">
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t(m.hoursHint, { tz: timeZone })}
      </Typography.Paragraph>
      {periods.map((p, i) => (
        <div key={i} className="zt-cal-period">
          <span className="zt-cal-period-label">{t(m.period, { n: i + 1 })}</span>
          {canEdit ? (
            <>
              <TimePicker.RangePicker
                format={fmt}
                minuteStep={5}
                allowClear={false}
                needConfirm={false}
                inputReadOnly
                value={[dayjs(`2000-01-01T${p.start}`), dayjs(`2000-01-01T${p.end}`)]}
                onChange={(v) => {
                  if (!v?.[0] || !v[1]) return;
                  setPeriods(periods.map((x, j) => (j === i ? { start: v[0]!.format(fmt), end: v[1]!.format(fmt) } : x)));
                }}
                placeholder={[t(m.start), t(m.end)]}
                style={{ flex: 1 }}
              />
              <Button type="text" danger icon={<MinusCircleOutlined />} disabled={periods.length <= 1} onClick={() => setPeriods(periods.filter((_, j) => j !== i))} aria-label={t(m.remove)} />
            </>
          ) : (
            <strong>
              {p.start} – {p.end}
            </strong>
          )}
        </div>
      ))}
      <div className="zt-cal-period-foot">
        <Typography.Text type={problem ? 'danger' : 'secondary'}>{problem ? t(problem) : t(m.perDay, { h })}</Typography.Text>
        {canEdit ? (
          <Space>
            <Button
              size="small"
              icon={<PlusOutlined />}
              disabled={periods.length >= 4}
              onClick={() => {
                const last = periods[periods.length - 1];
                setPeriods([...periods, { start: last && last.end < '23:00' ? last.end : '18:00', end: '23:55' }]);
              }}
            >
              {t(m.addPeriod)}
            </Button>
            <Button
              size="small"
              type="primary"
              icon={<SaveOutlined />}
              disabled={!!problem || !changed}
              loading={save.isPending}
              onClick={() => save.mutate(periods, { onSuccess: () => message.success(t(common.saved)), onError: (e) => message.error(errorMessage(e)) })}
              data-testid="working-hours-save"
            >
              {t(common.save)}
            </Button>
          </Space>
        ) : null}
      </div>
    </Card>
  );
}

const UNITS: DeadlineUnit[] = ['working-days', 'working-hours', 'calendar-hours', 'calendar-days'];

/** 期限试算: asks the server for the deadline the workflows would set. */
export function DeadlineCalculator({ timeZone }: { timeZone: string }) {
  const { t, lang } = useT();
  const isPhone = useIsPhone();
  const [form] = Form.useForm<{ start: Dayjs; amount: number; unit: DeadlineUnit }>();
  const run = useMutation({ mutationFn: computeDeadline });
  const due = run.data ? wallTimeOf(run.data.due) : null;
  const dueYear = due ? Number(due.date.slice(0, 4)) : new Date().getFullYear();
  const dueCalendar = useCalendarYear(dueYear);
  const dueKind = due ? dueCalendar.data?.days.find((d) => d.date === due.date)?.kind : undefined;

  return (
    <Card title={t(m.calculator)} size="small" className="zt-cal-side-card" data-testid="deadline-calculator">
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t(m.calcHint)}
      </Typography.Paragraph>
      <Form
        form={form}
        name="deadline"
        layout="vertical"
        initialValues={{ start: dayjs(nowInZone(timeZone)), amount: 5, unit: 'working-days' }}
        onFinish={(v) => run.mutate({ start: wallTimeToIso(v.start.format('YYYY-MM-DDTHH:mm'), timeZone), amount: v.amount, unit: v.unit })}
      >
        <Form.Item name="start" label={t(m.startAt)} rules={[{ required: true }]} extra={t(m.tz, { tz: timeZone })}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowClear={false} inputReadOnly={isPhone} style={{ width: '100%' }} data-testid="deadline-start" />
        </Form.Item>
        <div className="zt-cal-pair">
          <Form.Item name="amount" label={t(m.amount)} rules={[{ required: true }]}>
            <InputNumber<number> min={0} max={10000} style={{ width: '100%' }} data-testid="deadline-amount" />
          </Form.Item>
          <Form.Item name="unit" label={t(m.unit)}>
            <Select<DeadlineUnit> options={UNITS.map((u) => ({ value: u, label: t(deadlineUnitLabels[u]) }))} data-testid="deadline-unit" />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" icon={<CalculatorOutlined />} loading={run.isPending} block data-testid="deadline-compute">
          {t(m.compute)}
        </Button>
      </Form>
      {run.isError ? <Alert type="error" showIcon title={errorMessage(run.error)} style={{ marginTop: 12 }} /> : null}
      {due ? (
        <div className="zt-cal-due" data-testid="deadline-result">
          <span className="zt-cal-due-label">{t(m.due)}</span>
          <span className="zt-cal-due-value" data-testid="deadline-due">
            {due.date} {due.time}
          </span>
          <span className="zt-cal-due-sub">
            {weekdayName(due.date, lang)}
            {dueKind === 'work' ? <Tag color="orange">{t(m.dueOnMovedDay)}</Tag> : dueKind === 'off' ? <Tag color="red">{t(m.dueOnHoliday)}</Tag> : null}
          </span>
        </div>
      ) : null}
    </Card>
  );
}

/** Paste or pick a year's official list; checked here, then sent whole. */
export function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const importYears = useImportYears();
  const [text, setText] = useState('');
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setText('');
      setFileProblem(null);
      importYears.reset();
    }
    // reset is stable; once per opening
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const check = useMemo(() => (text.trim() ? checkImport(text) : null), [text]);

  const readFile = (file: File) => {
    setFileProblem(null);
    if (file.size > 1024 * 1024) setFileProblem(t(m.fileTooBig));
    else void file.text().then(setText);
    return false;
  };

  return (
    <Modal
      open={open}
      title={t(m.importTitle)}
      onCancel={onClose}
      width={640}
      okText={t(m.doImport)}
      cancelText={t(common.cancel)}
      okButtonProps={{ disabled: !check?.value, 'data-testid': 'calendar-import-submit' }}
      confirmLoading={importYears.isPending}
      onOk={() => {
        if (!check?.value) return;
        const years = Object.keys(check.value.years).join('、');
        importYears.mutate(check.value, {
          onSuccess: () => {
            message.success(t(m.imported, { years }));
            onClose();
          },
        });
      }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t(m.importHint)}</Typography.Paragraph>
      <Upload accept=".json,application/json" showUploadList={false} beforeUpload={readFile}>
        <Button icon={<FileTextOutlined />}>{t(m.chooseFile)}</Button>
      </Upload>
      <Input.TextArea
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={8}
        placeholder={'{ "years": { "2027": { "off": ["2027-01-01"], "work": ["2027-02-07"] } } }'}
        style={{ marginTop: 12, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 }}
        data-testid="calendar-import-text"
      />
      {fileProblem ? <Alert type="error" showIcon title={fileProblem} style={{ marginTop: 12 }} /> : null}
      {check?.problems.length ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={
            <ul className="zt-cal-problems">
              {check.problems.slice(0, 8).map((p, i) => (
                <li key={i}>{p[lang]}</li>
              ))}
              {check.problems.length > 8 ? <li>…</li> : null}
            </ul>
          }
          data-testid="calendar-import-problems"
        />
      ) : null}
      {check?.value ? (
        <Alert
          type="info"
          showIcon
          style={{ marginTop: 12 }}
          title={t(m.preview)}
          description={
            <>
              {check.summary.map((s) => (
                <div key={s.year}>{t(m.previewYear, s)}</div>
              ))}
              <div style={{ marginTop: 4 }}>{t(m.replaceWarn)}</div>
            </>
          }
          data-testid="calendar-import-preview"
        />
      ) : null}
      {importYears.isError ? <Alert type="error" showIcon title={errorMessage(importYears.error)} style={{ marginTop: 12 }} /> : null}
    </Modal>
  );
}
