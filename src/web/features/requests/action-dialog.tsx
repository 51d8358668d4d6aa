import { useEffect, useState } from 'react';
import { Alert, App, Form, Input, InputNumber, Radio, Select, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { isApiError } from '../../shared/api';
import { applyServerErrors } from '../../shared/form-errors';
import { formatDateTime } from '../../shared/format';
import { common, defineMessages, useT } from '../../shared/i18n';
import { useIsPhone } from '../../shared/use-is-phone';
import { UnitSelect } from '../org/unit-select';
import { actionLabels, replyResultLabels, satisfactionLabels } from './request-labels';
import { ResponsiveDialog } from './responsive-dialog';
import { UnitMultiSelect } from './unit-multi-select';
import {
  REQUESTS_KEY,
  fetchRequests,
  requestKey,
  useDeadlinePreview,
  useDispatchSuggestion,
  useRequestAction,
  useUnitsWhere,
  type ActionTarget,
  type RequestAction,
  type RequestDetail,
} from './requests.api';

export const actionMessages = defineMessages({
  conflict: { zh: '该诉求已被他人处理，已为您刷新为最新状态，请确认后再操作', en: 'Someone else has just handled this request; it now shows its latest state. Check it before acting again.' },
  done: { zh: '{action}成功', en: '{action}: done' },
  leadUnit: { zh: '主办单位', en: 'Lead unit' },
  coUnits: { zh: '协办单位', en: 'Co-units' },
  suggested: { zh: '派单目录建议：{unit}', en: 'Dispatch catalogue suggests: {unit}' },
  fallback: { zh: '（未匹配到规则，按属地兜底）', en: ' (no rule matched: the district takes it)' },
  note: { zh: '意见或说明', en: 'Note' },
  forwardTo: { zh: '转派至（下级单位）', en: 'Forward to (a unit under yours)' },
  noChildren: { zh: '本单位没有可转派的下级单位', en: 'Your unit has no units under it' },
  reason: { zh: '理由', en: 'Reason' },
  returnReason: { zh: '退单理由', en: 'Why it is not yours' },
  legalBasis: { zh: '法规或职责依据', en: 'Legal or duty basis' },
  legalBasisHint: { zh: '如“三定”方案条款或法规名称，便于中心重新派单', en: 'e.g. the mandate clause or regulation, so the centre can re-dispatch' },
  days: { zh: '延期天数（工作日）', en: 'Extra working days' },
  newDue: { zh: '延期后办理期限：{due}', en: 'Reply deadline after the extension: {due}' },
  currentDue: { zh: '当前办理期限：{due}', en: 'Current reply deadline: {due}' },
  requested: { zh: '承办单位申请延期 {days} 个工作日，理由：{reason}', en: 'The unit asks for {days} working days: {reason}' },
  approveDays: { zh: '批准天数（工作日）', en: 'Working days granted' },
  result: { zh: '办理结果', en: 'Outcome' },
  replyText: { zh: '答复内容', en: 'Reply to the citizen' },
  replyHint: { zh: '写明办理过程、结果及依据；未解决的说明原因', en: 'Say what was done, the outcome and why; if unresolved, why' },
  decision: { zh: '审核结论', en: 'Decision' },
  accept: { zh: '通过', en: 'Accept' },
  sendBack: { zh: '退回重办', en: 'Send back' },
  sendBackNote: { zh: '退回理由', en: 'Why it goes back' },
  reached: { zh: '是否联系上', en: 'Reached the citizen?' },
  reachedYes: { zh: '已联系上', en: 'Reached' },
  reachedNo: { zh: '未联系上', en: 'Not reached' },
  resolved: { zh: '是否解决', en: 'Resolved?' },
  resolvedYes: { zh: '已解决', en: 'Resolved' },
  resolvedNo: { zh: '未解决', en: 'Not resolved' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  mergeTarget: { zh: '合并到（重复诉求的主记录）', en: 'Merge into (the main record)' },
  mergeSearch: { zh: '输入编号或关键字查找', en: 'Type a number or words' },
  signConfirm: { zh: '签收即表示本单位接收该工单并开始办理，不属于本单位职责的请选择“退单”。确认签收？', en: 'Signing means your unit takes this order and starts work; if it is not your unit’s duty, return it instead. Sign for it?' },
  closeConfirm: { zh: '办结后该诉求归档，不再流转。', en: 'Closing archives the request; it will not move on.' },
  superviseNote: { zh: '督办意见', en: 'Supervision note' },
  urgeNote: { zh: '催办说明（可选）', en: 'Note (optional)' },
});

const ACTIONS_WITH_DANGER: RequestAction[] = ['return', 'withdraw', 'deny-extension', 'merge'];

/** The text under a TextArea: how many characters of the limit are used. */
const counted = (max: number) => ({ showCount: true, maxLength: max });

/**
 * The small form of one lifecycle action. Sends the version the user saw; a 409 (someone else acted
 * first) or a state that no longer allows the action refreshes the record and says so; a 400's field
 * details land on the fields.
 */
export function ActionDialog({
  target,
  action,
  onClose,
  onDone,
}: {
  target: ActionTarget | null;
  action: RequestAction | null;
  onClose: () => void;
  onDone?: (detail: RequestDetail) => void;
}) {
  const { t } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const run = useRequestAction();
  const [formError, setFormError] = useState<string | null>(null);
  const open = !!target && !!action;
  // While the dialog animates closed it keeps showing what it showed, not an empty box.
  const [shown, setShown] = useState<{ target: ActionTarget; action: RequestAction } | null>(null);
  if (open && (shown?.target !== target || shown?.action !== action)) setShown({ target, action });

  useEffect(() => {
    if (!open) return;
    setFormError(null);
    form.resetFields();
    if (action === 'approve-extension' && target?.extension?.requestedDays) form.setFieldsValue({ days: target.extension.requestedDays });
    if (action === 'review') form.setFieldsValue({ decision: 'accept' });
    if (action === 'callback') form.setFieldsValue({ reached: true });
    if (action === 'request-extension') form.setFieldsValue({ days: 3 });
  }, [open, action, target, form]);

  const refresh = () => {
    if (!target) return;
    void qc.invalidateQueries({ queryKey: requestKey(target.id) });
    void qc.invalidateQueries({ queryKey: REQUESTS_KEY });
  };

  const submit = (values: Record<string, unknown>) => {
    if (!target || !action) return;
    setFormError(null);
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v) && !v.length) continue;
      body[k] = typeof v === 'string' ? v.trim() : v;
    }
    if (action === 'callback' && body.reached === false) {
      delete body.resolved;
      delete body.satisfaction;
    }
    run.mutate(
      { id: target.id, action, version: target.version, body },
      {
        onSuccess: (detail) => {
          message.success(t(actionMessages.done, { action: t(actionLabels[action]) }));
          onClose();
          onDone?.(detail);
        },
        onError: (e) => {
          const stale = isApiError(e) && (e.status === 409 || e.code === 'INVALID_TRANSITION' || e.status === 403 || e.status === 404);
          if (stale) {
            message.warning({ content: t(actionMessages.conflict), duration: 6 });
            refresh();
            onClose();
            return;
          }
          setFormError(applyServerErrors(form, e).formMessage);
        },
      },
    );
  };

  const view = open ? { target, action } : shown;
  const title = view ? `${t(actionLabels[view.action])} · ${view.target.number}` : '';
  return (
    <ResponsiveDialog
      open={open}
      title={title}
      okText={view ? t(actionLabels[view.action]) : undefined}
      okDanger={!!view && ACTIONS_WITH_DANGER.includes(view.action)}
      confirmLoading={run.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      testId="action-dialog"
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} data-testid="form-error" /> : null}
      <Form form={form} name={`action-${view?.action ?? 'none'}`} layout="vertical" onFinish={submit} data-testid={`action-form-${view?.action ?? 'none'}`} requiredMark={!isPhone}>
        {view ? <ActionFields action={view.action} target={view.target} /> : null}
      </Form>
    </ResponsiveDialog>
  );
}

