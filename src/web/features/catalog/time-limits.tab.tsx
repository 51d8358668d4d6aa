import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Form, InputNumber, Modal, Popconfirm, Select, Space, Switch, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { errorMessage } from '../../shared/api';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { usePermissions } from '../../shared/session';
import {
  DEADLINE_UNITS,
  URGENCIES,
  useDeleteTimeLimit,
  useRequestTypes,
  useSaveTimeLimit,
  useTimeLimits,
  type DeadlineUnit,
  type Duration,
  type TimeLimit,
  type Urgency,
} from './catalog.api';
import { deadlineUnitLabels, formatDuration, typeName, urgencyLabels } from './catalog-labels';
import { ExportButton } from './export-button';
import { LocalList } from './local-list';

const m = defineMessages({
  intro: {
    zh: '时限按“诉求类型 × 紧急程度”设置；“任意类型”是默认值，为某一类型单独设置的行优先。工作日、工作小时按工作日历计算（节假日、调休、每日工作时间）。',
    en: 'Limits are set per request type × urgency; the "any type" rows are the defaults and a type-specific row wins. Working days and hours follow the working calendar.',
  },
  type: { zh: '诉求类型', en: 'Request type' },
  anyType: { zh: '任意类型（默认）', en: 'Any type (default)' },
  urgency: { zh: '紧急程度', en: 'Urgency' },
  sign: { zh: '签收时限', en: 'Sign-for limit' },
  reply: { zh: '办理时限', en: 'Reply limit' },
  extensionMax: { zh: '延期上限', en: 'Longest extension' },
  pause: { zh: '延期期间暂停计时', en: 'Clock paused during extension' },
  pauseShort: { zh: '延期暂停', en: 'Pause' },
  create: { zh: '按类型单独设置', en: 'Add a type-specific row' },
  editTitle: { zh: '修改办理时限', en: 'Edit time limits' },
  createTitle: { zh: '新增类型时限', en: 'New type-specific limits' },
  deleteConfirm: { zh: '删除该类型的单独设置？之后按“任意类型”的时限计算。', en: 'Delete this row? The "any type" limits apply afterwards.' },
  delete: { zh: '删除', en: 'Delete' },
  deleted: { zh: '已删除', en: 'Deleted' },
  amount: { zh: '数量', en: 'Amount' },
  amountRequired: { zh: '请填写时限', en: 'Enter the limit' },
});

interface Values {
  requestType?: string;
  urgency?: Urgency;
  sign: Duration;
  reply: Duration;
  extensionMax: Duration;
  pauseOnExtension: boolean;
}

function DurationInput({ value, onChange, testId }: { value?: Duration; onChange?: (v: Duration) => void; testId?: string }) {
  const { t } = useT();
  const v = value ?? { amount: 0, unit: 'working-days' as DeadlineUnit };
  return (
    <Space.Compact style={{ width: '100%' }} data-testid={testId}>
      <InputNumber<number>
        min={0}
        max={10000}
        step={1}
        value={v.amount}
        onChange={(a) => onChange?.({ ...v, amount: a ?? 0 })}
        style={{ width: '40%' }}
        aria-label={t(m.amount)}
      />
      <Select<DeadlineUnit>
        value={v.unit}
        onChange={(unit) => onChange?.({ ...v, unit })}
        style={{ width: '60%' }}
        options={DEADLINE_UNITS.map((u) => ({ value: u, label: t(deadlineUnitLabels[u]) }))}
      />
    </Space.Compact>
  );
}

