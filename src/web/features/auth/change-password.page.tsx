import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { ME_KEY, useMe } from '../../shared/session';
import { useChangePassword } from './auth.api';
import { passwordMessages, passwordRules } from './password-rules';

const m = defineMessages({
  current: { zh: '当前密码', en: 'Current password' },
  next: { zh: '新密码', en: 'New password' },
  confirm: { zh: '确认新密码', en: 'Confirm new password' },
  submit: { zh: '修改密码', en: 'Change password' },
  done: { zh: '密码已修改', en: 'Password changed' },
  mustChange: { zh: '首次登录或密码已被重置，请先设置新密码后再使用系统。', en: 'Set a new password before you continue (first login, or the password was reset).' },
  sameAsOld: { zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' },
});

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export default function ChangePasswordPage() {
  const { t } = useT();
  const { message } = App.useApp();
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const change = useChangePassword();
  const [formError, setFormError] = useState<string | null>(null);

  const onFinish = (v: Values) => {
    setFormError(null);
    change.mutate(
      { currentPassword: v.currentPassword, newPassword: v.newPassword },
      {
        onSuccess: async () => {
          message.success(t(m.done));
          form.resetFields();
          await qc.invalidateQueries({ queryKey: ME_KEY });
          if (me.user.mustChangePassword || search.get('required')) navigate('/', { replace: true });
        },
        onError: (error) => setFormError(applyServerErrors(form, error).formMessage),
      },
    );
  };

  return (
    <Card style={{ maxWidth: 520 }}>
      {me.user.mustChangePassword ? <Alert type="warning" showIcon title={t(m.mustChange)} style={{ marginBottom: 16 }} data-testid="must-change" /> : null}
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} data-testid="form-error" /> : null}
      <Form<Values> form={form} name="password" layout="vertical" onFinish={onFinish} data-testid="password-form">
        <Form.Item name="currentPassword" label={t(m.current)} rules={[{ required: true, message: t(common.required, { label: t(m.current) }) }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t(m.next)}
          extra={t(passwordMessages.hint)}
          dependencies={['currentPassword']}
          rules={[
            ...passwordRules(t),
            ({ getFieldValue }) => ({
              validator: (_, value: string) => (value && value === getFieldValue('currentPassword') ? Promise.reject(new Error(t(m.sameAsOld))) : Promise.resolve()),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t(m.confirm)}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t(common.required, { label: t(m.confirm) }) },
            ({ getFieldValue }) => ({
              validator: (_, value: string) => (!value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t(passwordMessages.mismatch)))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="password-submit">
          {t(m.submit)}
        </Button>
      </Form>
    </Card>
  );
}