function ActionFields({ action, target }: { action: RequestAction; target: ActionTarget }) {
  const { t } = useT();
  const m = actionMessages;
  const req = (label: string) => ({ required: true, whitespace: true, message: t(common.required, { label }) });
  const pick = (label: string) => ({ required: true, message: t(common.requiredSelect, { label }) });

  switch (action) {
    case 'dispatch':
      return <DispatchFields target={target} />;
    case 'forward':
      return <ForwardFields target={target} />;
    case 'sign':
      return <Typography.Paragraph>{t(m.signConfirm)}</Typography.Paragraph>;
    case 'return':
      return (
        <>
          <Form.Item name="reason" label={t(m.returnReason)} rules={[req(t(m.returnReason))]}>
            <Input.TextArea rows={3} {...counted(2000)} data-testid="action-reason" />
          </Form.Item>
          <Form.Item name="legalBasis" label={t(m.legalBasis)} extra={t(m.legalBasisHint)}>
            <Input maxLength={500} />
          </Form.Item>
        </>
      );
    case 'request-extension':
      return <ExtensionFields target={target} />;
    case 'approve-extension':
      return <ApproveExtensionFields target={target} />;
    case 'deny-extension':
    case 'redo':
    case 'withdraw':
      return (
        <Form.Item name="reason" label={t(m.reason)} rules={[req(t(m.reason))]}>
          <Input.TextArea rows={3} {...counted(2000)} data-testid="action-reason" />
        </Form.Item>
      );
    case 'urge':
      return (
        <Form.Item name="note" label={t(m.urgeNote)}>
          <Input.TextArea rows={3} {...counted(2000)} data-testid="action-note" />
        </Form.Item>
      );
    case 'supervise':
      return (
        <Form.Item name="note" label={t(m.superviseNote)} rules={[req(t(m.superviseNote))]}>
          <Input.TextArea rows={3} {...counted(2000)} data-testid="action-note" />
        </Form.Item>
      );
    case 'close':
      return (
        <>
          <Typography.Paragraph type="secondary">{t(m.closeConfirm)}</Typography.Paragraph>
          <Form.Item name="note" label={t(m.note)}>
            <Input.TextArea rows={2} {...counted(2000)} data-testid="action-note" />
          </Form.Item>
        </>
      );
    case 'reply':
      return (
        <>
          <Form.Item name="result" label={t(m.result)} rules={[pick(t(m.result))]}>
            <Radio.Group optionType="button" buttonStyle="solid" className="zt-rq-choice" data-testid="reply-result">
              {(['resolved', 'partly', 'unresolved'] as const).map((r) => (
                <Radio.Button key={r} value={r}>
                  {t(replyResultLabels[r])}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item name="text" label={t(m.replyText)} rules={[req(t(m.replyText))]}>
            <Input.TextArea rows={6} {...counted(4000)} placeholder={t(m.replyHint)} data-testid="reply-text" />
          </Form.Item>
        </>
      );
    case 'review':
      return (
        <>
          <Form.Item name="decision" label={t(m.decision)} rules={[pick(t(m.decision))]}>
            <Radio.Group optionType="button" buttonStyle="solid" className="zt-rq-choice" data-testid="review-decision">
              <Radio.Button value="accept">{t(m.accept)}</Radio.Button>
              <Radio.Button value="send-back">{t(m.sendBack)}</Radio.Button>
            </Radio.Group>
          </Form.Item>
          <Form.Item noStyle dependencies={['decision']}>
            {({ getFieldValue }) => {
              const back = getFieldValue('decision') === 'send-back';
              return (
                <Form.Item name="note" label={back ? t(m.sendBackNote) : t(m.note)} rules={back ? [req(t(m.sendBackNote))] : []}>
                  <Input.TextArea rows={3} {...counted(2000)} data-testid="action-note" />
                </Form.Item>
              );
            }}
          </Form.Item>
        </>
      );
    case 'callback':
      return <CallbackFields />;
    case 'merge':
      return <MergeFields target={target} />;
    default:
      return null;
  }
}

function DispatchFields({ target }: { target: ActionTarget }) {
  const { t } = useT();
  const form = Form.useFormInstance();
  const m = actionMessages;
  const suggestion = useDispatchSuggestion(target.categoryId, target.districtId);
  useEffect(() => {
    const s = suggestion.data;
    if (!s || form.isFieldTouched('leadUnitId') || form.getFieldValue('leadUnitId')) return;
    form.setFieldsValue({ leadUnitId: s.lead.id, coUnitIds: s.coUnits.map((u) => u.id) });
  }, [suggestion.data, form]);
  return (
    <>
      {suggestion.data ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={`${t(m.suggested, { unit: [suggestion.data.lead.name, ...suggestion.data.coUnits.map((u) => u.name)].join('、') })}${suggestion.data.fallback ? t(m.fallback) : ''}`}
          data-testid="dispatch-suggestion"
        />
      ) : null}
      <Form.Item name="leadUnitId" label={t(m.leadUnit)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.leadUnit) }) }]}>
        <UnitSelect onlyActive data-testid="dispatch-lead" />
      </Form.Item>
      <Form.Item name="coUnitIds" label={t(m.coUnits)}>
        <UnitMultiSelect data-testid="dispatch-co" />
      </Form.Item>
      <Form.Item name="note" label={t(m.note)}>
        <Input.TextArea rows={2} {...counted(2000)} data-testid="action-note" />
      </Form.Item>
    </>
  );
}