function LimitModal({ target, usedTypes, onClose }: { target: { row: TimeLimit | null } | null; usedTypes: Set<string>; onClose: () => void }) {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveTimeLimit();
  const types = useRequestTypes();
  const [formError, setFormError] = useState<string | null>(null);
  const chosenType = Form.useWatch('requestType', form);

  useEffect(() => {
    if (!target) return;
    setFormError(null);
    form.resetFields();
    const r = target.row;
    form.setFieldsValue(
      r
        ? { sign: r.sign, reply: r.reply, extensionMax: r.extensionMax, pauseOnExtension: r.pauseOnExtension }
        : {
            urgency: 'normal',
            sign: { amount: 2, unit: 'working-hours' },
            reply: { amount: 5, unit: 'working-days' },
            extensionMax: { amount: 10, unit: 'working-days' },
            pauseOnExtension: false,
          },
    );
  }, [target, form]);

  const positive = { validator: (_: unknown, d?: Duration) => (d && d.amount > 0 ? Promise.resolve() : Promise.reject(new Error(t(m.amountRequired)))) };
  const row = target?.row ?? null;
  return (
    <Modal
      open={!!target}
      title={row ? t(m.editTitle) : t(m.createTitle)}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      forceRender
      okButtonProps={{ 'data-testid': 'limit-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      {row ? (
        <Typography.Paragraph>
          <Tag>{row.requestType ? typeName(types.data?.items, row.requestType, lang) : t(m.anyType)}</Tag>
          <Tag color="blue">{t(urgencyLabels[row.urgency])}</Tag>
        </Typography.Paragraph>
      ) : null}
      <Form<Values>
        form={form}
        name="limit"
        layout="vertical"
        onFinish={(v) =>
          save.mutate(
            { id: row?.id ?? undefined, requestType: v.requestType, urgency: v.urgency, sign: v.sign, reply: v.reply, extensionMax: v.extensionMax, pauseOnExtension: !!v.pauseOnExtension },
            {
              onSuccess: () => {
                message.success(t(common.saved));
                onClose();
              },
              onError: (e) => setFormError(applyServerErrors(form, e).formMessage),
            },
          )
        }
      >
        {!row ? (
          <div className="zt-cat-pair">
            <Form.Item name="requestType" label={t(m.type)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.type) }) }]}>
              <Select options={(types.data?.items ?? []).map((ty) => ({ value: ty.code, label: lang === 'en' ? ty.nameEn : ty.name }))} loading={types.isPending} />
            </Form.Item>
            <Form.Item name="urgency" label={t(m.urgency)} rules={[{ required: true }]}>
              <Select options={URGENCIES.map((u) => ({ value: u, label: t(urgencyLabels[u]), disabled: usedTypes.has(`${chosenType}:${u}`) }))} />
            </Form.Item>
          </div>
        ) : null}
        <Form.Item name="sign" label={t(m.sign)} rules={[positive]}>
          <DurationInput testId="limit-sign" />
        </Form.Item>
        <Form.Item name="reply" label={t(m.reply)} rules={[positive]}>
          <DurationInput testId="limit-reply" />
        </Form.Item>
        <Form.Item name="extensionMax" label={t(m.extensionMax)}>
          <DurationInput testId="limit-extension" />
        </Form.Item>
        <Form.Item name="pauseOnExtension" label={t(m.pause)} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 办理时限: sign-for, reply and extension limits per type × urgency. */
