import { useEffect, useState } from 'react';
import { Alert, App, Form, Input, InputNumber, Modal, Select, Switch } from 'antd';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { UNIT_KINDS, unitKindLabels, useCreateUnit, useUpdateUnit, type Unit, type UnitKind } from './units.api';

export const unitFormMessages = defineMessages({
  createTitle: { zh: '新增下级单位', en: 'New child unit' },
  createRootTitle: { zh: '新增单位', en: 'New unit' },
  editTitle: { zh: '编辑单位', en: 'Edit unit' },
  parent: { zh: '上级单位', en: 'Parent unit' },
  none: { zh: '（无，作为顶级单位）', en: '(none: a top-level unit)' },
  code: { zh: '单位编码', en: 'Unit code' },
  codeHint: { zh: '字母、数字、下划线、点或连字符，最长 32 位，全市唯一', en: 'Letters, digits, _ . -; up to 32; unique in the city' },
  codeInvalid: { zh: '只能包含字母、数字、下划线、点或连字符', en: 'Only letters, digits, _ . -' },
  name: { zh: '单位名称', en: 'Unit name' },
  kind: { zh: '单位类型', en: 'Unit kind' },
  sortOrder: { zh: '排序号', en: 'Sort order' },
  active: { zh: '启用', en: 'Active' },
  created: { zh: '单位“{name}”已创建', en: 'Unit "{name}" created' },
});

interface Values {
  code: string;
  name: string;
  kind: UnitKind;
  sortOrder?: number;
  active?: boolean;
}

export type UnitFormTarget = { mode: 'create'; parent: Unit | null } | { mode: 'edit'; unit: Unit };

/** Creates a child unit or edits one; the server's field errors land on the fields. */
export function UnitFormModal({ target, onClose, onSaved }: { target: UnitFormTarget | null; onClose: () => void; onSaved: (unit: Unit) => void }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateUnit();
  const update = useUpdateUnit();
  const [formError, setFormError] = useState<string | null>(null);
  const m = unitFormMessages;

  useEffect(() => {
    if (!target) return;
    setFormError(null);
    form.resetFields();
    if (target.mode === 'edit') {
      const u = target.unit;
      form.setFieldsValue({ code: u.code, name: u.name, kind: u.kind, sortOrder: u.sortOrder, active: u.active });
    } else {
      form.setFieldsValue({ kind: suggestKind(target.parent?.kind) });
    }
  }, [target, form]);

  const onFinish = (v: Values) => {
    if (!target) return;
    setFormError(null);
    const onError = (error: unknown) => setFormError(applyServerErrors(form, error).formMessage);
    if (target.mode === 'create') {
      create.mutate(
        { parentId: target.parent?.id ?? null, code: v.code.trim(), name: v.name.trim(), kind: v.kind },
        {
          onSuccess: (unit) => {
            message.success(t(m.created, { name: unit.name }));
            onSaved(unit);
          },
          onError,
        },
      );
    } else {
      // PATCH only what changed, so a concurrent edit of another field is not overwritten.
      const u = target.unit;
      const patch = {
        ...(v.code.trim() !== u.code ? { code: v.code.trim() } : {}),
        ...(v.name.trim() !== u.name ? { name: v.name.trim() } : {}),
        ...(v.kind !== u.kind ? { kind: v.kind } : {}),
        ...((v.sortOrder ?? 0) !== u.sortOrder ? { sortOrder: v.sortOrder ?? 0 } : {}),
        ...(!!v.active !== u.active ? { active: !!v.active } : {}),
      };
      if (!Object.keys(patch).length) {
        onClose();
        return;
      }
      update.mutate(
        { id: u.id, ...patch },
        {
          onSuccess: (unit) => {
            message.success(t(common.saved));
            onSaved(unit);
          },
          onError,
        },
      );
    }
  };

  const title = !target ? '' : target.mode === 'edit' ? t(m.editTitle) : target.parent ? t(m.createTitle) : t(m.createRootTitle);

  return (
    <Modal
      open={!!target}
      title={title}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      forceRender
      okButtonProps={{ 'data-testid': 'unit-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} data-testid="form-error" /> : null}
      <Form<Values> form={form} name="unit" layout="vertical" onFinish={onFinish} data-testid="unit-form">
        {target?.mode === 'create' ? (
          <Form.Item label={t(m.parent)}>
            <Input value={target.parent?.name ?? t(m.none)} disabled />
          </Form.Item>
        ) : null}
        <Form.Item name="name" label={t(m.name)} rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.name) }) }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="code" label={t(m.code)} extra={t(m.codeHint)} rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.code) }) }, { pattern: /^[A-Za-z0-9_.-]+$/, message: t(m.codeInvalid) }]}>
          <Input maxLength={32} autoCapitalize="none" spellCheck={false} />
        </Form.Item>
        <Form.Item name="kind" label={t(m.kind)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.kind) }) }]}>
          <Select options={UNIT_KINDS.map((k) => ({ value: k, label: t(unitKindLabels[k]) }))} />
        </Form.Item>
        {target?.mode === 'edit' ? (
          <>
            <Form.Item name="sortOrder" label={t(m.sortOrder)}>
              <InputNumber min={0} max={99999} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="active" label={t(m.active)} valuePropName="checked">
              <Switch />
            </Form.Item>
          </>
        ) : null}
      </Form>
    </Modal>
  );
}

/** The usual kind one level down: a district's children are streets, the government's departments. */
function suggestKind(parent: UnitKind | undefined): UnitKind {
  switch (parent) {
    case 'district':
      return 'street';
    case 'office':
    case 'hotline_centre':
      return 'division';
    case 'government':
      return 'department';
    default:
      return 'division';
  }
}
