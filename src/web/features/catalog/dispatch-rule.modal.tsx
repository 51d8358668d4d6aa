import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Form, Input, Modal, Switch, TreeSelect } from 'antd';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { buildUnitTree, type UnitNode } from '../org/unit-tree';
import { UnitSelect } from '../org/unit-select';
import { useUnits } from '../org/units.api';
import { useSaveDispatchRule, type DispatchRule } from './catalog.api';
import { CategorySelect, DistrictSelect } from './catalog-pickers';

export const ruleMessages = defineMessages({
  createTitle: { zh: '新增派单规则', en: 'New dispatch rule' },
  editTitle: { zh: '编辑派单规则', en: 'Edit dispatch rule' },
  category: { zh: '诉求分类', en: 'Category' },
  categoryAny: { zh: '任意分类', en: 'Any category' },
  categoryHint: { zh: '规则对所选分类及其全部下级生效；不选表示任意分类', en: 'Covers the category and everything under it; empty means any category' },
  district: { zh: '所属区县', en: 'District' },
  districtAny: { zh: '全部区县', en: 'Any district' },
  lead: { zh: '主办单位', en: 'Lead unit' },
  coUnits: { zh: '协办单位', en: 'Co-units' },
  districtCoUnit: { zh: '属地区政府协办', en: 'District government co-handles' },
  districtCoUnitHint: { zh: '派单时自动把诉求所在区的政府加为协办单位', en: "Adds the request's district government as a co-unit" },
  note: { zh: '备注', en: 'Note' },
  active: { zh: '启用', en: 'Active' },
  saved: { zh: '派单规则已保存', en: 'Dispatch rule saved' },
});

interface Values {
  categoryId: number | null;
  districtId: number | null;
  leadUnitId: number;
  coUnitIds: number[];
  districtCoUnit: boolean;
  note?: string;
  active: boolean;
}

interface UnitOption {
  value: number;
  title: string;
  disabled?: boolean;
  children?: UnitOption[];
}

function toOptions(nodes: UnitNode[]): UnitOption[] {
  return nodes.map((n) => ({ value: n.id, title: n.name, disabled: !n.active, children: n.children.length ? toOptions(n.children) : undefined }));
}

/** Creates or edits one line of the dispatch catalogue. */
export function DispatchRuleModal({ target, onClose }: { target: { rule: DispatchRule | null } | null; onClose: () => void }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveDispatchRule();
  const units = useUnits();
  const unitTree = useMemo(() => toOptions(buildUnitTree(units.data?.items ?? [])), [units.data]);
  const [formError, setFormError] = useState<string | null>(null);
  const m = ruleMessages;

  useEffect(() => {
    if (!target) return;
    setFormError(null);
    form.resetFields();
    const r = target.rule;
    form.setFieldsValue(
      r
        ? { categoryId: r.categoryId, districtId: r.districtId, leadUnitId: r.leadUnitId, coUnitIds: r.coUnitIds, districtCoUnit: r.districtCoUnit, note: r.note ?? '', active: r.active }
        : { categoryId: null, districtId: null, coUnitIds: [], districtCoUnit: false, note: '', active: true },
    );
  }, [target, form]);

  const onFinish = (v: Values) => {
    save.mutate(
      {
        id: target?.rule?.id,
        categoryId: v.categoryId ?? null,
        districtId: v.districtId ?? null,
        leadUnitId: v.leadUnitId,
        coUnitIds: (v.coUnitIds ?? []).filter((id) => id !== v.leadUnitId),
        districtCoUnit: !!v.districtCoUnit,
        note: v.note?.trim() ? v.note.trim() : null,
        active: !!v.active,
      },
      {
        onSuccess: () => {
          message.success(t(m.saved));
          onClose();
        },
        onError: (e) => setFormError(applyServerErrors(form, e).formMessage),
      },
    );
  };

  return (
    <Modal
      open={!!target}
      title={target?.rule ? t(m.editTitle) : t(m.createTitle)}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      forceRender
      okButtonProps={{ 'data-testid': 'rule-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      <Form<Values> form={form} name="rule" layout="vertical" onFinish={onFinish}>
        <Form.Item name="categoryId" label={t(m.category)} extra={t(m.categoryHint)}>
          <CategorySelect allowClear onlyActive placeholder={t(m.categoryAny)} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="districtId" label={t(m.district)}>
          <DistrictSelect allowClear placeholder={t(m.districtAny)} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="leadUnitId" label={t(m.lead)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.lead) }) }]}>
          <UnitSelect onlyActive style={{ width: '100%' }} data-testid="rule-lead" />
        </Form.Item>
        <Form.Item name="coUnitIds" label={t(m.coUnits)}>
          <TreeSelect<number[]>
            multiple
            treeData={unitTree}
            loading={units.isPending}
            showSearch={{ treeNodeFilterProp: 'title' }}
            allowClear
            treeDefaultExpandedKeys={unitTree.map((o) => o.value)}
            popupMatchSelectWidth={false}
            listHeight={320}
          />
        </Form.Item>
        <Form.Item name="districtCoUnit" label={t(m.districtCoUnit)} extra={t(m.districtCoUnitHint)} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="note" label={t(m.note)} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item name="active" label={t(m.active)} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
