import { useEffect, useState } from 'react';
import { Alert, App, Button, Col, Form, Input, Modal, Row, Select, Space } from 'antd';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import type { DataScope } from '../../shared/session';
import { UnitSelect } from '../org/unit-select';
import { passwordMessages, passwordRules } from '../auth/password-rules';
import { dataScopeLabels, useCreateUser, useRoles, useUpdateUser, type User } from './users.api';
import { generatePassword } from './generate-password';

export const userFormMessages = defineMessages({
  createTitle: { zh: '新增用户', en: 'New user' },
  editTitle: { zh: '编辑用户', en: 'Edit user' },
  username: { zh: '用户名', en: 'User name' },
  usernameHint: { zh: '用于登录，以字母开头，3–32 位，创建后不可修改', en: 'For logging in; starts with a letter, 3–32 characters; cannot be changed' },
  usernameInvalid: { zh: '以字母开头，只能包含字母、数字、点、下划线或连字符，3–32 位', en: 'Start with a letter; only letters, digits, . _ -; 3–32 characters' },
  displayName: { zh: '姓名', en: 'Name' },
  unit: { zh: '所属单位', en: 'Unit' },
  roles: { zh: '角色', en: 'Roles' },
  dataScope: { zh: '数据范围', en: 'Data scope' },
  dataScopeDefault: { zh: '按角色默认', en: 'Default for the roles' },
  phone: { zh: '联系电话', en: 'Phone' },
  phoneMasked: { zh: '已脱敏显示，留空则不修改', en: 'Shown masked; leave empty to keep it' },
  password: { zh: '初始密码', en: 'Initial password' },
  passwordHint: { zh: '请通过安全渠道告知本人，并提醒其登录后及时修改。', en: 'Tell the user through a safe channel and ask them to change it after logging in.' },
  generate: { zh: '随机生成', en: 'Generate' },
  created: { zh: '用户“{name}”已创建', en: 'User "{name}" created' },
  phoneInvalid: { zh: '电话号码格式不正确（5–20 位数字，可含 +、- 和空格）', en: 'Not a phone number (5–20 digits; + - and spaces allowed)' },
});

interface Values {
  username: string;
  displayName: string;
  unitId: number;
  roles: string[];
  dataScope?: DataScope | '';
  phone?: string;
  password?: string;
}

export type UserFormTarget = { mode: 'create'; unitId?: number } | { mode: 'edit'; user: User };

const isMasked = (phone: string | null | undefined) => !!phone && phone.includes('*');

export function UserFormModal({ target, onClose }: { target: UserFormTarget | null; onClose: () => void }) {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const roles = useRoles();
  const create = useCreateUser();
  const update = useUpdateUser();
  const [formError, setFormError] = useState<string | null>(null);
  const m = userFormMessages;
  const editing = target?.mode === 'edit' ? target.user : null;

  useEffect(() => {
    if (!target) return;
    setFormError(null);
    form.resetFields();
    if (target.mode === 'edit') {
      const u = target.user;
      form.setFieldsValue({
        username: u.username,
        displayName: u.displayName,
        unitId: u.unitId,
        roles: u.roles,
        dataScope: u.dataScope,
        phone: isMasked(u.phone) ? '' : (u.phone ?? ''),
      });
    } else if (target.unitId) {
      form.setFieldsValue({ unitId: target.unitId });
    }
  }, [target, form]);

  const onFinish = (v: Values) => {
    setFormError(null);
    const onError = (e: unknown) => setFormError(applyServerErrors(form, e).formMessage);
    if (!editing) {
      create.mutate(
        {
          username: v.username.trim(),
          displayName: v.displayName.trim(),
          unitId: v.unitId,
          roles: v.roles,
          ...(v.dataScope ? { dataScope: v.dataScope } : {}),
          ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
          password: v.password ?? '',
        },
        {
          onSuccess: (u) => {
            message.success(t(m.created, { name: u.displayName }));
            onClose();
          },
          onError,
        },
      );
      return;
    }
    const u = editing;
    const sameRoles = [...v.roles].sort().join(',') === [...u.roles].sort().join(',');
    const patch = {
      ...(v.displayName.trim() !== u.displayName ? { displayName: v.displayName.trim() } : {}),
      ...(v.unitId !== u.unitId ? { unitId: v.unitId } : {}),
      ...(!sameRoles ? { roles: v.roles } : {}),
      ...(v.dataScope && v.dataScope !== u.dataScope ? { dataScope: v.dataScope } : {}),
      ...(v.phone?.trim() && v.phone.trim() !== u.phone ? { phone: v.phone.trim() } : {}),
      // Clearing a number the admin could see removes it; an empty box over a masked one keeps it.
      ...(!v.phone?.trim() && u.phone && !isMasked(u.phone) ? { phone: null } : {}),
    };
    if (!Object.keys(patch).length) {
      onClose();
      return;
    }
    update.mutate(
      { id: u.id, ...patch },
      {
        onSuccess: () => {
          message.success(t(common.saved));
          onClose();
        },
        onError,
      },
    );
  };

  return (
    <Modal
      open={!!target}
      title={editing ? t(m.editTitle) : t(m.createTitle)}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      forceRender
      width={720}
      okButtonProps={{ 'data-testid': 'user-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} data-testid="form-error" /> : null}
      <Form<Values> form={form} name="user" layout="vertical" onFinish={onFinish} data-testid="user-form">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="username"
              label={t(m.username)}
              extra={editing ? undefined : t(m.usernameHint)}
              rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.username) }) }, ...(editing ? [] : [{ pattern: /^[A-Za-z][A-Za-z0-9_.-]{2,31}$/, message: t(m.usernameInvalid) }])]}
            >
              <Input disabled={!!editing} autoCapitalize="none" autoComplete="off" spellCheck={false} maxLength={32} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="displayName" label={t(m.displayName)} rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.displayName) }) }]}>
              <Input maxLength={50} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="unitId" label={t(m.unit)} rules={[{ required: true, message: t(common.requiredSelect, { label: t(m.unit) }) }]}>
              <UnitSelect onlyActive data-testid="user-form-unit" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="roles" label={t(m.roles)} rules={[{ required: true, type: 'array', min: 1, message: t(common.requiredSelect, { label: t(m.roles) }) }]}>
              <Select
                mode="multiple"
                loading={roles.isPending}
                options={(roles.data?.items ?? []).map((r) => ({ value: r.role, label: lang === 'en' ? r.nameEn : r.name }))}
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="user-form-roles"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="dataScope" label={t(m.dataScope)}>
              <Select
                allowClear
                placeholder={t(m.dataScopeDefault)}
                options={(['unit', 'subtree', 'all'] as DataScope[]).map((s) => ({ value: s, label: t(dataScopeLabels[s]) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="phone"
              label={t(m.phone)}
              extra={editing && isMasked(editing.phone) ? `${editing.phone}（${t(m.phoneMasked)}）` : undefined}
              rules={[{ pattern: /^[0-9+\- ]{5,20}$/, message: t(m.phoneInvalid) }]}
            >
              <Input inputMode="tel" maxLength={20} autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
        {!editing ? (
          <Form.Item label={t(m.password)} required extra={`${t(passwordMessages.hint)}。${t(m.passwordHint)}`}>
            <Space.Compact style={{ width: '100%' }}>
              <Form.Item name="password" noStyle rules={passwordRules(t)}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Button onClick={() => form.setFields([{ name: 'password', value: generatePassword(), errors: [] }])}>{t(m.generate)}</Button>
            </Space.Compact>
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