function ForwardFields({ target }: { target: ActionTarget }) {
  const { t } = useT();
  const m = actionMessages;
  const children = useUnitsWhere({ parentId: target.handlingUnitId ?? null });
  const items = children.data?.items ?? [];
  return (
    <>
      <Form.Item name="unitId" label={t(m.forwardTo)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.forwardTo) }) }]}>
        <Select
          loading={children.isPending}
          options={items.map((u) => ({ value: u.id, label: u.name }))}
          notFoundContent={children.isPending ? undefined : t(m.noChildren)}
          showSearch={{ optionFilterProp: 'label' }}
          data-testid="forward-unit"
        />
      </Form.Item>
      <Form.Item name="note" label={t(m.note)}>
        <Input.TextArea rows={2} {...counted(2000)} data-testid="action-note" />
      </Form.Item>
    </>
  );
}

function DuePreview({ start, days }: { start: string | null | undefined; days: number | null | undefined }) {
  const { t } = useT();
  const preview = useDeadlinePreview(start, days);
  if (!start) return null;
  return (
    <div className="zt-rq-due-preview" data-testid="extension-preview">
      <div>{t(actionMessages.currentDue, { due: formatDateTime(start) })}</div>
      {preview.data ? <div className="zt-rq-due-new">{t(actionMessages.newDue, { due: formatDateTime(preview.data.due) })}</div> : null}
    </div>
  );
}

