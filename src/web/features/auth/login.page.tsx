import { useEffect, useState } from 'react';
import { Alert, Button, Form, Input, Segmented } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import dayjs from 'dayjs';
import { isApiError } from '../../shared/api';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT, type Lang } from '../../shared/i18n';
import type { LoginReason } from '../../shared/login-redirect';
import { hasSessionHint } from '../../shared/session';
import { useLogin, type LoginInput } from './auth.api';

const m = defineMessages({
  title: { zh: '用户登录', en: 'Log in' },
  username: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  submit: { zh: '登录', en: 'Log in' },
  usernameRequired: { zh: '请输入用户名', en: 'Enter your user name' },
  passwordRequired: { zh: '请输入密码', en: 'Enter your password' },
  // Why the login page is shown
  expired: { zh: '登录已过期，请重新登录', en: 'Your session has expired; please log in again' },
  expiredText: { zh: '为保障账号安全，长时间未操作或超过登录有效期后需要重新登录。', en: 'For security, a session ends after a period of inactivity or when it reaches its time limit.' },
  required: { zh: '请先登录', en: 'Please log in' },
  requiredText: { zh: '您尚未登录或登录状态已失效，登录后将返回刚才的页面。', en: 'You are not logged in, or the session is no longer valid. You will return to the page you wanted after logging in.' },
  loggedOut: { zh: '您已安全退出', en: 'You have logged out' },
  passwordChanged: { zh: '密码已修改，请使用新密码登录', en: 'Password changed; log in with the new password' },
  // Why a login failed
  invalid: { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  invalidText: { zh: '请核对后重新输入（注意大小写）。连续多次输错，账号将被锁定 15 分钟。', en: 'Check both and try again (they are case-sensitive). After repeated failures the account is locked for 15 minutes.' },
  locked: { zh: '账号已被临时锁定', en: 'The account is locked for now' },
  lockedText: { zh: '连续登录失败次数过多，为保护账号安全已锁定 15 分钟。请稍后再试，或联系系统管理员解锁。', en: 'Too many failed logins: the account is locked for 15 minutes. Try again later, or ask an administrator to unlock it.' },
  lockedUntil: { zh: '请于 {time} 之后再试，或联系系统管理员解锁。', en: 'Try again after {time}, or ask an administrator to unlock it.' },
  disabled: { zh: '账号已停用', en: 'The account is disabled' },
  disabledText: { zh: '该账号已被管理员停用，如需恢复使用，请联系本单位系统管理员。', en: 'An administrator has disabled this account. Ask your unit administrator to enable it again.' },
  failed: { zh: '登录失败', en: 'Login failed' },
  footer: { zh: '仅限授权人员使用，操作将被记录审计', en: 'For authorised staff only; actions are audited' },
});

interface Explanation {
  type: 'error' | 'warning' | 'info' | 'success';
  title: string;
  description?: string;
  code?: string;
}

function LoginLanguageSwitch() {
  const { lang, setLang, t } = useT();
  return (
    <Segmented<Lang>
      size="small"
      value={lang}
      onChange={setLang}
      options={[
        { value: 'zh', label: t(common.langZh) },
        { value: 'en', label: 'English' },
      ]}
      data-testid="lang-switch"
      aria-label={t(common.language)}
    />
  );
}

export default function LoginPage() {
  const { t } = useT();
  const [form] = Form.useForm<LoginInput>();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const loginMutation = useLogin();
  const [failure, setFailure] = useState<Explanation | null>(null);
  const reason = search.get('reason') as LoginReason | null;

  useEffect(() => {
    document.title = `${t(m.title)} - ${t(common.appName)}`;
  }, [t]);

  useEffect(() => {
    // The previous user's data must not survive into the next login.
    if (!hasSessionHint()) qc.clear();
    performance.mark('zt:login-ready');
  }, [qc]);

  const reasonNote: Explanation | null =
    reason === 'expired'
      ? { type: 'warning', title: t(m.expired), description: t(m.expiredText), code: 'expired' }
      : reason === 'required'
        ? { type: 'info', title: t(m.required), description: t(m.requiredText), code: 'required' }
        : reason === 'logged_out'
          ? { type: 'success', title: t(m.loggedOut), code: 'logged_out' }
          : reason === 'password_changed'
            ? { type: 'success', title: t(m.passwordChanged), code: 'password_changed' }
            : null;

  const explain = (error: unknown): Explanation | null => {
    if (!isApiError(error)) return { type: 'error', title: t(m.failed), description: String(error) };
    switch (error.code) {
      case 'AUTH_INVALID_CREDENTIALS':
        return { type: 'error', title: t(m.invalid), description: t(m.invalidText), code: error.code };
      case 'AUTH_ACCOUNT_LOCKED': {
        const until = typeof error.body.lockedUntil === 'string' ? dayjs(error.body.lockedUntil) : null;
        const description = until?.isValid() ? `${error.message}。${t(m.lockedUntil, { time: until.format('HH:mm') })}` : t(m.lockedText);
        return { type: 'error', title: t(m.locked), description, code: error.code };
      }
      case 'AUTH_ACCOUNT_DISABLED':
        return { type: 'error', title: t(m.disabled), description: t(m.disabledText), code: error.code };
      case 'VALIDATION_FAILED': {
        const { formMessage } = applyServerErrors(form, error);
        return formMessage ? { type: 'error', title: t(m.failed), description: formMessage, code: error.code } : null;
      }
      case 'NETWORK_ERROR':
        return { type: 'error', title: t(m.failed), description: t(common.networkError), code: error.code };
      default:
        return { type: 'error', title: t(m.failed), description: error.message, code: error.code };
    }
  };

  const onFinish = (values: LoginInput) => {
    setFailure(null);
    loginMutation.mutate(
      { username: values.username.trim(), password: values.password },
      {
        onSuccess: () => {
          const next = search.get('next');
          navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
        },
        onError: (error) => {
          setFailure(explain(error));
          form.setFieldValue('password', '');
        },
      },
    );
  };

  const shown = failure ?? reasonNote;

  return (
    <div className="zt-login">
      <div className="zt-login-card">
        <div className="zt-login-brand">
          <span className="zt-logo" style={{ width: 44, height: 44, fontSize: 24 }}>
            政
          </span>
          <div>
            <h1>{t(common.appName)}</h1>
            <p>{t(common.appSubtitle)}</p>
          </div>
        </div>
        {shown ? (
          <Alert
            type={shown.type}
            showIcon
            title={shown.title}
            description={shown.description}
            style={{ marginBottom: 20 }}
            data-testid={failure ? 'login-error' : 'login-reason'}
            data-code={shown.code}
          />
        ) : null}
        <Form<LoginInput> form={form} name="login" layout="vertical" size="large" onFinish={onFinish} requiredMark={false} data-testid="login-form">
          <Form.Item name="username" label={t(m.username)} rules={[{ required: true, whitespace: true, message: t(m.usernameRequired) }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoCapitalize="none" autoCorrect="off" spellCheck={false} />
          </Form.Item>
          <Form.Item name="password" label={t(m.password)} rules={[{ required: true, message: t(m.passwordRequired) }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Form.Item style={{ marginBottom: 12 }}>
            <Button type="primary" htmlType="submit" block loading={loginMutation.isPending} data-testid="login-submit">
              {t(m.submit)}
            </Button>
          </Form.Item>
        </Form>
        <div className="zt-login-foot">
          <span>{t(m.footer)}</span>
          <LoginLanguageSwitch />
        </div>
      </div>
      <div className="zt-login-copy">© {new Date().getFullYear()} {t(common.appSubtitle)}</div>
    </div>
  );
}