export default function TimeLimitsTab() {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const can = usePermissions();
  const canWrite = can('catalog.write');
  const limits = useTimeLimits();
  const types = useRequestTypes();
  const remove = useDeleteTimeLimit();
  const [target, setTarget] = useState<{ row: TimeLimit | null } | null>(null);

  const rows = useMemo(() => {
    const typeOrder = new Map((types.data?.items ?? []).map((ty, i) => [ty.code, i]));
    return [...(limits.data?.items ?? [])].sort(
      (a, b) =>
        (a.requestType === null ? -1 : (typeOrder.get(a.requestType) ?? 99)) - (b.requestType === null ? -1 : (typeOrder.get(b.requestType) ?? 99)) ||
        URGENCIES.indexOf(a.urgency) - URGENCIES.indexOf(b.urgency),
    );
  }, [limits.data, types.data]);
  const usedTypes = useMemo(() => new Set(rows.map((r) => `${r.requestType}:${r.urgency}`)), [rows]);

  const typeCell = (r: TimeLimit) => (r.requestType ? typeName(types.data?.items, r.requestType, lang) : <Typography.Text type="secondary">{t(m.anyType)}</Typography.Text>);
  const actions = (r: TimeLimit) =>
    canWrite && r.id !== null ? (
      <Space size={4}>
        <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setTarget({ row: r })} data-testid={`limit-edit-${r.requestType ?? 'any'}-${r.urgency}`}>
          {t(common.edit)}
        </Button>
        {r.requestType ? (
          <Popconfirm
            title={t(m.deleteConfirm)}
            okText={t(common.ok)}
            cancelText={t(common.cancel)}
            onConfirm={() => remove.mutate(r.id!, { onSuccess: () => message.success(t(m.deleted)), onError: (e) => message.error(errorMessage(e)) })}
          >
            <Button size="small" type="link" danger icon={<DeleteOutlined />}>
              {t(m.delete)}
            </Button>
          </Popconfirm>
        ) : null}
      </Space>
    ) : null;

  const columns: TableColumnsType<TimeLimit> = [
    { key: 'type', title: t(m.type), render: (_, r) => typeCell(r) },
    { key: 'urgency', title: t(m.urgency), render: (_, r) => <Tag color={r.urgency === 'emergency' ? 'red' : r.urgency === 'urgent' ? 'orange' : r.urgency === 'complex' ? 'purple' : 'default'}>{t(urgencyLabels[r.urgency])}</Tag> },
    { key: 'sign', title: t(m.sign), render: (_, r) => formatDuration(r.sign, lang) },
    { key: 'reply', title: t(m.reply), render: (_, r) => <strong>{formatDuration(r.reply, lang)}</strong> },
    { key: 'extensionMax', title: t(m.extensionMax), render: (_, r) => formatDuration(r.extensionMax, lang) },
    { key: 'pause', title: t(m.pauseShort), render: (_, r) => (r.pauseOnExtension ? t(common.yes) : t(common.no)) },
    ...(canWrite ? [{ key: 'actions', title: t(common.actions), render: (_: unknown, r: TimeLimit) => actions(r) }] : []),
  ];

  return (
    <div data-testid="limits-tab">
      <Typography.Paragraph type="secondary">{t(m.intro)}</Typography.Paragraph>
      <div className="zt-toolbar zt-cat-toolbar">
        <span className="zt-toolbar-spacer" />
        <Space wrap>
          {canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ row: null })} data-testid="limit-create">
              {t(m.create)}
            </Button>
          ) : null}
          <ExportButton path="/catalog/time-limits/export.xlsx" fileName="time-limits.xlsx" testId="limits-export" />
        </Space>
      </div>
      <LocalList<TimeLimit>
        testId="limits"
        query={limits}
        items={rows}
        columns={columns}
        rowKey={(r) => `${r.requestType ?? '*'}:${r.urgency}`}
        renderCard={(r) => (
          <>
            <div className="zt-card-head">
              <div className="zt-card-title">{typeCell(r)}</div>
              <Tag>{t(urgencyLabels[r.urgency])}</Tag>
            </div>
            <div className="zt-card-meta">
              <div>
                {t(m.sign)}：{formatDuration(r.sign, lang)}
              </div>
              <div>
                {t(m.reply)}：<strong>{formatDuration(r.reply, lang)}</strong>
              </div>
              <div>
                {t(m.extensionMax)}：{formatDuration(r.extensionMax, lang)}
                {r.pauseOnExtension ? `（${t(m.pauseShort)}）` : ''}
              </div>
            </div>
            {canWrite ? <div className="zt-card-actions">{actions(r)}</div> : null}
          </>
        )}
      />
      <LimitModal target={target} usedTypes={usedTypes} onClose={() => setTarget(null)} />
    </div>
  );
}