function ExtensionFields({ target }: { target: ActionTarget }) {
  const { t } = useT();
  const m = actionMessages;
  const days = Form.useWatch<number | null>('days');
  return (
    <>
      <Form.Item name="days" label={t(m.days)} rules={[{ required: true, message: t(common.required, { label: t(m.days) }) }]}>
        <InputNumber min={1} max={60} precision={0} style={{ width: '100%' }} data-testid="extension-days" />
      </Form.Item>
      <DuePreview start={target.replyDueAt} days={days} />
      <Form.Item name="reason" label={t(m.reason)} rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.reason) }) }]}>
        <Input.TextArea rows={3} {...counted(2000)} data-testid="action-reason" />
      </Form.Item>
    </>
  );
}

function ApproveExtensionFields({ target }: { target: ActionTarget }) {
  const { t } = useT();
  const m = actionMessages;
  const days = Form.useWatch<number | null>('days');
  const ext = target.extension;
  return (
    <>
      {ext?.pending ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t(m.requested, { days: ext.requestedDays ?? '—', reason: ext.reason ?? '—' })} /> : null}
      <Form.Item name="days" label={t(m.approveDays)} rules={[{ required: true, message: t(common.required, { label: t(m.approveDays) }) }]}>
        <InputNumber min={1} max={ext?.requestedDays ?? 60} precision={0} style={{ width: '100%' }} data-testid="extension-days" />
      </Form.Item>
      <DuePreview start={target.replyDueAt} days={days} />
      <Form.Item name="note" label={t(m.note)}>
        <Input.TextArea rows={2} {...counted(2000)} data-testid="action-note" />
      </Form.Item>
    </>
  );
}

function CallbackFields() {
  const { t } = useT();
  const m = actionMessages;
  const reached = Form.useWatch<boolean | undefined>('reached');
  return (
    <>
      <Form.Item name="reached" label={t(m.reached)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.reached) }) }]}>
        <Radio.Group optionType="button" buttonStyle="solid" className="zt-rq-choice" data-testid="callback-reached">
          <Radio.Button value={true}>{t(m.reachedYes)}</Radio.Button>
          <Radio.Button value={false}>{t(m.reachedNo)}</Radio.Button>
        </Radio.Group>
      </Form.Item>
      {reached !== false ? (
        <>
          <Form.Item name="resolved" label={t(m.resolved)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.resolved) }) }]}>
            <Radio.Group optionType="button" buttonStyle="solid" className="zt-rq-choice" data-testid="callback-resolved">
              <Radio.Button value={true}>{t(m.resolvedYes)}</Radio.Button>
              <Radio.Button value={false}>{t(m.resolvedNo)}</Radio.Button>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="satisfaction" label={t(m.satisfaction)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.satisfaction) }) }]}>
            <Radio.Group optionType="button" buttonStyle="solid" className="zt-rq-choice" data-testid="callback-satisfaction">
              {(['satisfied', 'basic', 'dissatisfied'] as const).map((s) => (
                <Radio.Button key={s} value={s}>
                  {t(satisfactionLabels[s])}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
        </>
      ) : null}
      <Form.Item name="note" label={t(m.note)}>
        <Input.TextArea rows={2} {...counted(2000)} data-testid="action-note" />
      </Form.Item>
    </>
  );
}

function MergeFields({ target }: { target: ActionTarget }) {
  const { t } = useT();
  const m = actionMessages;
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: [...REQUESTS_KEY, 'merge-search', q],
    queryFn: ({ signal }) => fetchRequests({ q: q || undefined, pageSize: 20, status: 'accepted,returned,dispatched,handling,replied,callback,visited,closed' }, signal),
    staleTime: 10_000,
  });
  return (
    <Form.Item name="targetId" label={t(m.mergeTarget)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.mergeTarget) }) }]}>
      <Select<number>
        showSearch={{ filterOption: false, onSearch: setQ }}
        placeholder={t(m.mergeSearch)}
        loading={found.isFetching}
        options={(found.data?.items ?? []).filter((r) => r.id !== target.id).map((r) => ({ value: r.id, label: `${r.number} ${r.title ?? r.content.slice(0, 30)}` }))}
        data-testid="merge-target"
      />
    </Form.Item>
  );
}
