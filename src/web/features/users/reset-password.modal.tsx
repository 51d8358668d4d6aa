import { useEffect, useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Space, Typography } from 'antd';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { passwordMessages, passwordRules } from '../auth/password-rules';
import { generatePassword } from './generate-password';
import { useResetPassword, type User } from './users.api';

const m = defineMessages({
  title: { zh: '重置密码', en: 'Reset password' },
  who: { zh: '为用户“{name}”（{username}）设置新密码。重置后该用户须在下次登录时修改密码。', en: 'Set a new password for {name} ({username}). They must change it at their next login.' },
  newPassword: { zh: '新密码', en: 'New password' },
  generate: { zh: '随机生成', en: 'Generate' },
  done: { zh: '密码已重置，请通过安全渠道告知本人', en: 'Password reset; tell the user through a safe channel' },
});

export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ newPassword: string }>();
  const reset = useResetPassword();
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (user) {
      form.resetFields();
      setFormError(null);
    }
  }, [user, form]);

  return (
    <Modal
      open={!!user}
      title={t(m.title)}
      okText={t(common.ok)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={reset.isPending}
      forceRender
    >
      {user ? <Typography.Paragraph>{t(m.who, { name: user.displayName, username: user.username })}</Typography.Paragraph> : null}
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      <Form
        form={form}
        name="reset"
        layout="vertical"
        onFinish={(v) =>
          user &&
          reset.mutate(
            { id: user.id, newPassword: v.newPassword },
            {
              onSuccess: () => {
                message.success(t(m.done));
                onClose();
              },
              onError: (e) => setFormError(applyServerErrors(form, e, { password: 'newPassword' }).formMessage),
            },
          )
        }
      >
        <Form.Item label={t(m.newPassword)} required extra={t(passwordMessages.hint)}>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="newPassword" noStyle rules={passwordRules(t)}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button onClick={() => form.setFields([{ name: 'newPassword', value: generatePassword(), errors: [] }])}>{t(m.generate)}</Button>
          </Space.Compact>
        </Form.Item>
      </Form>
    </Modal>
  );
}
